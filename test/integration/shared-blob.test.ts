// One layer blob on two different parent chains (issue 3): the same diffID applied on top of
// two different parents is two layers with two chainIDs. A docker-archive built here names
// one blob in two images on different parents and twice in one image; a registry image does
// the same for a pull. Both load/pull, run with the right files, save back byte for byte,
// and rmi leaves no layer directory behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract, pack } from 'tar-stream';
import { TestDaemon, ensureBusyboxTar } from '../support/daemon.ts';
import { TestRegistry, makeTar, pushRawImage } from '../support/registries.ts';
import { driverLayerDirs, driverStagedDirs } from '../support/driver-dirs.ts';

const d = new TestDaemon();
const reg = new TestRegistry('berth');
const tmp = mkdtempSync('/tmp/berth-test-sharedblob-');
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const chainOf = (diffIds: string[]): string[] => {
  const out: string[] = [];
  for (const id of diffIds) out.push(out.length === 0 ? id : sha(Buffer.from(`${out[out.length - 1]} ${id}`)));
  return out;
};

before(async () => {
  await d.start();
  await reg.start();
});
after(async () => {
  await d.stop();
  await reg.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function writeArchive(entries: [string, Buffer][]): Promise<Buffer> {
  const p = pack();
  const parts: Buffer[] = [];
  const done = (async () => { for await (const c of p) parts.push(c as Buffer); })();
  for (const [name, body] of entries) p.entry({ name, size: body.length }, body);
  p.finalize();
  await done;
  return Buffer.concat(parts);
}

async function readArchive(bytes: Buffer): Promise<Map<string, Buffer>> {
  const ex = extract();
  const out = new Map<string, Buffer>();
  const done = (async () => {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      if (e.header.type === 'file') out.set(e.header.name, Buffer.concat(parts));
    }
  })();
  ex.end(bytes);
  await done;
  return out;
}

function config(diffIds: string[], tag: string): Buffer {
  return Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z',
    config: { Cmd: ['sh'], Env: ['PATH=/usr/bin:/bin'], Labels: { 'berth-test': tag } },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'berth-test' })),
  }));
}

async function inspect(ref: string): Promise<{ Id: string; RootFS: { Layers: string[] } }> {
  const r = await d.api('GET', `/images/${encodeURIComponent(ref)}/json`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json as { Id: string; RootFS: { Layers: string[] } };
}

async function cat(ref: string, script: string): Promise<string> {
  const r = await d.docker(['run', '--rm', ref, 'sh', '-c', script]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('docker load: one blob on two parent chains (two images, and twice in one image) loads as separate layers', async () => {
  const busybox = readFileSync(ensureBusyboxTar());
  const shared = await makeTar({ 'etc/': null, 'etc/berth-shared': 'shared\n', 'etc/berth-who': 'shared-layer\n' });
  const mid = await makeTar({ 'etc/': null, 'etc/berth-mid': 'mid\n', 'etc/berth-who': 'mid-layer\n' });
  const blob = (b: Buffer): string => `blobs/sha256/${sha(b).slice(7)}`;
  // one: busybox, shared. two: busybox, mid, shared. three: busybox, shared, mid, shared.
  const layersOf = { one: [busybox, shared], two: [busybox, mid, shared], three: [busybox, shared, mid, shared] };
  const entries: [string, Buffer][] = [[blob(busybox), busybox], [blob(shared), shared], [blob(mid), mid]];
  const manifest = [];
  for (const [tag, ls] of Object.entries(layersOf)) {
    const cfg = config(ls.map(sha), tag);
    entries.push([blob(cfg), cfg]);
    manifest.push({ Config: blob(cfg), RepoTags: [`berth-test-shared:${tag}`], Layers: ls.map(blob) });
  }
  entries.push(['manifest.json', Buffer.from(JSON.stringify(manifest))]);
  const archive = join(tmp, 'shared.tar');
  writeFileSync(archive, await writeArchive(entries));
  const before = driverLayerDirs(d.dataRoot).length;
  const l = await d.docker(['load', '-i', archive]);
  assert.equal(l.code, 0, l.stderr);
  assert.match(l.stdout, /Loaded image: berth-test-shared:one\n/);
  assert.match(l.stdout, /Loaded image: berth-test-shared:two\n/);
  assert.match(l.stdout, /Loaded image: berth-test-shared:three\n/);
  // busybox once; shared on busybox; mid on busybox; shared on busybox+mid; mid on busybox+shared; shared on that.
  const chains = new Set<string>();
  for (const [tag, ls] of Object.entries(layersOf)) {
    const img = await inspect(`berth-test-shared:${tag}`);
    assert.deepEqual(img.RootFS.Layers, ls.map(sha));
    for (const c of chainOf(ls.map(sha))) chains.add(c);
  }
  assert.equal(chains.size, 6);
  assert.equal(driverLayerDirs(d.dataRoot).length - before, 6);
  assert.deepEqual(driverStagedDirs(d.dataRoot), []);
  // Each layer's files are there, in the right order.
  assert.equal(await cat('berth-test-shared:one', 'cat /etc/berth-shared /etc/berth-who'), 'shared\nshared-layer\n');
  assert.equal(await cat('berth-test-shared:two', 'cat /etc/berth-mid /etc/berth-shared /etc/berth-who'), 'mid\nshared\nshared-layer\n');
  assert.equal(await cat('berth-test-shared:three', 'cat /etc/berth-mid /etc/berth-shared /etc/berth-who'), 'mid\nshared\nshared-layer\n');
  // Saved back: the same blobs, byte for byte.
  const saved = join(tmp, 'saved.tar');
  const s = await d.docker(['save', '-o', saved, 'berth-test-shared:three']);
  assert.equal(s.code, 0, s.stderr);
  const files = await readArchive(readFileSync(saved));
  for (const b of [busybox, shared, mid]) assert.ok(files.get(blob(b))?.equals(b), `${blob(b)} saved as loaded`);
  // A second load of the same archive finds every layer present.
  const again = await d.docker(['load', '-q', '-i', archive]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(driverLayerDirs(d.dataRoot).length - before, 6);
  const rmi = await d.docker(['rmi', 'berth-test-shared:one', 'berth-test-shared:two', 'berth-test-shared:three']);
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.equal(driverLayerDirs(d.dataRoot).length, before);
});

test('pull: one blob on two parent chains (a second image, and twice in one manifest) pulls as separate layers', async () => {
  const busybox = readFileSync(ensureBusyboxTar());
  const shared = await makeTar({ 'etc/': null, 'etc/berth-shared': 'shared\n', 'etc/berth-who': 'shared-layer\n' });
  const mid = await makeTar({ 'etc/': null, 'etc/berth-mid': 'mid\n', 'etc/berth-who': 'mid-layer\n' });
  const before = driverLayerDirs(d.dataRoot).length;
  const one = await pushRawImage(reg.url, 'berth-test/shared', 'one', [{ tar: busybox, compression: 'gzip' }, { tar: shared, compression: 'gzip' }]);
  const three = await pushRawImage(reg.url, 'berth-test/shared', 'three', [
    { tar: busybox, compression: 'gzip' }, { tar: shared, compression: 'gzip' }, { tar: mid, compression: 'none' }, { tar: shared, compression: 'gzip' },
  ]);
  for (const [tag, img] of [['one', one], ['three', three]] as const) {
    const p = await d.docker(['pull', `${reg.addr}/berth-test/shared:${tag}`]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal((await inspect(`${reg.addr}/berth-test/shared:${tag}`)).Id, img.imageId);
  }
  // busybox, shared on it, then mid and shared again on top: 4 layers.
  assert.equal(driverLayerDirs(d.dataRoot).length - before, 4);
  assert.deepEqual(driverStagedDirs(d.dataRoot), []);
  assert.equal(await cat(`${reg.addr}/berth-test/shared:three`, 'cat /etc/berth-mid /etc/berth-shared /etc/berth-who'), 'mid\nshared\nshared-layer\n');
  // The content store knows the shared blob under its one diffID: a push back skips it.
  const push = await d.docker(['push', `${reg.addr}/berth-test/shared:three`]);
  assert.equal(push.code, 0, push.stderr);
  assert.doesNotMatch(push.stdout, /Pushed/);
  const rmi = await d.docker(['rmi', `${reg.addr}/berth-test/shared:one`, `${reg.addr}/berth-test/shared:three`]);
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.equal(driverLayerDirs(d.dataRoot).length, before);
});
