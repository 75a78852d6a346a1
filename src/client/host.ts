// Where the daemon listens: the -H option, else BERTH_HOST, else DOCKER_HOST, else the
// default socket. `unix:///path` and `tcp://host:port` (plain HTTP; port 2375 by default).
import { InvalidArgumentError } from '../lib/index.ts';

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';
const DEFAULT_SOCKET = '/run/berth/berth.sock';
const DEFAULT_TCP_PORT = 2375;

export type DaemonHost =
  | { kind: 'unix'; socketPath: string; url: string }
  | { kind: 'tcp'; hostname: string; port: number; url: string };

/** The host URL to use: explicit option, then BERTH_HOST, DOCKER_HOST, the default. */
export function resolveHostUrl(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  for (const v of [option, env['BERTH_HOST'], env['DOCKER_HOST']]) {
    if (v !== undefined && v !== '') return v;
  }
  return DEFAULT_HOST;
}

/** `defaultPort`: for a tcp:// host without a port (2376 when TLS is on, as docker). */
export function parseHost(url: string, defaultPort = DEFAULT_TCP_PORT): DaemonHost {
  const bad = (): InvalidArgumentError => new InvalidArgumentError(`Invalid bind address format: ${url}`);
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length) || DEFAULT_SOCKET;
    return { kind: 'unix', socketPath, url: `unix://${socketPath}` };
  }
  let rest: string;
  if (url.startsWith('tcp://')) rest = url.slice('tcp://'.length);
  else if (url.startsWith('http://')) rest = url.slice('http://'.length);
  else if (url.startsWith('/')) return { kind: 'unix', socketPath: url, url: `unix://${url}` };
  else if (/^[a-z]+:\/\//.test(url)) throw new InvalidArgumentError(`unsupported protocol in host ${url}: use unix:// or tcp://`);
  else rest = url;
  rest = rest.replace(/\/+$/, '');
  if (rest.includes('/')) throw bad();
  let hostname = rest;
  let port = defaultPort;
  const m = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(rest);
  if (!m) throw bad();
  hostname = m[1] ?? '';
  if (m[2] !== undefined && m[2] !== '') port = Number(m[2]);
  if (hostname === '') hostname = '127.0.0.1';
  if (port < 1 || port > 65535) throw bad();
  return { kind: 'tcp', hostname, port, url: `tcp://${hostname}:${port}` };
}
