// distribution: the registry client (layer L2): references as registries see them, auth
// challenges, the X-Registry-Auth header, a repository client over undici, Docker's JSON
// progress messages. It knows nothing of the layer or image stores; image/pull.ts and
// image/push.ts drive it.
export { parseRemoteReference, authKeyOf, isLoopbackHost, type RemoteReference } from './reference.ts';
export { parseWwwAuthenticate, type Challenge } from './www-authenticate.ts';
export { decodeRegistryAuth, type AuthConfig } from './auth-config.ts';
export { RegistryClient, RegistryResponseError, type ClientOptions, type FetchedManifest } from './registry-client.ts';
export { progressBar, humanSize, throttled, type ProgressMessage, type ProgressSink } from './progress.ts';
export { RegistryConfig, type RegistryConfigOptions } from './registry-config.ts';
