// Differential test: a commit of the same changes on berthd and on Debian's dockerd gives the
// same layer tar, byte for byte, so the same diffID (moby pkg/archive with Go's archive/tar:
// USTAR headers with PAX records for long or non-ASCII names, file type bits in the mode,
// user and group names looked up on the host, mtimes in whole seconds, whiteouts and opaque
// dirs as .wh. files, hard links, two zero blocks at the end). Every path is given a fixed
// mtime (touch -d) in both engines, since a commit's tar holds the files' mtimes.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, DOCKER, ensureBusyboxTar, missingTools, type RunResult } from '../support/daemon.ts';
import { Dockerd, DOCKERD } from '../support/dockerd.ts';

const skip = missingTools(DOCKER, DOCKERD);
if (skip) console.log(`# skipping the commit diffID test against dockerd: ${skip}`);

const mkd = (p: string): string => { mkdirSync(p, { recursive: true }); return p; };
const long1 = 'd'.repeat(60);
const long2 = 'e'.repeat(70);
const long3 = 'f'.repeat(120);
// Everything the commit's tar should hold: files, dirs, a hard link, symlinks, a fifo, a
// device, owners with and without host names, setuid, long and non-ASCII names (PAX), a
// whiteout (rm in /bin) and an opaque dir (/var/www removed and made again).
const SCRIPT = [
  'set -e',
  'mkdir -p /data/sub /data/empty',
  'echo hello > /data/a',
  'printf x > /data/sub/b',
  'ln /data/a /data/hard',
  'ln -s ../a /data/sub/link',
  `mkdir -p /data/${long1}/${long2}`,
  `echo split > /data/${long1}/${long2}/file-in-a-long-dir`,
  `echo pax > /data/${long3}`,
  `ln -s /data/${long3} /data/longlink`,
  "echo utf > '/data/caf\u00e9.txt'",
  'mkfifo /data/fifo',
  'mknod /data/null c 1 3',
  'yes 0123456789abcdef | head -c 70000 > /data/big',
  'chown 1:1 /data/a',
  'chown 12345:23456 /data/sub/b',
  'touch /data/sub/big-ids && chown 2097152:2097153 /data/sub/big-ids',
  'chmod 4755 /data/sub/b',
  'chmod 1777 /data/empty',
  'rm /bin/gzip',
  'rm -rf /var/www && mkdir /var/www && echo new > /var/www/index.html',
  "find /data /var /bin/cat -exec touch -h -d '2021-02-03 04:05:06' {} +",
  "touch -d '2020-01-02 03:04:05' /bin /var/www /var/www/index.html",
].join('\n');

/** The first layer tar that is not the base image's, from `docker save` of `ref`. */
function topLayer(engine: { docker(a: string[]): Promise<RunResult> }, ref: string, dir: string): Promise<Buffer> {
  return (async () => {
    const out = join(dir, 'saved.tar');
    const r = await engine.docker(['save', '-o', out, ref]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', out, 'manifest.json'], { encoding: 'utf8' })) as { Layers: string[] }[];
    const layers = manifest[0]!.Layers;
    return execFileSync('tar', ['-xOf', out, layers[layers.length - 1]!], { maxBuffer: 1 << 28 });
  })();
}

/** Where two tars first differ: the entry's name and the header field. */
function firstDifference(a: Buffer, b: Buffer): string {
  const fields: [string, number, number][] = [['name', 0, 100], ['mode', 100, 8], ['uid', 108, 8], ['gid', 116, 8], ['size', 124, 12], ['mtime', 136, 12],
    ['chksum', 148, 8], ['type', 156, 1], ['linkname', 157, 100], ['magic', 257, 8], ['uname', 265, 32], ['gname', 297, 32], ['devmajor', 329, 8], ['devminor', 337, 8], ['prefix', 345, 155]];
  let off = 0;
  while (off + 512 <= Math.min(a.length, b.length)) {
    const ha = a.subarray(off, off + 512);
    const hb = b.subarray(off, off + 512);
    const name = ha.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    if (!ha.equals(hb)) {
      const f = fields.find(([, o, n]) => !ha.subarray(o, o + n).equals(hb.subarray(o, o + n)));
      const show = (h: Buffer): string => (f ? JSON.stringify(h.subarray(f[1], f[1] + f[2]).toString('latin1').replace(/\0+$/, '')) : '');
      return `at ${off} (entry ${JSON.stringify(name)}): ${f ? `${f[0]} dockerd ${show(ha)} berthd ${show(hb)}` : 'data'}`;
    }
    if (ha.every((x) => x === 0)) { off += 512; continue; }
    const size = parseInt(ha.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '') || '0', 8);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return `lengths dockerd ${a.length} berthd ${b.length}`;
}

describe('commit diffIDs: berthd and Debian\'s dockerd', { skip }, () => {
  const b = new TestDaemon();
  const dd = new Dockerd();
  const tmp = mkdtempSync('/tmp/berth-test-commitdiff-');
  const both = (args: string[]): Promise<[RunResult, RunResult]> => Promise.all([dd.docker(args), b.docker(args)]);

  before(async () => {
    await Promise.all([b.start(), dd.start()]);
    const [x, y] = await both(['import', ensureBusyboxTar(), 'berth-test-cdiff:base']);
    assert.equal(x.code, 0, x.stderr);
    assert.equal(y.code, 0, y.stderr);
  });
  after(async () => {
    await Promise.allSettled([b.stop(), dd.stop()]);
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the same changes with the same mtimes: the same layer tar bytes and diffID', async () => {
    const [r1, r2] = await Promise.all([
      dd.docker(['run', '--network', 'none', '--name', 'berth-test-cdiff', 'berth-test-cdiff:base', 'sh', '-c', SCRIPT]),
      b.docker(['run', '--network', 'none', '--name', 'berth-test-cdiff', 'berth-test-cdiff:base', 'sh', '-c', SCRIPT]),
    ]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r2.code, 0, r2.stderr);
    // The whiteout (a 0:0 device the kernel made at the rm) gets its fixed mtime from the host.
    for (const e of [dd, b] as { docker(a: string[]): Promise<RunResult> }[]) {
      const up = await e.docker(['inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', 'berth-test-cdiff']);
      assert.equal(up.code, 0, up.stderr);
      execFileSync('touch', ['-h', '-d', '2022-03-04 05:06:07', join(up.stdout.trim(), 'bin/gzip')]);
    }
    const [c1, c2] = await both(['commit', 'berth-test-cdiff', 'berth-test-cdiff:commit']);
    assert.equal(c1.code, 0, c1.stderr);
    assert.equal(c2.code, 0, c2.stderr);
    const ta = await topLayer(dd, 'berth-test-cdiff:commit', mkd(join(tmp, 'd')));
    const tb = await topLayer(b, 'berth-test-cdiff:commit', mkd(join(tmp, 'b')));
    // BERTH_TEST_DUMP_DIR=dir keeps both tars there, to look at a difference.
    if (process.env.BERTH_TEST_DUMP_DIR) { writeFileSync(join(process.env.BERTH_TEST_DUMP_DIR, 'dockerd.tar'), ta); writeFileSync(join(process.env.BERTH_TEST_DUMP_DIR, 'berthd.tar'), tb); }
    assert.ok(ta.length > 70000, `dockerd's layer is ${ta.length} bytes`);
    assert.ok(ta.equals(tb), `the layer tars differ ${firstDifference(ta, tb)}`);
    const [ix, iy] = await both(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'berth-test-cdiff:commit']);
    assert.equal(ix.code, 0, ix.stderr);
    assert.equal(iy.stdout, ix.stdout);
    await both(['rm', '-f', 'berth-test-cdiff']);
  });
});
