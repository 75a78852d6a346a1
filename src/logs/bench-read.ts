// Micro-benchmark of readLogs: `node --import tsx src/logs/bench-read.ts [MiB] [payloadBytes]`.
// Writes a k8s-file log of the given size (default 50 MiB, 80-byte payloads, 1 in 8 lines on
// stderr, 1 in 16 a P chunk) to a temp dir, reads it back in several modes and prints MB/s
// of log file consumed. The file is removed afterwards.
import { mkdtemp, rm, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLogs } from './read-logs.ts';
import { formatK8sLine } from './format-k8s-line.ts';
import type { LogReadOptions } from './log-read-options.ts';

const mib = Number(process.argv[2] ?? 50);
const payloadBytes = Number(process.argv[3] ?? 80);

async function writeLog(path: string, bytes: number): Promise<number> {
  const fh = await open(path, 'w');
  let written = 0;
  let lines = 0;
  let nsec = 0;
  const payload = 'x'.repeat(payloadBytes - 10);
  try {
    while (written < bytes) {
      const chunk: Buffer[] = [];
      for (let i = 0; i < 4096; i++, lines++) {
        nsec += 1234;
        const sec = 1795799683 + Math.floor(nsec / 1e9);
        const stamp = `${new Date(sec * 1000).toISOString().slice(0, 19)}.${String(nsec % 1e9).padStart(9, '0')}+00:00`;
        chunk.push(formatK8sLine(stamp, lines % 8 === 7 ? 'stderr' : 'stdout', lines % 16 === 3, `${String(lines).padStart(9, '0')} ${payload}`));
      }
      const buf = Buffer.concat(chunk);
      await fh.write(buf);
      written += buf.length;
    }
  } finally {
    await fh.close();
  }
  return written;
}

async function measure(name: string, path: string, size: number, options: LogReadOptions): Promise<void> {
  const runs: number[] = [];
  let out = 0;
  for (let run = 0; run < 5; run++) {
    out = 0;
    const t0 = process.hrtime.bigint();
    for await (const chunk of readLogs(path, options)) out += chunk.length;
    runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const best = Math.min(...runs);
  const mbps = size / 1e6 / best;
  console.log(`${name.padEnd(34)} ${mbps.toFixed(0).padStart(5)} MB/s  (best of 5: ${(best * 1000).toFixed(0)} ms, ${(out / 1e6).toFixed(1)} MB out)`);
}

const dir = await mkdtemp(join(tmpdir(), 'berth-bench-'));
try {
  const path = join(dir, 'ctr.log');
  const size = await writeLog(path, mib * 1024 * 1024);
  console.log(`log file: ${(size / 1024 / 1024).toFixed(1)} MiB, ${payloadBytes}-byte payloads`);
  const base: LogReadOptions = { stdout: true, stderr: true, follow: false, tail: 'all', timestamps: false, multiplex: true };
  await measure('multiplexed, both streams', path, size, base);
  await measure('raw (tty)', path, size, { ...base, multiplex: false });
  await measure('multiplexed + timestamps', path, size, { ...base, timestamps: true });
  await measure('stdout only + since', path, size, { ...base, stderr: false, since: 1795799683.5 });
  await measure('tail 1000 (bytes = whole file)', path, size, { ...base, tail: 1000 });
} finally {
  await rm(dir, { recursive: true, force: true });
}
