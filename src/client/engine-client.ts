// EngineClient: the typed Engine API client, one member per endpoint group. The CLI depends
// on the EngineApi shape only, so its tests pass a fake object with function fields.
import { SystemClient, type SystemApi } from './system.ts';
import { ContainersClient, type ContainersApi } from './containers.ts';
import { ImagesClient, type ImagesApi } from './images.ts';
import { ExecClient, type ExecApi } from './exec.ts';
import { NetworksClient, type NetworksApi } from './networks.ts';
import { VolumesClient, type VolumesApi } from './volumes.ts';
import { ContainerFsClient, type ContainerFsApi } from './container-fs.ts';
import { parseHost, resolveHostUrl } from './host.ts';
import { Transport } from './transport.ts';
import { DEFAULT_TLS_PORT, resolveTls, type TlsFlags } from './tls.ts';
import { readFileSync } from 'node:fs';

export interface EngineApi {
  readonly system: SystemApi;
  readonly containers: ContainersApi;
  readonly images: ImagesApi;
  readonly exec: ExecApi;
  readonly networks: NetworksApi;
  readonly volumes: VolumesApi;
  /** cp's archive API, export, diff. */
  readonly containerFs: ContainerFsApi;
  /** The daemon address, for messages ("unix:///run/berth/berth.sock"). */
  readonly hostUrl: string;
  /** The negotiated API version (after the first request), else null. */
  apiVersion(): string | null;
  close(): Promise<void>;
}

export interface EngineClientOptions {
  /** -H/--host; falls back to BERTH_HOST, DOCKER_HOST, unix:///run/berth/berth.sock. */
  host?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** --tls, --tlsverify, --tlscacert, --tlscert, --tlskey (with DOCKER_TLS_VERIFY, DOCKER_CERT_PATH). */
  tls?: TlsFlags;
}

export class EngineClient implements EngineApi {
  readonly system: SystemApi;
  readonly containers: ContainersApi;
  readonly images: ImagesApi;
  readonly exec: ExecApi;
  readonly networks: NetworksApi;
  readonly volumes: VolumesApi;
  readonly containerFs: ContainerFsApi;
  readonly hostUrl: string;
  readonly #transport: Transport;

  constructor(opts: EngineClientOptions = {}) {
    const env = opts.env ?? process.env;
    const tls = resolveTls(opts.tls ?? {}, env, (p) => readFileSync(p));
    const host = parseHost(resolveHostUrl(opts.host, env), tls ? DEFAULT_TLS_PORT : undefined);
    const pinned = env['BERTH_API_VERSION'] || env['DOCKER_API_VERSION'] || undefined;
    this.#transport = new Transport(host, { ...(pinned ? { apiVersion: pinned } : {}), tls });
    this.hostUrl = host.url;
    this.system = new SystemClient(this.#transport);
    this.containers = new ContainersClient(this.#transport);
    this.images = new ImagesClient(this.#transport);
    this.exec = new ExecClient(this.#transport);
    this.networks = new NetworksClient(this.#transport);
    this.volumes = new VolumesClient(this.#transport);
    this.containerFs = new ContainerFsClient(this.#transport);
  }

  apiVersion(): string | null {
    return this.#transport.currentVersion;
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}
