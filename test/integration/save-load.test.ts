// docker save / docker load against a real berthd with the docker CLI: round trips keep
// image IDs and layer digests byte for byte, shared layers are written once, OCI layout,
// compressed input, -q, bad archives refused with nothing written, a load killed with -9
// leaves nothing after a restart; skopeo reads what berth writes and berth loads what
// skopeo writes; a committed image (no stored blob) pushes to a registry on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { extract, pack } from 'tar-stream';
import { TestDaemon, sleep } from '../support/daemon.ts';
import { driverLayerDirs, driverStagedDirs, TEST_DRIVER } from '../support/driver-dirs.ts';
import { TestRegistry } from '../support/registries.ts';

const d = new TestDaemon();
const tmp = mkdtempSync('/tmp/berth-test-saveload-');
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

before(async () => {
  await d.start();
  await d.importBusybox();
  const r = await d.docker(['run', '--name', 'berth-test-sl-src', 'busybox:latest', 'sh', '-c',
    'echo hi > /hello; rm /bin/ls; mkdir -p /d/e; ln -s /hello /d/link; ln /hello /d/hard; mkdir /opq; touch /opq/x']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await d.docker(['commit', 'berth-test-sl-src', 'berth-test-sl:one'])).code, 0);
  assert.equal((await d.docker(['rm', 'berth-test-sl-src'])).code, 0);
});
after(async () => {
  await d.stop();
  rmSync(tmp, { recursive: true, force: true });
});

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

async function writeArchive(entries: [string, Buffer | { type: 'symlink' | 'directory'; linkname?: string }][]): Promise<Buffer> {
  const p = pack();
  const parts: Buffer[] = [];
  const done = (async () => { for await (const c of p) parts.push(c as Buffer); })();
  for (const [name, body] of entries) {
    if (Buffer.isBuffer(body)) p.entry({ name, size: body.length }, body);
    else p.entry({ name, type: body.type, linkname: body.linkname });
  }
  p.finalize();
  await done;
  return Buffer.concat(parts);
}

/** Retries `fn` until it stops throwing (the layer store frees removed dirs in the background). */
async function eventually(fn: () => unknown, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { await fn(); return; } catch (err) { if (Date.now() > end) throw err; }
    await sleep(50);
  }
}

function inspect(ref: string): Promise<{ Id: string; RootFS: { Layers: string[] }; RepoTags: string[] }> {
  return d.api('GET', `/images/${encodeURIComponent(ref)}/json`).then((r) => r.json as never);
}

/** What the stores hold: image ids, layer records, driver dirs, leftovers that must never stay. */
function storeState(): { images: string[]; layers: string[]; dirs: string[]; leftovers: string[] } {
  const ls = (p: string): string[] => (existsSync(p) ? readdirSync(p).sort() : []);
  const layers = ls(join(d.dataRoot, 'layer', 'sha256'));
  const dirs = driverLayerDirs(d.dataRoot);
  const staged = driverStagedDirs(d.dataRoot);
  return {
    images: ls(join(d.dataRoot, 'image', 'images')).filter((n) => n.endsWith('.json')),
    layers: layers.filter((n) => !n.includes('.tmp')),
    dirs,
    leftovers: [...layers.filter((n) => n.includes('.tmp')), ...staged, ...ls(join(d.dataRoot, 'image', 'loading'))],
  };
}

test('save -> rmi -> load keeps image IDs and layer digests; the archive is byte-identical after the round trip', async () => {
  const a = join(tmp, 'a.tar');
  const before1 = await inspect('berth-test-sl:one');
  const bb = await inspect('busybox:latest');
  const s = await d.docker(['save', '-o', a, 'busybox:latest', 'berth-test-sl:one']);
  assert.equal(s.code, 0, s.stderr);
  const files = await readArchive(readFileSync(a));
  // Docker archive and OCI layout in one; the shared busybox layer once.
  for (const f of ['manifest.json', 'index.json', 'oci-layout', 'repositories']) assert.ok(files.has(f), f);
  const layerBlobs = [...files.keys()].filter((n) => before1.RootFS.Layers.some((l) => n === `blobs/sha256/${l.slice(7)}`));
  assert.equal(layerBlobs.length, 2);
  for (const l of before1.RootFS.Layers) assert.equal(sha(files.get(`blobs/sha256/${l.slice(7)}`)!), l, 'layer blob digest = diffID');
  assert.equal(sha(files.get(`blobs/sha256/${before1.Id.slice(7)}`)!), before1.Id);
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { RepoTags: string[]; Layers: string[] }[];
  assert.deepEqual(manifest.map((m) => m.RepoTags), [['busybox:latest'], ['berth-test-sl:one']]);
  const index = JSON.parse(files.get('index.json')!.toString()) as { manifests: { annotations: Record<string, string> }[] };
  assert.deepEqual(index.manifests.map((m) => m.annotations['io.containerd.image.name']).sort(),
    ['docker.io/library/berth-test-sl:one', 'docker.io/library/busybox:latest']);

  assert.equal((await d.docker(['rmi', 'berth-test-sl:one', 'busybox:latest'])).code, 0);
  const l = await d.docker(['load', '-i', a]);
  assert.equal(l.code, 0, l.stderr);
  assert.equal(l.stdout, 'Loaded image: busybox:latest\nLoaded image: berth-test-sl:one\n');
  assert.equal((await inspect('berth-test-sl:one')).Id, before1.Id);
  assert.deepEqual((await inspect('berth-test-sl:one')).RootFS.Layers, before1.RootFS.Layers);
  assert.equal((await inspect('busybox:latest')).Id, bb.Id);
  const run = await d.docker(['run', '--rm', 'berth-test-sl:one', 'sh', '-c', 'cat /hello /d/link /d/hard; ls /opq; test -e /bin/ls || echo no-ls']);
  assert.equal(run.stdout, 'hi\nhi\nhi\nx\nno-ls\n', run.stderr);
  // Saved again from the loaded layers: the same bytes.
  const b = join(tmp, 'b.tar');
  assert.equal((await d.docker(['save', '-o', b, 'busybox:latest', 'berth-test-sl:one'])).code, 0);
  assert.equal(sha(readFileSync(b)), sha(readFileSync(a)));
  // Loading what is there already changes nothing and says so the same way.
  const again = await d.docker(['load', '-i', a]);
  assert.equal(again.stdout, 'Loaded image: busybox:latest\nLoaded image: berth-test-sl:one\n', again.stderr);
  assert.deepEqual(storeState().leftovers, []);
});

test('save to stdout, by id (untagged), GET /images/{name}/get, and load -q of a gzip and a zstd archive', async () => {
  const id = (await inspect('berth-test-sl:one')).Id;
  const r = await d.api('GET', `/images/berth-test-sl:one/get`);
  assert.equal(r.status, 200);
  const viaCli = spawnSync('/usr/local/bin/docker', ['-H', d.host, 'save', id.slice(7, 19)], { maxBuffer: 1 << 28 });
  assert.equal(viaCli.status, 0, viaCli.stderr?.toString());
  const files = await readArchive(viaCli.stdout);
  assert.deepEqual(JSON.parse(files.get('manifest.json')!.toString())[0].RepoTags, null);
  const gz = join(tmp, 'byid.tar.gz');
  writeFileSync(gz, execFileSync('gzip', ['-c'], { input: viaCli.stdout, maxBuffer: 1 << 28 }));
  assert.equal((await d.docker(['rmi', 'berth-test-sl:one'])).code, 0);
  const l = await d.docker(['load', '-q', '-i', gz]);
  assert.equal(l.code, 0, l.stderr);
  assert.equal(l.stdout, `Loaded image ID: ${id}\n`);
  const zst = join(tmp, 'byid.tar.zst');
  writeFileSync(zst, execFileSync('zstd', ['-c', '-q'], { input: viaCli.stdout, maxBuffer: 1 << 28 }));
  const z = await d.docker(['load', '-q', '-i', zst]);
  assert.equal(z.stdout, `Loaded image ID: ${id}\n`, z.stderr);
  // Not quiet: Docker's "Loading layer" progress messages, then the stream line.
  assert.equal((await d.docker(['rmi', id])).code, 0);
  const res = await rawLoad(viaCli.stdout, false);
  assert.equal(res.status, 200);
  const msgs = res.body.trim().split(/\r?\n/).map((l) => JSON.parse(l) as { status?: string; id?: string; progressDetail?: { current: number; total: number }; stream?: string });
  const loading = msgs.filter((m) => m.status === 'Loading layer');
  assert.ok(loading.length >= 2, res.body);
  assert.ok(loading.every((m) => m.id?.length === 12 && m.progressDetail!.total > 0));
  assert.equal(msgs.at(-1)!.stream, `Loaded image ID: ${id}\n`);
  assert.equal((await d.docker(['tag', id, 'berth-test-sl:one'])).code, 0);
});

test('an OCI layout (no manifest.json) with gzip and zstd layers loads, named by its annotation', async () => {
  const raw = spawnSync('/usr/local/bin/docker', ['-H', d.host, 'save', 'berth-test-sl:one'], { maxBuffer: 1 << 28 }).stdout;
  const files = await readArchive(raw);
  const want = await inspect('berth-test-sl:one');
  // Rewrite as a pure OCI layout whose layers are gzip blobs, tagged only through index.json.
  const out: [string, Buffer][] = [['oci-layout', files.get('oci-layout')!]];
  const layers = [];
  for (const [i, diffId] of want.RootFS.Layers.entries()) {
    // The base layer gzip, the next zstd.
    const [tool, type] = i === 0 ? ['gzip', 'application/vnd.oci.image.layer.v1.tar+gzip'] : ['zstd', 'application/vnd.oci.image.layer.v1.tar+zstd'];
    const blob = execFileSync(tool, ['-c', ...(tool === 'zstd' ? ['-q'] : ['-n'])], { input: files.get(`blobs/sha256/${diffId.slice(7)}`)!, maxBuffer: 1 << 28 });
    layers.push({ mediaType: type, digest: sha(blob), size: blob.length });
    out.push([`blobs/sha256/${sha(blob).slice(7)}`, blob]);
  }
  const config = files.get(`blobs/sha256/${want.Id.slice(7)}`)!;
  out.push([`blobs/sha256/${want.Id.slice(7)}`, config]);
  const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: want.Id, size: config.length }, layers }));
  out.push([`blobs/sha256/${sha(m).slice(7)}`, m]);
  out.push(['index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(m), size: m.length, annotations: { 'io.containerd.image.name': 'docker.io/library/berth-test-sl:oci' } }] }))]);
  const p = join(tmp, 'oci.tar');
  writeFileSync(p, await writeArchive(out));
  const l = await d.docker(['load', '-i', p]);
  assert.equal(l.code, 0, l.stderr);
  assert.equal(l.stdout, 'Loaded image: berth-test-sl:oci\n');
  assert.equal((await inspect('berth-test-sl:oci')).Id, want.Id);
  assert.equal((await d.docker(['rmi', 'berth-test-sl:oci'])).code, 0);
});

test('a legacy Docker archive (<id>/layer.tar, <id>.json, a symlinked duplicate layer, as dockerd < 25 writes) loads', async () => {
  const raw = spawnSync('/usr/local/bin/docker', ['-H', d.host, 'save', 'berth-test-sl:one'], { maxBuffer: 1 << 28 }).stdout;
  const files = await readArchive(raw);
  const want = await inspect('berth-test-sl:one');
  const [base, top] = want.RootFS.Layers as [string, string];
  const cfgHex = want.Id.slice(7);
  const dirA = 'a'.repeat(64); const dirB = 'b'.repeat(64); const dirC = 'c'.repeat(64);
  const entries: Parameters<typeof writeArchive>[0] = [
    [`${dirA}`, { type: 'directory' }],
    [`${dirA}/VERSION`, Buffer.from('1.0')], [`${dirA}/json`, Buffer.from('{"id":"x"}')], [`${dirA}/layer.tar`, files.get(`blobs/sha256/${base.slice(7)}`)!],
    [`${dirB}/layer.tar`, files.get(`blobs/sha256/${top.slice(7)}`)!],
    [`${dirC}/layer.tar`, { type: 'symlink', linkname: `../${dirB}/layer.tar` }],
    [`${cfgHex}.json`, files.get(`blobs/sha256/${cfgHex}`)!],
    ['manifest.json', Buffer.from(JSON.stringify([{ Config: `${cfgHex}.json`, RepoTags: ['berth-test-sl:legacy'], Layers: [`${dirA}/layer.tar`, `${dirC}/layer.tar`] }]))],
    ['repositories', Buffer.from(JSON.stringify({ 'berth-test-sl': { legacy: dirC } }))],
  ];
  const p = join(tmp, 'legacy.tar');
  writeFileSync(p, await writeArchive(entries));
  const l = await d.docker(['load', '-i', p]);
  assert.equal(l.code, 0, l.stderr);
  assert.equal(l.stdout, 'Loaded image: berth-test-sl:legacy\n');
  assert.equal((await inspect('berth-test-sl:legacy')).Id, want.Id);
  assert.equal((await d.docker(['rmi', 'berth-test-sl:legacy'])).code, 0);
});

test('bad archives: a clear error, nothing written, no leftovers, the daemon keeps serving', async () => {
  const good = spawnSync('/usr/local/bin/docker', ['-H', d.host, 'save', 'berth-test-sl:one'], { maxBuffer: 1 << 28 }).stdout;
  const files = await readArchive(good);
  const want = await inspect('berth-test-sl:one');
  const topBlob = `blobs/sha256/${want.RootFS.Layers[1]!.slice(7)}`;
  const without = (skip: string): [string, Buffer][] => [...files].filter(([n]) => n !== skip);
  const evilLayer = async (entries: Parameters<typeof writeArchive>[0]): Promise<Buffer> => {
    const layer = await writeArchive(entries);
    const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
    return writeArchive([[`blobs/sha256/${sha(layer).slice(7)}`, layer], [`blobs/sha256/${sha(cfg).slice(7)}`, cfg],
      ['manifest.json', Buffer.from(JSON.stringify([{ Config: `blobs/sha256/${sha(cfg).slice(7)}`, RepoTags: ['berth-test-sl:evil'], Layers: [`blobs/sha256/${sha(layer).slice(7)}`] }]))]]);
  };
  const tamperedLayer = Buffer.from(files.get(topBlob)!);
  tamperedLayer[tamperedLayer.length - 1]! ^= 1; // in the end-of-archive padding: still a valid tar, another digest
  const cases: [string, Buffer, RegExp][] = [
    ['truncated', good.subarray(0, Math.floor(good.length * 0.6)), /unexpected EOF|truncated|unexpected end/i],
    ['not a tar', randomBytes(4096), /invalid archive/i],
    ['truncated gzip', execFileSync('gzip', ['-c'], { input: good }).subarray(0, 3000), /invalid archive/i],
    ['empty', Buffer.alloc(0), /invalid archive|empty/i],
    ['manifest names a missing blob', await writeArchive(without(topBlob)), /missing from the archive/],
    ['layer digest mismatch', await writeArchive([...without(topBlob), [topBlob, tamperedLayer]]), /digest mismatch/],
    ['no manifest', await writeArchive(without('manifest.json').filter(([n]) => n !== 'index.json' && n !== 'repositories')), /neither manifest.json nor index.json/],
    ['path traversal in the archive', await writeArchive([['../../evil', Buffer.from('x')], ...files]), /path traversal/],
    ['a symlink in the archive escaping it', await writeArchive([['evil.tar', { type: 'symlink', linkname: '../../../etc/passwd' }], ...files]), /path traversal/],
    ['absolute path in the archive', await writeArchive([['/etc/evil', Buffer.from('x')], ...files]), /absolute path/],
    // Layer entries meet the one header parser in front of tar -x (tar-split.ts).
    ['.. in a layer', await evilLayer([['../escape', Buffer.from('x')]]), /entry "\.\.\/escape" climbs out of the layer/],
    ['symlinked parent in a layer', await evilLayer([['esc', { type: 'symlink', linkname: '/tmp' }], ['esc/berth-test-escaped', Buffer.from('x')]]), /entry "esc\/berth-test-escaped" goes through the symlink "esc" -> "\/tmp", which points outside the layer/],
  ];
  const before1 = storeState();
  // The daemon's open files: a refused layer must close what it opened (its tar-split record).
  const fds = (): string[] => readdirSync(`/proc/${d.proc!.pid}/fd`).map((n) => { try { return readlinkSync(`/proc/${d.proc!.pid}/fd/${n}`); } catch { return ''; } })
    .filter((l) => l.startsWith('/') && !l.startsWith('/dev/')).sort();
  const fdsBefore = fds();
  for (const [label, bytes, re] of cases) {
    const p = join(tmp, 'bad.tar');
    writeFileSync(p, bytes);
    const r = await d.docker(['load', '-i', p]);
    assert.notEqual(r.code, 0, `${label}: must fail`);
    assert.match(r.stderr, re, `${label}: ${r.stderr}`);
    await eventually(() => assert.deepEqual(storeState(), before1, label));
    assert.equal((await d.api('GET', '/_ping')).status, 200);
  }
  assert.equal(existsSync('/tmp/berth-test-escaped'), false);
  await eventually(() => assert.deepEqual(fds(), fdsBefore));
  // The API answers a 4xx with Docker's {"message"} when no progress was sent yet (quiet).
  const res = await rawLoad(Buffer.from('garbage'.repeat(100)), true);
  assert.equal(res.status, 400, res.body);
  assert.match(JSON.parse(res.body).message, /invalid archive/);
});

function rawLoad(body: Buffer, quiet: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.socket, method: 'POST', path: `/images/load?quiet=${quiet ? 1 : 0}`, headers: { 'content-type': 'application/x-tar' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('kill -9 in the middle of a load: after the restart no image, no staged layer, no temp file', async () => {
  // An image with a 64 MB incompressible layer, sent slowly so the daemon dies mid-layer.
  const big = await writeArchive([['big', randomBytes(64 << 20)]]);
  const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(big)] } }));
  const archive = await writeArchive([[`blobs/sha256/${sha(big).slice(7)}`, big], [`blobs/sha256/${sha(cfg).slice(7)}`, cfg],
    ['manifest.json', Buffer.from(JSON.stringify([{ Config: `blobs/sha256/${sha(cfg).slice(7)}`, RepoTags: ['berth-test-sl:killed'], Layers: [`blobs/sha256/${sha(big).slice(7)}`] }]))]]);
  const before1 = storeState();
  const req = request({ socketPath: d.socket, method: 'POST', path: '/images/load?quiet=1', headers: { 'content-type': 'application/x-tar' } });
  req.on('error', () => undefined);
  req.write(archive.subarray(0, 32 << 20));
  // Wait until the layer is being staged, then kill.
  await eventually(() => assert.ok(storeState().leftovers.length > 0, 'staging started'), 20_000);
  await d.kill9();
  req.destroy();
  await d.start();
  await eventually(() => assert.deepEqual(storeState(), before1));
  assert.equal((await d.api('GET', '/images/berth-test-sl:killed/json')).status, 404);

  // A crash after the layers were registered but before the tags: the journal undoes it.
  const p = join(tmp, 'k.tar');
  writeFileSync(p, archive);
  assert.equal((await d.docker(['load', '-i', p])).code, 0);
  const loaded = await inspect('berth-test-sl:killed');
  await d.kill9();
  const chainId = loaded.RootFS.Layers[0]!; // one layer: its chainID is its diffID
  writeFileSync(join(d.dataRoot, 'image', 'loading', 'crashed.json'), JSON.stringify({ chains: [chainId], images: [loaded.Id] }));
  await d.start();
  assert.equal((await d.api('GET', '/images/berth-test-sl:killed/json')).status, 404);
  await eventually(() => assert.deepEqual(storeState(), before1));
  assert.equal((await d.docker(['run', '--rm', 'berth-test-sl:one', 'cat', '/hello'])).stdout, 'hi\n');
});

test('berth save and berth load print and do what docker does', async () => {
  const a = join(tmp, 'berth.tar');
  const want = await inspect('berth-test-sl:one');
  const s = await d.cli('berth', ['save', '-o', a, 'berth-test-sl:one']);
  assert.equal(s.code, 0, s.stderr);
  const toStdout = spawnSync(process.execPath, [join(import.meta.dirname, '../../dist/berth.js'), '-H', d.host, 'image', 'save', 'berth-test-sl:one'], { maxBuffer: 1 << 28 });
  assert.equal(toStdout.status, 0, toStdout.stderr?.toString());
  assert.equal(sha(toStdout.stdout), sha(readFileSync(a)));
  assert.equal((await d.docker(['rmi', 'berth-test-sl:one'])).code, 0);
  const l = await d.cli('berth', ['load', '-q', '-i', a]);
  assert.equal(l.code, 0, l.stderr);
  assert.equal(l.stdout, 'Loaded image: berth-test-sl:one\n');
  assert.equal((await inspect('berth-test-sl:one')).Id, want.Id);
  const bad = await d.cli('berth', ['load', '-i', '/dev/null']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid archive/);
  const missing = await d.cli('berth', ['save', '-o', join(tmp, 'x.tar'), 'berth-test-sl:nosuch']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such image: berth-test-sl:nosuch/);
  assert.equal(existsSync(join(tmp, 'x.tar')), false);
});

// Only overlay2 layers can lack a record: vfs and btrfs came with tar-split records (and
// their layer dirs are whole trees, not diffs, so there is nothing to re-tar).
const notOverlay = TEST_DRIVER === 'overlay2' ? false : `layers of the ${TEST_DRIVER} driver always have a tar-split record`;

test('layers without a tar-split record (registered by an older berth): re-tarred when that gives the diffID, else a clear error', { skip: notOverlay }, async () => {
  // A freshly committed layer (loaded layers were extracted from tars, not diffed from a dir).
  assert.equal((await d.docker(['run', '--name', 'berth-test-sl-fresh', 'busybox:latest', 'sh', '-c', 'echo fresh > /f; mkdir /g; ln /f /g/h; rm /bin/cat'])).code, 0);
  assert.equal((await d.docker(['commit', 'berth-test-sl-fresh', 'berth-test-sl:fresh'])).code, 0);
  assert.equal((await d.docker(['rm', 'berth-test-sl-fresh'])).code, 0);
  const want = await inspect('berth-test-sl:fresh');
  const ref = join(tmp, 'ref.tar');
  assert.equal((await d.docker(['save', '-o', ref, 'berth-test-sl:fresh'])).code, 0);
  const chain = (i: number): string => {
    // chainID: sha256 of "<parent chainID> <diffID>" for all but the base layer.
    let c = want.RootFS.Layers[0]!;
    for (let k = 1; k <= i; k++) c = sha(Buffer.from(`${c} ${want.RootFS.Layers[k]}`));
    return c;
  };
  const rec = (i: number): string => join(d.dataRoot, 'layer', 'sha256', chain(i).slice(7), 'tar-split.gz');
  const saved = [readFileSync(rec(0)), readFileSync(rec(1))];
  try {
    // The committed layer re-tars to the same bytes.
    rmSync(rec(1));
    const again = join(tmp, 'regen.tar');
    assert.equal((await d.docker(['save', '-o', again, 'berth-test-sl:fresh'])).code, 0);
    assert.equal(sha(readFileSync(again)), sha(readFileSync(ref)));
    // An applied (imported) layer does not: the save fails before any byte, saying why.
    rmSync(rec(0));
    const r = await d.docker(['save', '-o', join(tmp, 'fail.tar'), 'berth-test-sl:fresh']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot be exported/);
    assert.equal(existsSync(join(tmp, 'fail.tar')), false);
  } finally {
    writeFileSync(rec(0), saved[0]!);
    writeFileSync(rec(1), saved[1]!);
    await d.docker(['rmi', 'berth-test-sl:fresh']);
  }
});

const noSkopeo = existsSync('/usr/bin/skopeo') ? false : 'skopeo not installed';

test('skopeo reads what berth saves and berth loads what skopeo writes', { skip: noSkopeo }, async () => {
  const a = join(tmp, 'sk.tar');
  assert.equal((await d.docker(['save', '-o', a, 'berth-test-sl:one'])).code, 0);
  const want = await inspect('berth-test-sl:one');
  const info = JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${a}`]).toString()) as { Layers: string[] };
  assert.deepEqual(info.Layers, want.RootFS.Layers);
  const ociDir = join(tmp, 'oci');
  execFileSync('skopeo', ['copy', '-q', `docker-archive:${a}`, `oci:${ociDir}:berth-test`]);
  const index = JSON.parse(readFileSync(join(ociDir, 'index.json'), 'utf8')) as { manifests: unknown[] };
  assert.equal(index.manifests.length, 1);
  // Read as an OCI layout directly too.
  const ociInfo = JSON.parse(execFileSync('skopeo', ['inspect', '--config', `oci-archive:${a}`], { stdio: ['ignore', 'pipe', 'pipe'] }).toString()) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual(ociInfo.rootfs.diff_ids, want.RootFS.Layers);
  // skopeo's own archive loads: the id is the digest of the config skopeo wrote (it converts
  // the OCI config to Docker's), the layers are the same.
  const back = join(tmp, 'from-skopeo.tar');
  execFileSync('skopeo', ['copy', '-q', `oci:${ociDir}:berth-test`, `docker-archive:${back}:berth-test-sl:skopeo`]);
  const skFiles = await readArchive(readFileSync(back));
  const skManifest = JSON.parse(skFiles.get('manifest.json')!.toString()) as { Config: string }[];
  const l = await d.docker(['load', '-i', back]);
  assert.equal(l.code, 0, l.stderr);
  assert.equal(l.stdout, 'Loaded image: berth-test-sl:skopeo\n');
  const got = await inspect('berth-test-sl:skopeo');
  assert.equal(got.Id, sha(skFiles.get(skManifest[0]!.Config)!));
  assert.deepEqual(got.RootFS.Layers, want.RootFS.Layers);
  assert.equal((await d.docker(['run', '--rm', 'berth-test-sl:skopeo', 'cat', '/hello'])).stdout, 'hi\n');
  assert.equal((await d.docker(['rmi', 'berth-test-sl:skopeo'])).code, 0);
});

test('push of a committed image (no stored blob) to berth registry serve, then pull it back', async (t) => {
  const reg = new TestRegistry('berth');
  await reg.start();
  t.after(() => reg.stop());
  const name = `${reg.addr}/berth-test/committed:v1`;
  const want = await inspect('berth-test-sl:one');
  assert.equal((await d.docker(['tag', 'berth-test-sl:one', name])).code, 0);
  const p = await d.docker(['push', name]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /Pushed/);
  const again = await d.docker(['push', name]);
  assert.match(again.stdout, /Layer already exists/, again.stderr);
  assert.equal((await d.docker(['rmi', name])).code, 0);
  assert.equal((await d.docker(['rmi', 'berth-test-sl:one'])).code, 0);
  const pull = await d.docker(['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal((await inspect(name)).Id, want.Id);
  // A pull keeps no copy of the blobs: a pulled layer is saved from its tar-split record,
  // the exact tar (its sha256 is the diffID, checked as it streams).
  const top = sha(Buffer.from(`${want.RootFS.Layers[0]} ${want.RootFS.Layers[1]}`));
  const rec = join(d.dataRoot, 'layer', 'sha256', top.slice(7), 'tar-split.gz');
  assert.ok(existsSync(rec));
  const ref = join(tmp, 'pulled.tar');
  assert.equal((await d.docker(['save', '-o', ref, name])).code, 0);
  const listing = execFileSync('tar', ['-tf', ref], { encoding: 'utf8' });
  for (const l of want.RootFS.Layers) assert.match(listing, new RegExp(`blobs/sha256/${l.slice(7)}`));
  const upper = want.RootFS.Layers[1]!;
  execFileSync('tar', ['-xf', ref, '-C', tmp, `blobs/sha256/${upper.slice(7)}`]);
  assert.equal(sha(readFileSync(join(tmp, 'blobs', 'sha256', upper.slice(7)))), upper);
  assert.equal((await d.docker(['tag', name, 'berth-test-sl:one'])).code, 0);
  assert.equal((await d.docker(['rmi', name])).code, 0);
  await sleep(0);
});
