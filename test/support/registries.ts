// Test support: registries on loopback. `berth registry serve` (dist/berth-registry.js) and
// Debian's Distribution registry (/usr/bin/docker-registry, with a config file in a temp
// dir), each in its own berth-test-* directory, removed by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './daemon.ts';

export const DOCKER_REGISTRY = '/usr/bin/docker-registry';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export class TestRegistry {
  readonly dir: string;
  proc: ChildProcess | null = null;
  port = 0;
  log = '';

  constructor(readonly kind: 'berth' | 'distribution', readonly opts: { htpasswd?: string; readOnly?: boolean; token?: boolean; tls?: boolean } = {}) {
    this.dir = mkdtempSync(`/tmp/berth-test-registry-${kind}-`);
  }

  get addr(): string { return `127.0.0.1:${this.port}`; }
  get url(): string { return `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`; }

  async start(): Promise<void> {
    this.port = await freePort();
    const root = join(this.dir, 'data');
    if (this.kind === 'berth') {
      const args = [join(ROOT, 'dist/berth-registry.js'), 'serve', '--addr', this.addr, '--root', root];
      if (this.opts.htpasswd) { writeFileSync(join(this.dir, 'htpasswd'), this.opts.htpasswd); args.push('--htpasswd', join(this.dir, 'htpasswd')); }
      if (this.opts.readOnly) args.push('--read-only');
      if (this.opts.token) args.push('--token');
      if (this.opts.tls) {
        // A self-signed certificate for 127.0.0.1 (IP SAN); ca.crt for clients that verify.
        const { execFileSync } = await import('node:child_process');
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
          '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(this.dir, 'key.pem'), '-out', join(this.dir, 'ca.crt')], { stdio: 'ignore' });
        args.push('--tls-cert', join(this.dir, 'ca.crt'), '--tls-key', join(this.dir, 'key.pem'));
      }
      this.proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } else {
      const auth = this.opts.htpasswd
        ? `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${join(this.dir, 'htpasswd')}\n` : '';
      if (this.opts.htpasswd) writeFileSync(join(this.dir, 'htpasswd'), this.opts.htpasswd);
      const cfg = `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${root}\n  delete:\n    enabled: true\n${auth}http:\n  addr: ${this.addr}\n`;
      writeFileSync(join(this.dir, 'config.yml'), cfg);
      this.proc = spawn(DOCKER_REGISTRY, ['serve', join(this.dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    this.proc.stderr!.on('data', (d: Buffer) => { this.log += d.toString(); });
    for (let i = 0; i < 100; i++) {
      if (this.proc.exitCode !== null) throw new Error(`${this.kind} registry exited: ${this.log}`);
      try {
        if (this.opts.tls) {
          const { connect } = await import('node:net');
          await new Promise<void>((res, rej) => { const c = connect(this.port, '127.0.0.1', () => { c.destroy(); res(); }); c.on('error', rej); });
          return;
        }
        const r = await fetch(`${this.url}/v2/`);
        if (r.status === 200 || r.status === 401) return;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${this.kind} registry did not start: ${this.log}`);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (p.exitCode === null) p.kill('SIGKILL');
    }
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface TestLayer { tar: Buffer; compression: 'gzip' | 'zstd' | 'none' }

/**
 * Pushes an image made of the given layer tars straight to a registry over HTTP (monolithic
 * uploads), with an OCI manifest, optionally wrapped in an index with another platform
 * entry. Returns the manifest digest and the config digest (= Docker's image id).
 */
export async function pushRawImage(url: string, repo: string, tag: string, layers: TestLayer[], opts: { index?: boolean } = {}): Promise<{ manifestDigest: string; imageId: string; topDigest: string }> {
  const { createHash } = await import('node:crypto');
  const { gzipSync } = await import('node:zlib');
  const { execFileSync } = await import('node:child_process');
  const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const put = async (blob: Buffer): Promise<string> => {
    const d = sha(blob);
    const r = await fetch(`${url}/v2/${repo}/blobs/uploads/?digest=${d}`, { method: 'POST', body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
    if (r.status === 202) {
      // distribution 2.8 ignores ?digest= on POST: the body is dropped and a session starts.
      const loc = new URL(r.headers.get('location')!, `${url}`);
      loc.searchParams.set('digest', d);
      const put = await fetch(loc, { method: 'PUT', body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
      if (put.status !== 201) throw new Error(`upload PUT ${put.status} ${await put.text()}`);
      return d;
    }
    if (r.status !== 201) throw new Error(`blob upload: ${r.status} ${await r.text()}`);
    return d;
  };
  const descs = [];
  for (const l of layers) {
    const blob = l.compression === 'gzip' ? gzipSync(l.tar) : l.compression === 'zstd' ? execFileSync('zstd', ['-q', '-c'], { input: l.tar }) : l.tar;
    const digest = await put(blob);
    descs.push({ mediaType: `application/vnd.oci.image.layer.v1.tar${l.compression === 'none' ? '' : `+${l.compression}`}`, digest, size: blob.length });
  }
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z',
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l.tar)) },
    history: layers.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'berth-test' })),
  }));
  const configDigest = await put(config);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers: descs }));
  const manifestDigest = sha(manifest);
  const ref = opts.index ? manifestDigest : tag;
  let r = await fetch(`${url}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  if (r.status !== 201) throw new Error(`manifest put: ${r.status} ${await r.text()}`);
  let topDigest = manifestDigest;
  if (opts.index) {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, platform: { architecture: 'amd64', os: 'linux' } },
    ] }));
    r = await fetch(`${url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: index, headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } });
    if (r.status !== 201) throw new Error(`index put: ${r.status} ${await r.text()}`);
    topDigest = sha(index);
  }
  return { manifestDigest, imageId: configDigest, topDigest };
}

/** A tar of the files given (path → content; content null = a directory), made with GNU tar. */
export async function makeTar(files: Record<string, string | null>): Promise<Buffer> {
  const { mkdtempSync, mkdirSync, writeFileSync: wf, rmSync: rm } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  const { dirname } = await import('node:path');
  const dir = mkdtempSync('/tmp/berth-test-tar-');
  try {
    for (const [p, c] of Object.entries(files)) {
      const full = join(dir, p);
      if (c === null) mkdirSync(full, { recursive: true });
      else { mkdirSync(dirname(full), { recursive: true }); wf(full, c); }
    }
    return execFileSync('tar', ['-c', '--sort=name', '--mtime=2026-01-01', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '.'], { maxBuffer: 1 << 28 });
  } finally {
    rm(dir, { recursive: true, force: true });
  }
}
