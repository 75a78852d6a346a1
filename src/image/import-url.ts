// docker import <URL> (POST /images/create?fromSrc=<url>): the daemon downloads the tarball
// itself, as dockerd does (moby daemon/images/image_import.go): a URL without a scheme gets
// http://, a non-2xx answer is an error before any output, then "Downloading from <url>",
// "Importing" progress over the body (total = Content-Length when known), and the id.
import { Readable, Transform } from 'node:stream';
import { InvalidArgumentError } from '../lib/index.ts';
import { progressBar, type ProgressSink } from '../distribution/index.ts';

/** fromSrc as dockerd reads it: "-" is the body, anything else a URL (http:// added when bare). */
export function importSourceUrl(fromSrc: string): URL {
  const withScheme = fromSrc.includes('://') ? fromSrc : `http://${fromSrc}`;
  let u: URL;
  try { u = new URL(withScheme); } catch { throw new InvalidArgumentError(`invalid import source: ${fromSrc}`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(`unsupported import source scheme: ${u.protocol.slice(0, -1)}`);
  return u;
}

/** Opens the URL; resolves once the answer is a 2xx, with the body counted into progress. */
export async function openImportUrl(u: URL, progress: ProgressSink, signal?: AbortSignal): Promise<Readable> {
  let res: Response;
  try {
    res = await fetch(u, { redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new InvalidArgumentError(`Get "${u.href}": ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`, { cause: err });
  }
  if (!res.ok || !res.body) {
    const body = (await res.text().catch(() => '')).trim().slice(0, 200);
    throw new InvalidArgumentError(`failed to GET ${u.href} with status ${res.status} ${res.statusText}${body ? `: ${body}` : ''}`);
  }
  const total = Number(res.headers.get('content-length') ?? '') || 0;
  progress({ status: `Downloading from ${u.href}` });
  let current = 0;
  let last = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      current += chunk.length;
      const now = Date.now();
      if (now - last >= 100) {
        last = now;
        progress({ status: 'Importing', progressDetail: { current, total }, progress: progressBar(current, total) });
      }
      cb(null, chunk);
    },
    flush(cb) {
      progress({ status: 'Importing', progressDetail: { current, total }, progress: progressBar(current, total) });
      cb();
    },
  });
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(counter);
}
