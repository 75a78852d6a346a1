// How berthd's API listeners are secured (dockerd's rules, made strict):
//   unix socket   mode 0660, owner root, group `berth` when that group exists (dockerd -G), else root only
//   tcp://…       mutual TLS: --tlsverify with --tlscacert/--tlscert/--tlskey (defaults: ca.pem,
//                 cert.pem, key.pem in $DOCKER_CERT_PATH or ~/.docker, as dockerd); a client
//                 without a certificate signed by that CA is refused in the handshake.
//                 --tls alone: TLS without client authentication (logged as a warning).
//                 Plain TCP only with an explicit --tls=false, logged loudly at every start.
//                 Anything else is refused before berthd listens.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Logger } from '../lib/index.ts';
import type { ApiTlsOptions } from '../api/server/index.ts';
import type { DaemonConfig } from './config.ts';

export type TcpSecurity = { kind: 'mtls' | 'tls'; tls: ApiTlsOptions } | { kind: 'plain' };

function certDir(): string {
  return process.env['DOCKER_CERT_PATH'] || join(homedir(), '.docker');
}

async function readPem(what: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new InvalidArgumentError(`could not read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The TLS settings of TCP listeners, or the refusal to listen on TCP at all. */
export async function tcpSecurity(cfg: DaemonConfig): Promise<TcpSecurity> {
  const verify = cfg.tlsVerify === true;
  const tls = verify || cfg.tls === true;
  if (!tls) {
    if (cfg.tls === false) return { kind: 'plain' };
    throw new InvalidArgumentError(
      'listening on TCP requires mutual TLS: give --tlsverify with --tlscacert, --tlscert and --tlskey '
      + '(or --tls=false to listen without TLS, which gives root on this host to anyone who can connect)',
    );
  }
  const dir = certDir();
  const cert = await readPem('TLS certificate', cfg.tlsCert || join(dir, 'cert.pem'));
  const key = await readPem('TLS key', cfg.tlsKey || join(dir, 'key.pem'));
  if (!verify) return { kind: 'tls', tls: { cert, key, verifyClients: false } };
  const ca = await readPem('TLS CA certificate', cfg.tlsCaCert || join(dir, 'ca.pem'));
  return { kind: 'mtls', tls: { ca, cert, key, verifyClients: true } };
}

export function logTcpSecurity(log: Logger, host: string, sec: TcpSecurity): void {
  if (sec.kind === 'mtls') log.info({ host }, 'listening on TCP with mutual TLS: clients need a certificate from the configured CA');
  else if (sec.kind === 'tls') log.warn({ host }, 'listening on TCP with TLS but without --tlsverify: any client that can connect controls this host');
  else {
    const line = `!!! listening on ${host} WITHOUT TLS (--tls=false): anyone who can reach it has root on this host !!!`;
    log.error({ host }, line);
    process.stderr.write(`berthd: ${line}\n`);
  }
}

/** gid of the group that may use the unix socket, or null (root only) when it does not exist. */
export async function socketGroup(name: string): Promise<number | null> {
  const text = await readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return null;
}
