// Volumes and mounts against a real berthd, through the Engine API and the real docker CLI:
// every mount kind, Docker's errors for bad input, reference counting, anonymous volumes,
// and data that outlives containers, daemon restarts and kill -9 of berthd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, ensureBusyboxTar, eventually } from '../support/daemon.ts';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); });

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
async function fails(args: string[], message: string | RegExp): Promise<void> {
  const r = await d.docker(args);
  assert.notEqual(r.code, 0, `docker ${args.join(' ')} should fail`);
  if (typeof message === 'string') assert.ok(r.stderr.includes(message), `stderr: ${r.stderr}`);
  else assert.match(r.stderr, message);
}
const msg = (r: { json: unknown }): string => (r.json as { message: string }).message;
const volumeNames = async (): Promise<string[]> => (await ok(['volume', 'ls', '-q'])).split('\n').filter(Boolean);

test('the /volumes API: create, inspect, list with filters, remove, with Docker\'s shapes', async () => {
  const c = await d.api('POST', '/volumes/create', { Name: 'berth-test-api', Labels: { team: 'a' }, DriverOpts: {} });
  assert.equal(c.status, 201);
  const v = c.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  assert.equal(v.Mountpoint, join(d.dataRoot, 'volumes/berth-test-api/_data'));
  assert.ok(existsSync(v.Mountpoint as string));
  const i = await d.api('GET', '/volumes/berth-test-api');
  assert.deepEqual(i.json, v);
  const l = await d.api('GET', `/volumes?filters=${encodeURIComponent(JSON.stringify({ label: ['team=a'] }))}`);
  assert.deepEqual((l.json as { Volumes: { Name: string }[] }).Volumes.map((x) => x.Name), ['berth-test-api']);
  const none = await d.api('GET', `/volumes?filters=${encodeURIComponent(JSON.stringify({ label: ['team=b'] }))}`);
  assert.deepEqual((none.json as { Volumes: unknown[] }).Volumes, []);
  const bad = await d.api('GET', `/volumes?filters=${encodeURIComponent(JSON.stringify({ color: ['red'] }))}`);
  assert.equal(bad.status, 400);
  assert.equal(msg(bad), "invalid filter 'color'");
  assert.equal((await d.api('DELETE', '/volumes/berth-test-api')).status, 204);
  const gone = await d.api('GET', '/volumes/berth-test-api');
  assert.equal(gone.status, 404);
  assert.equal(msg(gone), 'get berth-test-api: no such volume');
  assert.equal((await d.api('DELETE', '/volumes/berth-test-api')).status, 404);
  assert.equal((await d.api('DELETE', '/volumes/berth-test-api?force=1')).status, 204);
});

test('bad input is a clear 4xx in Docker\'s wording and the daemon keeps serving', async () => {
  const cases: { body: unknown; status: number; re: RegExp }[] = [
    { body: { Name: '../../etc' }, status: 400, re: /^create \.\.\/\.\.\/etc: "\.\.\/\.\.\/etc" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed/ },
    { body: { Name: 'a' }, status: 400, re: /volume name is too short/ },
    { body: { Name: 'berth-test-drv', Driver: 'flocker' }, status: 404, re: /error looking up volume plugin flocker: plugin "flocker" not found/ },
    { body: { Name: 'berth-test-opt', DriverOpts: { colour: 'red' } }, status: 400, re: /^create berth-test-opt: invalid option: "colour"$/ },
    { body: { Name: 'berth-test-opt', DriverOpts: { type: 'tmpfs' } }, status: 400, re: /missing required option: "device"/ },
    { body: { Name: 42 }, status: 400, re: /Name must be a string/ },
    { body: '[1,2', status: 400, re: /invalid JSON/ },
  ];
  for (const c of cases) {
    const r = await d.api('POST', '/volumes/create', c.body);
    assert.equal(r.status, c.status, JSON.stringify(c.body));
    assert.match(msg(r), c.re);
  }
  assert.ok(!readdirSync(join(d.dataRoot, 'volumes')).some((n) => n !== '..' && /etc|drv|opt/.test(n)));
  assert.equal((await d.api('GET', '/_ping')).status, 200);
  const root = await d.docker(['run', '--rm', '-v', 'berth-test-x:/', 'busybox', 'true']);
  assert.notEqual(root.code, 0);
  assert.match(root.stderr, /invalid volume specification: 'berth-test-x:\/': invalid mount config for type "volume": invalid specification: destination can't be '\/'/);
  await fails(['run', '--rm', '-v', 'berth-test-x:/d', '-v', '/tmp:/d', 'busybox', 'true'], 'Duplicate mount point: /d');
  await fails(['run', '--rm', '-v', 'berth-test-x:/d', '--tmpfs', '/d', 'busybox', 'true'], 'Duplicate mount point: /d');
  await fails(['run', '--rm', '-v', '/tmp:/d:bogus', 'busybox', 'true'], 'invalid mode: bogus');
  await fails(['run', '--rm', '--mount', 'type=volume,source=bad/name,target=/d', 'busybox', 'true'], /includes invalid characters for a local volume name/);
  assert.ok(!(await volumeNames()).includes('berth-test-x'), 'nothing was created by a refused run');
  const shapes: Record<string, unknown>[] = [
    { Binds: 'x:/y' }, { Binds: [1] }, { VolumesFrom: 5 }, { Mounts: {} }, { Mounts: [{ Type: 'volume', Target: 7 }] }, { Mounts: ['x'] },
    { Tmpfs: ['/t'] }, { Tmpfs: { '/t': 1 } }, { VolumeDriver: 3 },
  ];
  for (const hc of shapes) {
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: hc });
    assert.equal(r.status, 400, JSON.stringify(hc));
  }
  const vr = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], Volumes: ['/x'] });
  assert.equal(vr.status, 400);
});

test('a named volume keeps its data across containers; in use it cannot be removed (409)', async () => {
  await ok(['run', '--name', 'berth-test-writer', '-v', 'berth-test-data:/data', 'busybox', 'sh', '-c', 'echo persisted > /data/file']);
  const rm = await d.api('DELETE', '/volumes/berth-test-data');
  assert.equal(rm.status, 409);
  const id = (await ok(['inspect', '-f', '{{.Id}}', 'berth-test-writer'])).trim();
  assert.equal(msg(rm), `remove berth-test-data: volume is in use - [${id}]`);
  await fails(['volume', 'rm', 'berth-test-data'], 'volume is in use');
  // A stopped container still holds it, and prune --all leaves it alone.
  await ok(['volume', 'prune', '-af']);
  assert.ok((await volumeNames()).includes('berth-test-data'));
  const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', 'berth-test-writer'])) as unknown[];
  assert.deepEqual(mounts, [{
    Type: 'volume', Name: 'berth-test-data', Source: join(d.dataRoot, 'volumes/berth-test-data/_data'), Destination: '/data',
    Driver: 'local', Mode: 'z', RW: true, Propagation: '',
  }]);
  assert.equal((await ok(['ps', '-a', '--filter', 'volume=berth-test-data', '--format', '{{.Names}} {{.Mounts}} {{.LocalVolumes}}'])).trim(), 'berth-test-writer berth-test-data 1');
  assert.equal((await ok(['ps', '-a', '--filter', 'volume=/data', '--format', '{{.Names}}'])).trim(), 'berth-test-writer');
  await ok(['rm', '-v', 'berth-test-writer']);
  assert.ok((await volumeNames()).includes('berth-test-data'), 'rm -v never removes a named volume');
  assert.equal((await ok(['run', '--rm', '-v', 'berth-test-data:/d:ro', 'busybox', 'cat', '/d/file'])).trim(), 'persisted');
  await fails(['run', '--rm', '-v', 'berth-test-data:/d:ro', 'busybox', 'touch', '/d/x'], /Read-only file system/);
  await ok(['volume', 'rm', 'berth-test-data']);
});

test('bind mounts: -v makes a missing host path, --mount refuses one, ro and propagation', async () => {
  const host = join(d.dir, 'berth-test-bind', 'made');
  assert.equal((await ok(['run', '--rm', '-v', `${host}:/h`, 'busybox', 'sh', '-c', 'echo from-container > /h/out; cat /h/out'])).trim(), 'from-container');
  assert.equal(readFileSync(join(host, 'out'), 'utf8'), 'from-container\n');
  const missing = join(d.dir, 'berth-test-nope');
  await fails(['run', '--rm', '--mount', `type=bind,source=${missing},target=/h`, 'busybox', 'true'],
    `invalid mount config for type "bind": bind source path does not exist: ${missing}`);
  assert.ok(!existsSync(missing));
  await fails(['run', '--rm', '--mount', `type=bind,source=${host},target=/h,readonly`, 'busybox', 'touch', '/h/x'], /Read-only file system/);
  await fails(['run', '--rm', '-v', `${host}:/h:ro`, 'busybox', 'touch', '/h/x'], /Read-only file system/);
  await ok(['create', '--name', 'berth-test-bindinfo', '--mount', `type=bind,source=${host},target=/h,bind-propagation=rslave`, '-v', `${host}:/v:ro,z`, 'busybox', 'true']);
  const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', 'berth-test-bindinfo'])) as unknown[];
  assert.deepEqual(mounts, [
    { Type: 'bind', Source: host, Destination: '/h', Mode: '', RW: true, Propagation: 'rslave' },
    { Type: 'bind', Source: host, Destination: '/v', Mode: 'ro,z', RW: false, Propagation: 'rprivate' },
  ]);
  await ok(['start', '-a', 'berth-test-bindinfo']);
  await ok(['rm', 'berth-test-bindinfo']);
  assert.ok(existsSync(join(host, 'out')), 'removing a container never touches a bind source');
});

test('tmpfs: --tmpfs and --mount type=tmpfs with size and mode', async () => {
  const out = await ok(['run', '--rm', '--tmpfs', '/t1:size=2m', '--mount', 'type=tmpfs,target=/t2,tmpfs-size=1048576,tmpfs-mode=1770',
    'busybox', 'sh', '-c', 'df -k /t1 /t2 | tail -2; stat -c %a /t2']);
  const lines = out.trim().split('\n');
  assert.match(lines[0]!, /^tmpfs\s+2048\s/);
  assert.match(lines[1]!, /^tmpfs\s+1024\s/);
  assert.equal(lines[2], '1770');
  await fails(['run', '--rm', '--tmpfs', '/t:bogus=1', 'busybox', 'true'], /invalid tmpfs option/);
});

test('anonymous volumes: -v /path and image VOLUME; filled from the image; rm -v and --rm remove only them', async () => {
  // An image with a VOLUME whose content must be copied into the new volume.
  await ok(['import', '--change', 'VOLUME /etc', ensureBusyboxTar(), 'berth-test-volimg']);
  await ok(['create', '--name', 'berth-test-anon', '-v', '/scratch', '-v', 'berth-test-keep:/keep', 'berth-test-volimg', 'true']);
  const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', 'berth-test-anon'])) as { Name: string; Destination: string }[];
  assert.deepEqual(mounts.map((m) => m.Destination), ['/etc', '/keep', '/scratch']);
  const anon = mounts.filter((m) => m.Destination !== '/keep').map((m) => m.Name);
  for (const n of anon) assert.match(n, /^[0-9a-f]{64}$/);
  const labels = JSON.parse(await ok(['volume', 'inspect', '-f', '{{json .Labels}}', anon[0]!])) as Record<string, string>;
  assert.deepEqual(labels, { 'com.docker.volume.anonymous': '' });
  await ok(['start', '-a', 'berth-test-anon']);
  const etcVol = mounts.find((m) => m.Destination === '/etc')!.Name;
  assert.ok(readFileSync(join(d.dataRoot, 'volumes', etcVol, '_data/passwd'), 'utf8').includes('root:'), 'image content copied into the new volume');
  // nocopy leaves a new volume empty.
  await ok(['run', '--rm', '--mount', 'type=volume,source=berth-test-nocopy,target=/etc,volume-nocopy', 'busybox', 'true']);
  assert.ok(!existsSync(join(d.dataRoot, 'volumes/berth-test-nocopy/_data/passwd')));
  await ok(['rm', '-v', 'berth-test-anon']);
  let names = await volumeNames();
  for (const n of anon) assert.ok(!names.includes(n), 'rm -v removed the anonymous volumes');
  assert.ok(names.includes('berth-test-keep'));
  // --rm: anonymous volumes go with the container, named ones stay.
  await ok(['run', '--rm', '-v', '/tmpdata', '-v', 'berth-test-keep:/keep', 'busybox', 'sh', '-c', 'echo a > /tmpdata/x']);
  names = await volumeNames();
  assert.deepEqual(names.filter((n) => /^[0-9a-f]{64}$/.test(n)), []);
  // rm without -v leaves the anonymous volume, and prune (default: anonymous only) takes it.
  await ok(['run', '--name', 'berth-test-leave', '-v', '/left', 'busybox', 'true']);
  await ok(['rm', 'berth-test-leave']);
  const left = (await volumeNames()).filter((n) => /^[0-9a-f]{64}$/.test(n));
  assert.equal(left.length, 1);
  const pruned = await ok(['volume', 'prune', '-f']);
  assert.match(pruned, new RegExp(left[0]!));
  assert.ok((await volumeNames()).includes('berth-test-keep'), 'prune without --all keeps named volumes');
  // API < 1.42 clients get the old behaviour: every unused volume.
  await ok(['volume', 'create', 'berth-test-oldapi']);
  const old = await d.api('POST', '/v1.41/volumes/prune');
  const deleted = (old.json as { VolumesDeleted: string[] }).VolumesDeleted;
  assert.ok(deleted.includes('berth-test-oldapi') && deleted.includes('berth-test-keep'), JSON.stringify(deleted));
  await ok(['rmi', 'berth-test-volimg']);
});

test('--volumes-from shares a container\'s volumes, read-only when asked', async () => {
  await ok(['create', '--name', 'berth-test-store', '-v', 'berth-test-shared:/shared', '-v', '/anon', 'busybox', 'true']);
  await ok(['run', '--rm', '--volumes-from', 'berth-test-store', 'busybox', 'sh', '-c', 'echo shared > /shared/f; echo a > /anon/f']);
  assert.equal((await ok(['run', '--rm', '--volumes-from', 'berth-test-store:ro', 'busybox', 'cat', '/shared/f', '/anon/f'])).trim(), 'shared\na');
  await fails(['run', '--rm', '--volumes-from', 'berth-test-store:ro', 'busybox', 'touch', '/shared/g'], /Read-only file system/);
  const missing = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { VolumesFrom: ['berth-test-nosuch'] } });
  assert.equal(missing.status, 404);
  assert.equal(msg(missing), 'No such container: berth-test-nosuch');
  const badMode = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { VolumesFrom: ['berth-test-store:rshared'] } });
  assert.equal(badMode.status, 400);
  assert.equal(msg(badMode), 'invalid mode: rshared');
  await ok(['rm', '-v', 'berth-test-store']);
  await ok(['volume', 'rm', 'berth-test-shared']);
});

test('a volume with driver options (tmpfs) is mounted while used and emits volume events', async () => {
  const since = Math.floor(Date.now() / 1000);
  await ok(['volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=3m', 'berth-test-tmpvol']);
  const inspected = JSON.parse(await ok(['volume', 'inspect', 'berth-test-tmpvol'])) as { Options: Record<string, string> }[];
  assert.deepEqual(inspected[0]!.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=3m' });
  const df = await ok(['run', '--rm', '-v', 'berth-test-tmpvol:/m', 'busybox', 'df', '-k', '/m']);
  assert.match(df, /\s3072\s/);
  const path = join(d.dataRoot, 'volumes/berth-test-tmpvol/_data');
  assert.ok(await eventually(() => !readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${path} `)), 'unmounted after the container stopped');
  await ok(['volume', 'rm', 'berth-test-tmpvol']);
  const ev = await ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'volume=berth-test-tmpvol', '--format', '{{.Action}} {{.Actor.ID}}']);
  assert.deepEqual(ev.trim().split('\n'), ['create berth-test-tmpvol', 'mount berth-test-tmpvol', 'unmount berth-test-tmpvol', 'destroy berth-test-tmpvol']);
});

test('a bind-type local volume (type=none,o=bind,device=DIR) shows the host directory; removing it keeps the host data', async () => {
  const hostDir = join(d.dir, 'berth-test-devdir');
  mkdirSync(hostDir, { recursive: true });
  writeFileSync(join(hostDir, 'keep'), 'precious');
  await ok(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${hostDir}`, 'berth-test-bindvol']);
  assert.equal((await ok(['run', '--rm', '-v', 'berth-test-bindvol:/m', 'busybox', 'sh', '-c', 'cat /m/keep; echo new > /m/written'])).trim(), 'precious');
  assert.equal(readFileSync(join(hostDir, 'written'), 'utf8'), 'new\n');
  await ok(['volume', 'rm', 'berth-test-bindvol']);
  assert.equal(readFileSync(join(hostDir, 'keep'), 'utf8'), 'precious', 'the device directory survives the volume');
  // A mount that fails is reported at start, and the container is not left half-started.
  await ok(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${join(d.dir, 'berth-test-nodir')}`, 'berth-test-badvol']);
  await fails(['run', '--rm', '-v', 'berth-test-badvol:/m', 'busybox', 'true'], /error while mounting volume '.*berth-test-badvol\/_data': failed to mount local volume/);
  await ok(['volume', 'rm', 'berth-test-badvol']);
});

test('volume data and references survive a daemon restart and kill -9 of berthd', async () => {
  await ok(['run', '-d', '--name', 'berth-test-durable', '-v', 'berth-test-durable:/data', 'busybox', 'sh', '-c', 'echo one > /data/f; sync; sleep 300']);
  assert.ok(await eventually(async () => (await d.docker(['exec', 'berth-test-durable', 'cat', '/data/f'])).stdout.trim() === 'one'));
  await d.kill9();
  await d.start();
  assert.equal((await ok(['exec', 'berth-test-durable', 'cat', '/data/f'])).trim(), 'one', 'the running container still sees its volume');
  await fails(['volume', 'rm', 'berth-test-durable'], 'volume is in use');
  await d.stopDaemon();
  await d.start();
  await fails(['volume', 'rm', 'berth-test-durable'], 'volume is in use');
  await ok(['rm', '-f', '-v', 'berth-test-durable']);
  await d.kill9();
  await d.start();
  assert.equal((await ok(['run', '--rm', '-v', 'berth-test-durable:/d', 'busybox', 'cat', '/d/f'])).trim(), 'one');
  await ok(['volume', 'rm', 'berth-test-durable']);
  assert.ok(!existsSync(join(d.dataRoot, 'volumes/berth-test-durable')));
});

test('system df reports volume sizes and reference counts', async () => {
  await ok(['run', '--name', 'berth-test-df', '-v', 'berth-test-dfvol:/data', 'busybox', 'sh', '-c', 'head -c 100000 /dev/zero > /data/f']);
  await ok(['volume', 'create', 'berth-test-dfempty']);
  const r = await d.api('GET', '/system/df?type=volume');
  assert.equal(r.status, 200);
  const body = r.json as { Volumes: { Name: string; UsageData: { Size: number; RefCount: number } }[]; Images?: unknown };
  assert.equal(body.Images, undefined, 'type=volume answers only volumes');
  const byName = Object.fromEntries(body.Volumes.map((v) => [v.Name, v.UsageData]));
  assert.deepEqual(byName['berth-test-dfvol'], { Size: 100000, RefCount: 1 });
  assert.deepEqual(byName['berth-test-dfempty'], { Size: 0, RefCount: 0 });
  const df = await ok(['system', 'df', '-v']);
  assert.match(df, /Local Volumes space usage:\n\nVOLUME NAME\s+LINKS\s+SIZE\n/);
  assert.match(df, /berth-test-dfvol\s+1\s+100kB/);
  assert.match(df, /berth-test-dfempty\s+0\s+0B/);
  assert.equal((await d.api('GET', '/system/df?type=bogus')).status, 400);
  await ok(['rm', 'berth-test-df']);
  await ok(['volume', 'rm', 'berth-test-dfvol', 'berth-test-dfempty']);
});

test('a crash mid-creation or mid-removal leaves no half volume after restart', async () => {
  await d.stopDaemon();
  mkdirSync(join(d.dataRoot, 'volumes/.tmp-deadbeef/_data'), { recursive: true });
  mkdirSync(join(d.dataRoot, 'volumes/.rm-berth-test-old-0000/_data'), { recursive: true });
  writeFileSync(join(d.dataRoot, 'volumes/.rm-berth-test-old-0000/_data/x'), 'x');
  await d.start();
  assert.deepEqual(readdirSync(join(d.dataRoot, 'volumes')).filter((n) => n.startsWith('.')), []);
  assert.deepEqual((await volumeNames()).filter((n) => n.includes('old') || n.includes('dead')), []);
});
