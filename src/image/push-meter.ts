// The "Pushing" progress line of one layer, as dockerd draws it: bytes through a pass-through
// stream against a total, at most every 100 ms.
import { Transform } from 'node:stream';
import { progressBar, type ProgressSink } from '../distribution/index.ts';

export function pushMeter(id: string, total: number, progress: ProgressSink): Transform {
  let sent = 0;
  let last = 0;
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _e, cb) {
      sent += chunk.length;
      const now = Date.now();
      if (now - last > 100) { last = now; progress({ status: 'Pushing', id, progressDetail: { current: sent, total }, progress: progressBar(sent, total) }); }
      cb(null, chunk);
    },
  });
}
