// Layer export: a registered layer back to its exact tar (docker save, push). From the
// tar-split record kept when the layer was applied (tar-split.ts) when there is one; for a
// layer registered before berth kept records, from re-tarring its diff dir (diff-upper.ts)
// when that gives the same diffID (layers made by commit and build do).
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '../lib/index.ts';
import { readSplit, replaySplit, splitSize } from './tar-split.ts';
import { diffUpperDir, tarUpperDir } from './diff-upper.ts';

/** The file in a layer record dir holding its tar-split record. */
export const SPLIT_FILE = 'tar-split.gz';

export interface LayerTar {
  diffId: string;
  /** Bytes of the tar (known before the stream starts: a tar entry needs it in its header). */
  size: number;
  /** Opens the stream; it fails at its end if the bytes do not hash to diffId. */
  open(): Readable;
}

export async function exportLayerTar(diffId: string, splitPath: string, diffDir: string, regenerate: boolean): Promise<LayerTar> {
  if (await stat(splitPath).then(() => true, () => false)) {
    const segs = await readSplit(splitPath);
    return { diffId, size: splitSize(segs), open: () => replaySplit(segs, diffDir, diffId) };
  }
  if (regenerate) {
    const d = await diffUpperDir(diffDir);
    if (d.diffId === diffId) {
      return { diffId, size: d.size, open: () => verifyAtEnd(tarUpperDir(diffDir), diffId) };
    }
  }
  throw new NotFoundError(`layer ${diffId} cannot be exported: berth kept no record of its tar (it was registered by an older berth) and its files do not re-tar to the same digest`);
}

/** Passes `src` on and fails at its end unless its sha256 is `diffId` (as replaySplit does). */
function verifyAtEnd(src: Readable, diffId: string): Readable {
  const hash = createHash('sha256');
  const t = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _e, cb) { hash.update(chunk); cb(null, chunk); },
    flush(cb) {
      const got = `sha256:${hash.digest('hex')}`;
      cb(got === diffId ? null : new InvalidArgumentError(`layer ${diffId} could not be reproduced: the re-tarred files are ${got}`));
    },
  });
  src.on('error', (e) => t.destroy(e));
  return src.pipe(t);
}
