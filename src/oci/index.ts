// oci: OCI types and pure helpers (layer L1): the runtime spec (config.json) and the image
// config. No I/O.
export * from './runtime-spec.ts';
export * from './image-config.ts';
export * from './reference.ts';
export * from './manifest.ts';
