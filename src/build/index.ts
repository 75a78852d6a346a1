// build: the image builder behind POST /build (layer L3). Dockerfile parsing is pure
// (dockerfile/); the engine (builder.ts) runs RUN steps through the BuildBackend it declares
// (daemon/wire.ts implements it with the container service), makes layers with the layer
// store's differ, keeps step images and the cache in BuildStore, and puts the final image
// in the image store.
export { Builder, type BuildOptions, type BuildMessage, type BuilderDeps } from './builder.ts';
export { BuildError } from './errors.ts';
export { BuildStore, type StepImage } from './build-store.ts';
export type { BuildBackend, RunSpec, RunCallbacks, RunMountSpec } from './build-backend.ts';
export { parseStages, processWord, processWords, DockerfileParseError } from './dockerfile/index.ts';
export { commitContainer, type CommitSource, type CommitOptions, type CommitDeps } from './commit.ts';
export { buildCacheUsage, type BuildCacheRecord } from './disk-usage.ts';
