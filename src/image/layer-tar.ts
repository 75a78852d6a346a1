// The exact tar of a local layer (its sha256 is the diffID): what docker save writes and what
// a push compresses when the content store holds no blob for the layer. In order: the layer
// store's tar-split record; a blob kept in the content store for the diffID (a pull or an
// import by an older berth), uncompressed or decompressed; the layer's files re-tarred when
// that gives the same diffID. Every stream checks its sha256 at its end and fails on a
// mismatch, so no wrong bytes are ever passed off as the layer.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidArgumentError, NotFoundError } from '../lib/index.ts';
import { layerCompression } from '../oci/index.ts';
import { verifiedFileStream, type LayerStore, type LayerTar } from '../layer/index.ts';
import type { ContentStore } from '../storage/content/index.ts';

export interface LayerTarDeps { layers: LayerStore; content: ContentStore }

export async function layerTarFor(deps: LayerTarDeps, chainId: string, diffId: string): Promise<LayerTar> {
  if (await deps.layers.hasTarSplit(chainId)) return deps.layers.exportTar(chainId);
  const blobs = await deps.content.layerBlobs(diffId).catch(() => []);
  const plain = blobs.find((b) => b.digest === diffId);
  if (plain) return { diffId, size: plain.size, open: () => verifiedFileStream(deps.content.blobPath(plain.digest), diffId) };
  for (const b of blobs) {
    const c = layerCompression(b.mediaType);
    if (c !== 'gzip' && c !== 'zstd') continue;
    const open = (): Readable => verifyAtEnd(decompress(deps.content.reader(b.digest), c), diffId);
    // The tar's size is needed up front (a tar entry's header): one pass to count it.
    let size = 0;
    try {
      for await (const chunk of open()) size += (chunk as Buffer).length;
    } catch {
      continue;
    }
    return { diffId, size, open };
  }
  if (!deps.layers.get(chainId)) throw new NotFoundError(`layer ${diffId} does not exist`);
  return deps.layers.exportTar(chainId, { regenerate: true });
}

function decompress(src: Readable, c: 'gzip' | 'zstd'): Readable {
  if (c === 'gzip') {
    const gz = createGunzip({ chunkSize: 1 << 20 });
    src.on('error', (e) => gz.destroy(e));
    return src.pipe(gz);
  }
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  src.on('error', (e) => { out.destroy(e); child.kill('SIGKILL'); });
  child.stdin.on('error', () => undefined);
  src.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => { if (code !== 0) out.destroy(new InvalidArgumentError('zstd: decompression failed')); else out.end(); });
  out.on('close', () => child.kill('SIGKILL'));
  return out;
}

function verifyAtEnd(src: Readable, diffId: string): Readable {
  const hash = createHash('sha256');
  const t = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _e, cb) { hash.update(chunk); cb(null, chunk); },
    flush(cb) {
      const got = `sha256:${hash.digest('hex')}`;
      cb(got === diffId ? null : new InvalidArgumentError(`layer blob for ${diffId} decompresses to ${got}`));
    },
  });
  src.on('error', (e) => t.destroy(e));
  return src.pipe(t);
}
