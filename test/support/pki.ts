// Test PKI made with openssl: a CA, a server certificate for 127.0.0.1 and a client
// certificate signed by it, and the DOCKER_CERT_PATH layout the docker CLI and docker-py read.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA in `dir`, and certificates signed by it: server (for 127.0.0.1) and client. */
export function makePki(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${name}-ca`], dir);
  for (const [who, ext] of [['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'], ['client', 'extendedKeyUsage=clientAuth']] as const) {
    writeFileSync(join(dir, `${who}.ext`), `${ext}\n`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}-key.pem`, '-out', `${who}.csr`, '-subj', `/CN=${name}-${who}`], dir);
    openssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${who}-cert.pem`, '-days', '2', '-extfile', `${who}.ext`], dir);
  }
}

/** A DOCKER_CERT_PATH directory: ca.pem, cert.pem, key.pem. */
export function certPath(dir: string, caDir: string, clientDir: string): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(caDir, 'ca.pem'), join(dir, 'ca.pem'));
  copyFileSync(join(clientDir, 'client-cert.pem'), join(dir, 'cert.pem'));
  copyFileSync(join(clientDir, 'client-key.pem'), join(dir, 'key.pem'));
  return dir;
}
