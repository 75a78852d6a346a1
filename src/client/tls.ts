// TLS to a daemon on TCP, with the docker CLI's rules: --tlsverify (or DOCKER_TLS_VERIFY)
// implies --tls (or DOCKER_TLS); certificates come from --tlscacert/--tlscert/--tlskey, else
// from DOCKER_CERT_PATH (default ~/.docker) as ca.pem, cert.pem, key.pem. A default file
// that does not exist is left out; a file named on the command line must exist.
import { join } from 'node:path';
import { InvalidArgumentError, messageOf } from '../lib/index.ts';

export interface TlsFlags {
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

/** What a TLS connection presents and checks. `verify`: check the daemon's certificate against `ca`. */
export interface TlsSettings {
  verify: boolean;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** The port a tcp:// host without one gets: 2376 with TLS, 2375 without (as docker). */
export const DEFAULT_TLS_PORT = 2376;

export function resolveTls(
  flags: TlsFlags,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => Buffer,
): TlsSettings | null {
  const verify = flags.tlsverify === true || (env['DOCKER_TLS_VERIFY'] ?? '') !== '';
  const tls = verify || flags.tls === true || (env['DOCKER_TLS'] ?? '') !== '';
  if (!tls) return null;
  const certPath = env['DOCKER_CERT_PATH'] || join(env['HOME'] ?? '/root', '.docker');
  const load = (explicit: string | undefined, file: string): Buffer | undefined => {
    const path = explicit ?? join(certPath, file);
    try {
      return readFile(path);
    } catch (e) {
      if (explicit === undefined && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new InvalidArgumentError(`could not read TLS file ${path}: ${messageOf(e)}`);
    }
  };
  const ca = load(flags.tlscacert, 'ca.pem');
  const cert = load(flags.tlscert, 'cert.pem');
  const key = load(flags.tlskey, 'key.pem');
  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidArgumentError('could not load X509 key pair: a TLS client certificate needs both --tlscert and --tlskey');
  }
  return { verify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** node:tls options for these settings. */
export function tlsConnectOptions(s: TlsSettings): { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } {
  return { ...(s.ca ? { ca: s.ca } : {}), ...(s.cert ? { cert: s.cert } : {}), ...(s.key ? { key: s.key } : {}), rejectUnauthorized: s.verify };
}
