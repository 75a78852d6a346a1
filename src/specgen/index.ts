// specgen: pure generation of the OCI runtime spec (config.json) from a container's resolved
// create request (layer L1). No I/O: the caller resolves images, users and host facts first.
export * from './spec-input.ts';
