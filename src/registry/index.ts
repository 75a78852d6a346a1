// registry: `berth registry serve`, berth's own OCI distribution registry (its own
// process, bin/berth-registry.ts). Imports only lib and oci; the daemon and the CLI never
// import it (the CLI execs the registry's bundle).
export { RegistryServer, type RegistryOptions, paginate, validRepoName } from './server.ts';
export { RegistryStorage } from './storage.ts';
export { RegistryError } from './errors.ts';
export { garbageCollect, type GcOptions, type GcResult } from './gc.ts';
export { parseHtpasswd, parseBasicAuth, HtpasswdAuth, bcryptHash } from './htpasswd.ts';
export { registryMain } from './main.ts';
