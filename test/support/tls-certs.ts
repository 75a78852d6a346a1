// A throwaway CA with a server and a client certificate for 127.0.0.1/localhost, made with
// the openssl CLI, for tests of TLS destinations (syslog over tcp+tls://).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCerts { dir: string; ca: string; caKey: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string }

/** Writes the files into `dir`; null (with the reason) when openssl is missing or fails. */
export function makeTestCerts(dir: string): TestCerts | string {
  if (!existsSync('/usr/bin/openssl')) return 'openssl not installed';
  const run = (args: string[]): string | null => {
    const r = spawnSync('/usr/bin/openssl', args, { cwd: dir, encoding: 'utf8' });
    return r.status === 0 ? null : `openssl ${args[0]}: ${r.stderr}`;
  };
  let err = run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=berth-test-ca', '-days', '2']);
  for (const n of ['server', 'client']) {
    writeFileSync(join(dir, `${n}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    err ??= run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=berth-test-${n}`]);
    err ??= run(['x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${n}.pem`, '-days', '2', '-extfile', `${n}.ext`]);
  }
  if (err !== null) return err;
  return {
    dir, ca: join(dir, 'ca.pem'), caKey: join(dir, 'ca.key'), serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client.key'),
  };
}
