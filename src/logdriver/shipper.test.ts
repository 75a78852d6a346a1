import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPosition, Shipper } from './shipper.ts';
import type { Driver } from './driver.ts';
import type { CaptureRecord } from './record.ts';

class Collect implements Driver {
  lines: string[] = [];
  closed = false;
  record(r: CaptureRecord): void { this.lines.push(`${r.stream}${r.partial ? 'P' : 'F'}:${r.buf.toString('utf8', r.payloadStart, r.payloadEnd)}`); }
  async flush(): Promise<void> { /* nothing */ }
  async close(): Promise<void> { this.closed = true; }
}

const ts = '2026-11-27T17:14:43.000000000+00:00';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('shipper: follows the capture, across conmon replacing it, skips junk, saves its position, finishes when the producer is gone', async () => {
  const dir = mkdtempSync('/tmp/berth-test-shipper-');
  try {
    const cap = join(dir, 'ctr.log');
    const pos = join(dir, 'pos.json');
    const d = new Collect();
    const s = new Shipper(cap, pos, d, null, (e) => { throw e; });
    await sleep(50);
    writeFileSync(cap, `${ts} stdout F one\n${ts} stderr P tw`);
    await sleep(400); // the shipper polls for a capture that does not exist yet every 250 ms
    appendFileSync(cap, `o-part\n`);
    // replace the file as conmon does at --log-size-max (tmp + rename), with the old one unread at its end
    appendFileSync(cap, `garbage line\n${ts} stdout F three\n`);
    writeFileSync(`${cap}.tmp`, `${ts} stdout F four\n`);
    renameSync(`${cap}.tmp`, cap);
    await sleep(400);
    appendFileSync(cap, `${ts} stdout F five\n`);
    let gone!: () => void;
    const producerGone = new Promise<void>((r) => { gone = r; });
    const finished = s.finish(producerGone, 5000);
    await sleep(100);
    appendFileSync(cap, `${ts} stdout F six\n`);
    gone();
    await finished;
    await s.done;
    assert.deepEqual(d.lines, ['1F:one', '2P:two-part', '1F:three', '1F:four', '1F:five', '1F:six']);
    assert.equal(s.malformed, 1);
    assert.ok(d.closed);
    const p = loadPosition(pos)!;
    assert.equal(p.offset, statSync(cap).size);

    // A restarted shipper resumes from the saved position: nothing twice, nothing lost.
    appendFileSync(cap, `${ts} stdout F seven\n`);
    const d2 = new Collect();
    const s2 = new Shipper(cap, pos, d2, loadPosition(pos), (e) => { throw e; });
    await s2.finish(Promise.resolve(), 5000);
    assert.deepEqual(d2.lines, ['1F:seven']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
