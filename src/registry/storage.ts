// Filesystem storage of `berth registry serve`. Layout under <root> (the same idea as
// distribution's registry/storage/paths.go, simplified):
//   blobs/sha256/<hex>                                 blob bytes (manifests are blobs too)
//   uploads/<uuid>/data, uploads/<uuid>/repo           an upload in progress and its repository
//   repositories/<name>/_layers/sha256/<hex>           link: the blob belongs to the repository
//   repositories/<name>/_manifests/revisions/sha256/<hex>   the manifest's media type
//   repositories/<name>/_manifests/tags/<tag>          the tag's manifest digest
//   repositories/<name>/_referrers/<subject-hex>/<hex> the referrer's descriptor (JSON)
// Blobs are written into uploads/ and renamed into blobs/ only after their digest was
// verified, so blobs/ never holds a torn or wrong blob; links are written atomically.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from '../lib/index.ts';
import { RegistryError } from './errors.ts';

export interface UploadState { uuid: string; repo: string; size: number }

export class RegistryStorage {
  /** Running hashes of uploads in progress (lost at restart: finish() then re-reads the data). */
  #hashes = new Map<string, { hash: Hash; size: number }>();

  constructor(readonly root: string) {}

  async init(): Promise<void> {
    await Promise.all(['blobs/sha256', 'uploads', 'repositories'].map((d) => mkdir(join(this.root, d), { recursive: true })));
  }

  blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', hexOf(digest));
  }

  #repo(name: string): string {
    return join(this.root, 'repositories', name);
  }

  async blobSize(digest: string): Promise<number | null> {
    try { return (await stat(this.blobPath(digest))).size; } catch { return null; }
  }

  /** The blob's size when it exists and is linked into `repo`. */
  async repoBlobSize(repo: string, digest: string): Promise<number | null> {
    if (!(await exists(join(this.#repo(repo), '_layers', 'sha256', hexOf(digest))))) {
      // A manifest is a blob of its repository too (distribution serves it through /blobs/).
      if (!(await exists(join(this.#repo(repo), '_manifests', 'revisions', 'sha256', hexOf(digest))))) return null;
    }
    return this.blobSize(digest);
  }

  blobStream(digest: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.blobPath(digest), range ? { start: range.start, end: range.end, highWaterMark: 1 << 20 } : { highWaterMark: 1 << 20 });
  }

  async linkBlob(repo: string, digest: string): Promise<void> {
    const dir = join(this.#repo(repo), '_layers', 'sha256');
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, hexOf(digest)), digest, { durable: false });
  }

  async unlinkBlob(repo: string, digest: string): Promise<boolean> {
    const p = join(this.#repo(repo), '_layers', 'sha256', hexOf(digest));
    if (!(await exists(p))) return false;
    await rm(p, { force: true });
    return true;
  }

  async repoExists(repo: string): Promise<boolean> {
    return exists(this.#repo(repo));
  }

  // ---- uploads

  async startUpload(repo: string): Promise<UploadState> {
    const uuid = randomUUID();
    const dir = join(this.root, 'uploads', uuid);
    await mkdir(dir, { recursive: true });
    await Promise.all([writeFile(join(dir, 'data'), ''), writeFile(join(dir, 'repo'), repo)]);
    this.#hashes.set(uuid, { hash: createHash('sha256'), size: 0 });
    return { uuid, repo, size: 0 };
  }

  async upload(repo: string, uuid: string): Promise<UploadState> {
    if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    const dir = join(this.root, 'uploads', uuid);
    let owner: string;
    try { owner = await readFile(join(dir, 'repo'), 'utf8'); } catch { throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry'); }
    if (owner !== repo) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    const size = (await stat(join(dir, 'data'))).size;
    return { uuid, repo, size };
  }

  /** Appends a request body to an upload, hashing as it streams. Returns the new size. */
  async append(up: UploadState, body: Readable, expectLength: number | null): Promise<number> {
    const path = join(this.root, 'uploads', up.uuid, 'data');
    let h = this.#hashes.get(up.uuid);
    if (h && h.size !== up.size) { this.#hashes.delete(up.uuid); h = undefined; }
    // Hash into a copy: an aborted request must not advance the saved hash.
    const work = h ? { hash: h.hash.copy(), size: h.size } : null;
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _e, cb) { received += chunk.length; work?.hash.update(chunk); cb(null, chunk); },
    });
    try {
      await pipeline(body, counter, createWriteStream(path, { flags: 'r+', start: up.size }));
    } catch (err) {
      await truncateTo(path, up.size);
      throw err;
    }
    if (expectLength !== null && received !== expectLength) {
      await truncateTo(path, up.size);
      throw new RegistryError('SIZE_INVALID', `provided length (${expectLength}) did not match content length (${received})`);
    }
    if (work) this.#hashes.set(up.uuid, { hash: work.hash, size: work.size + received });
    return up.size + received;
  }

  /** Verifies the upload against `digest` and moves it into blobs/. */
  async finish(up: UploadState, digest: string): Promise<number> {
    const dir = join(this.root, 'uploads', up.uuid);
    const data = join(dir, 'data');
    const size = (await stat(data)).size;
    let actual: string;
    const h = this.#hashes.get(up.uuid);
    if (h && h.size === size) actual = `sha256:${h.hash.digest('hex')}`;
    else actual = await hashFile(data);
    this.#hashes.delete(up.uuid);
    if (actual !== digest) {
      throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { Expected: digest, Actual: actual });
    }
    const target = this.blobPath(digest);
    if (await exists(target)) await rm(data, { force: true });
    else await rename(data, target);
    await rm(dir, { recursive: true, force: true });
    await this.linkBlob(up.repo, digest);
    return size;
  }

  async cancelUpload(up: UploadState): Promise<void> {
    this.#hashes.delete(up.uuid);
    await rm(join(this.root, 'uploads', up.uuid), { recursive: true, force: true });
  }

  /** Stores a small blob given whole (manifests) after checking its digest. */
  async putSmallBlob(bytes: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const target = this.blobPath(digest);
    if (!(await exists(target))) await writeFileAtomic(target, bytes, { durable: false, mode: 0o644 });
    return digest;
  }

  // ---- manifests and tags

  async putManifest(repo: string, bytes: Buffer, mediaType: string, tag: string | null): Promise<string> {
    const digest = await this.putSmallBlob(bytes);
    const rev = join(this.#repo(repo), '_manifests', 'revisions', 'sha256');
    await mkdir(rev, { recursive: true });
    await writeFileAtomic(join(rev, hexOf(digest)), mediaType, { durable: false });
    if (tag !== null) {
      const tags = join(this.#repo(repo), '_manifests', 'tags');
      await mkdir(tags, { recursive: true });
      await writeFileAtomic(join(tags, tag), digest, { durable: false });
    }
    return digest;
  }

  async tagDigest(repo: string, tag: string): Promise<string | null> {
    try { return (await readFile(join(this.#repo(repo), '_manifests', 'tags', tag), 'utf8')).trim(); } catch { return null; }
  }

  /** The manifest's bytes and media type, when the revision belongs to the repository. */
  async getManifest(repo: string, digest: string): Promise<{ bytes: Buffer; mediaType: string } | null> {
    let mediaType: string;
    try { mediaType = (await readFile(join(this.#repo(repo), '_manifests', 'revisions', 'sha256', hexOf(digest)), 'utf8')).trim(); } catch { return null; }
    try { return { bytes: await readFile(this.blobPath(digest)), mediaType }; } catch { return null; }
  }

  async hasManifest(repo: string, digest: string): Promise<boolean> {
    return exists(join(this.#repo(repo), '_manifests', 'revisions', 'sha256', hexOf(digest)));
  }

  /** Deletes a revision and every tag pointing at it. */
  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    const p = join(this.#repo(repo), '_manifests', 'revisions', 'sha256', hexOf(digest));
    if (!(await exists(p))) return false;
    for (const t of await this.tags(repo)) {
      if ((await this.tagDigest(repo, t)) === digest) await rm(join(this.#repo(repo), '_manifests', 'tags', t), { force: true });
    }
    await rm(p, { force: true });
    const refRoot = join(this.#repo(repo), '_referrers');
    for (const subject of await readdir(refRoot).catch(() => [] as string[])) {
      await rm(join(refRoot, subject, hexOf(digest)), { force: true });
    }
    return true;
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    const p = join(this.#repo(repo), '_manifests', 'tags', tag);
    if (!(await exists(p))) return false;
    await rm(p, { force: true });
    return true;
  }

  async tags(repo: string): Promise<string[]> {
    try { return (await readdir(join(this.#repo(repo), '_manifests', 'tags'))).filter((t) => !t.startsWith('.')).sort(); } catch { return []; }
  }

  async revisions(repo: string): Promise<string[]> {
    try {
      return (await readdir(join(this.#repo(repo), '_manifests', 'revisions', 'sha256'))).filter((h) => /^[0-9a-f]{64}$/.test(h)).map((h) => `sha256:${h}`);
    } catch { return []; }
  }

  async addReferrer(repo: string, subject: string, descriptor: object): Promise<void> {
    const dir = join(this.#repo(repo), '_referrers', hexOf(subject));
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, hexOf((descriptor as { digest: string }).digest)), JSON.stringify(descriptor), { durable: false });
  }

  async referrers(repo: string, subject: string): Promise<object[]> {
    const dir = join(this.#repo(repo), '_referrers', hexOf(subject));
    const out: object[] = [];
    for (const f of (await readdir(dir).catch(() => [] as string[])).sort()) {
      if (f.startsWith('.')) continue;
      try { out.push(JSON.parse(await readFile(join(dir, f), 'utf8')) as object); } catch { /* being written */ }
    }
    return out;
  }

  /** Every repository name, sorted. */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries;
      try { entries = await readdir(dir, { withFileTypes: true }); } catch { return; }
      if (entries.some((e) => e.name === '_manifests')) out.push(prefix);
      for (const e of entries) {
        if (e.isDirectory() && !e.name.startsWith('_')) await walk(join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name);
      }
    };
    await walk(join(this.root, 'repositories'), '');
    return out.sort();
  }

  /** Blob digests and their modification times (for gc). */
  async allBlobs(): Promise<{ digest: string; mtimeMs: number; size: number }[]> {
    const dir = join(this.root, 'blobs', 'sha256');
    const out: { digest: string; mtimeMs: number; size: number }[] = [];
    for (const h of await readdir(dir)) {
      if (!/^[0-9a-f]{64}$/.test(h)) continue;
      const s = await stat(join(dir, h)).catch(() => null);
      if (s) out.push({ digest: `sha256:${h}`, mtimeMs: s.mtimeMs, size: s.size });
    }
    return out;
  }

  /** Removes uploads not touched for `olderThanMs` (abandoned sessions). */
  async purgeUploads(olderThanMs: number, now = Date.now()): Promise<number> {
    let n = 0;
    for (const u of await readdir(join(this.root, 'uploads')).catch(() => [] as string[])) {
      const s = await stat(join(this.root, 'uploads', u, 'data')).catch(() => null);
      if (s && now - s.mtimeMs < olderThanMs) continue;
      this.#hashes.delete(u);
      await rm(join(this.root, 'uploads', u), { recursive: true, force: true });
      n++;
    }
    return n;
  }

  async removeBlob(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }
}

export function hexOf(digest: string): string {
  const hex = digest.slice(digest.indexOf(':') + 1);
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new RegistryError('DIGEST_INVALID', 'invalid digest');
  return hex;
}

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true; } catch { return false; }
}

async function truncateTo(path: string, size: number): Promise<void> {
  const fh = await open(path, 'r+').catch(() => null);
  if (!fh) return;
  try { await fh.truncate(size); } finally { await fh.close(); }
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return `sha256:${h.digest('hex')}`;
}
