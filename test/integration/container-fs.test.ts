// The container filesystem against a real berthd: docker cp both ways (running, stopped and
// never-started containers, volumes, binds, tmpfs, -a, -L), docker diff, docker export, the
// archive API's stat header and errors, berth's own cp/diff/export, and the attacks of the
// CVE-2018-15664 class: symlinks a container plants must not lead a copy to the host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tarStream from 'tar-stream';
import { BUSYBOX_TAR, ROOT, TestDaemon } from '../support/daemon.ts';

const d = new TestDaemon();
const tmp = mkdtempSync('/tmp/berth-test-cpfs-');
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); rmSync(tmp, { recursive: true, force: true }); });

async function ok(args: string[], which: 'docker' | 'berth' = 'docker', input?: string): Promise<string> {
  const r = await d.cli(which, args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `${which} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
async function fails(args: string[], re: RegExp, which: 'docker' | 'berth' = 'docker'): Promise<void> {
  const r = await d.cli(which, args);
  assert.notEqual(r.code, 0, `${which} ${args.join(' ')} should fail`);
  assert.match(r.stderr, re);
}
const sh = (cmd: string): string => execFileSync('bash', ['-c', cmd], { env: { ...process.env, DOCKER_HOST: d.host } }).toString();

function tarOf(entries: { name: string; type?: 'file' | 'symlink' | 'directory' | 'link'; body?: string; linkname?: string }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) {
    const h = { name: e.name, type: e.type ?? 'file', mode: e.type === 'directory' ? 0o755 : 0o644, ...(e.linkname ? { linkname: e.linkname } : {}) };
    if ((e.type ?? 'file') === 'file') pack.entry(h, e.body ?? ''); else pack.entry(h);
  }
  pack.finalize();
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => { chunks.push(c as Buffer); }); pack.on('end', () => res(Buffer.concat(chunks))); pack.on('error', rej);
  });
}

test('docker cp both ways on a running container: files, directories, dir/. and stdin/stdout tars', async () => {
  await ok(['run', '-d', '--name', 'berth-test-cp-run', 'busybox', 'sh', '-c', 'mkdir -p /data/sub && echo inner > /data/sub/f && echo top > /data/t && ln -s /data /dlink && sleep 300']);
  writeFileSync(join(tmp, 'up.txt'), 'uploaded\n');
  await ok(['cp', join(tmp, 'up.txt'), 'berth-test-cp-run:/tmp/']);
  assert.equal(await ok(['exec', 'berth-test-cp-run', 'cat', '/tmp/up.txt']), 'uploaded\n');
  await ok(['cp', join(tmp, 'up.txt'), 'berth-test-cp-run:/tmp/renamed.txt']);
  assert.equal(await ok(['exec', 'berth-test-cp-run', 'cat', '/tmp/renamed.txt']), 'uploaded\n');
  // A directory out, to a new name and into an existing directory; its contents with "/.".
  await ok(['cp', 'berth-test-cp-run:/data', join(tmp, 'data-new')]);
  assert.equal(readFileSync(join(tmp, 'data-new/sub/f'), 'utf8'), 'inner\n');
  mkdirSync(join(tmp, 'into'));
  await ok(['cp', 'berth-test-cp-run:/data', join(tmp, 'into')]);
  assert.equal(readFileSync(join(tmp, 'into/data/t'), 'utf8'), 'top\n');
  mkdirSync(join(tmp, 'contents'));
  await ok(['cp', 'berth-test-cp-run:/data/.', join(tmp, 'contents')]);
  assert.equal(readFileSync(join(tmp, 'contents/sub/f'), 'utf8'), 'inner\n');
  // A local directory in, under a new name.
  mkdirSync(join(tmp, 'localdir/deep'), { recursive: true });
  writeFileSync(join(tmp, 'localdir/deep/x'), 'x\n');
  await ok(['cp', join(tmp, 'localdir'), 'berth-test-cp-run:/newdir']);
  assert.equal(await ok(['exec', 'berth-test-cp-run', 'cat', '/newdir/deep/x']), 'x\n');
  // "-" streams a tar either way.
  const listing = sh('docker cp berth-test-cp-run:/data - | tar -t | sort');
  assert.equal(listing, 'data/\ndata/sub/\ndata/sub/f\ndata/t\n');
  // "link/" follows the link and keeps the asked name, as moby rebases.
  assert.equal(sh('docker cp berth-test-cp-run:/dlink/ - | tar -t | sort'), 'dlink/\ndlink/sub/\ndlink/sub/f\ndlink/t\n');
  assert.equal(sh('docker cp berth-test-cp-run:/dlink - | tar -tv').split(/\s+/)[0], 'lrwxrwxrwx', 'without the slash the link itself');
  sh(`tar -c -C ${tmp} up.txt | docker cp - berth-test-cp-run:/data/sub`);
  assert.equal(await ok(['exec', 'berth-test-cp-run', 'cat', '/data/sub/up.txt']), 'uploaded\n');
  await fails(['cp', 'berth-test-cp-run:/nope', tmp], /Could not find the file \/nope in container berth-test-cp-run/);
  await fails(['cp', join(tmp, 'up.txt'), 'berth-test-cp-run:/nodir/sub/'], /Could not find the file|no such directory/);
  await ok(['rm', '-f', 'berth-test-cp-run']);
});

test('docker cp into and out of stopped and never-started containers, volumes and binds', async () => {
  const bind = join(tmp, 'bind');
  mkdirSync(bind);
  writeFileSync(join(bind, 'from-host'), 'bound\n');
  await ok(['create', '--name', 'berth-test-cp-created', '-v', 'berth-test-cpvol:/vol', '-v', `${bind}:/bind`, '-v', `${join(bind, 'from-host')}:/etc/bound-file`,
    'busybox', 'sh', '-c', 'cat /in /vol/v']);
  writeFileSync(join(tmp, 'file'), 'before start\n');
  writeFileSync(join(tmp, 'v'), 'in volume\n');
  await ok(['cp', join(tmp, 'v'), 'berth-test-cp-created:/vol/v']);
  await ok(['cp', join(tmp, 'file'), 'berth-test-cp-created:/in']);
  assert.equal(await ok(['start', '-a', 'berth-test-cp-created']), 'before start\nin volume\n');
  // Out of a bind mount of a container that never ran.
  await ok(['cp', 'berth-test-cp-created:/bind/from-host', join(tmp, 'got-bind')]);
  assert.equal(readFileSync(join(tmp, 'got-bind'), 'utf8'), 'bound\n');
  // The mount destinations themselves: a directory bind and a file bind over its mountpoint.
  await ok(['cp', 'berth-test-cp-created:/bind', join(tmp, 'got-bind-dir')]);
  assert.equal(readFileSync(join(tmp, 'got-bind-dir/from-host'), 'utf8'), 'bound\n');
  await ok(['cp', 'berth-test-cp-created:/etc/bound-file', join(tmp, 'got-bind-file')]);
  assert.equal(readFileSync(join(tmp, 'got-bind-file'), 'utf8'), 'bound\n');
  await ok(['rm', 'berth-test-cp-created']);
  // The volume kept what was copied into it while no container ran.
  assert.equal(await ok(['run', '--rm', '-v', 'berth-test-cpvol:/x', 'busybox', 'cat', '/x/v']), 'in volume\n');
  // A stopped container: its rootfs is mounted for the copy and unmounted after.
  await ok(['run', '--name', 'berth-test-cp-stopped', '-v', 'berth-test-cpvol:/vol', 'busybox', 'sh', '-c', 'echo made > /made; echo vol2 > /vol/v2']);
  await ok(['cp', 'berth-test-cp-stopped:/made', join(tmp, 'made')]);
  assert.equal(readFileSync(join(tmp, 'made'), 'utf8'), 'made\n');
  await ok(['cp', 'berth-test-cp-stopped:/vol/v2', join(tmp, 'v2')]);
  assert.equal(readFileSync(join(tmp, 'v2'), 'utf8'), 'vol2\n');
  await ok(['cp', 'berth-test-cp-stopped:/vol', join(tmp, 'vol-out')]);
  assert.deepEqual(readdirSync(join(tmp, 'vol-out')).sort(), ['v', 'v2'], 'the volume, not its empty mountpoint');
  // A volume below the copied directory is included too, as in Docker's mounted view.
  const rootList = sh('docker cp berth-test-cp-stopped:/ - | tar -tP').split('\n');
  assert.ok(rootList.includes('/vol/v2') && rootList.includes('/bin/busybox'), 'root archive has the rootfs and the volume');
  await ok(['run', '--name', 'berth-test-cp-nested', '-v', 'berth-test-cpvol:/data/vol', 'busybox', 'sh', '-c', 'echo outer > /data/outer']);
  await ok(['cp', 'berth-test-cp-nested:/data', join(tmp, 'nested')]);
  assert.equal(readFileSync(join(tmp, 'nested/outer'), 'utf8'), 'outer\n');
  assert.equal(readFileSync(join(tmp, 'nested/vol/v2'), 'utf8'), 'vol2\n');
  await ok(['rm', 'berth-test-cp-nested']);
  await ok(['cp', join(tmp, 'file'), 'berth-test-cp-stopped:/later']);
  const id = (await ok(['inspect', '-f', '{{.Id}}', 'berth-test-cp-stopped'])).trim();
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(`/overlay2/${id}/merged`), 'the stopped container\'s rootfs is unmounted after the copy');
  await ok(['start', 'berth-test-cp-stopped']);
  await ok(['wait', 'berth-test-cp-stopped']);
  await ok(['cp', 'berth-test-cp-stopped:/later', join(tmp, 'later')]);
  assert.equal(readFileSync(join(tmp, 'later'), 'utf8'), 'before start\n');
  await ok(['rm', '-f', 'berth-test-cp-stopped']);
  await ok(['volume', 'rm', 'berth-test-cpvol']);
});

test('a running container is seen through its own mounts: tmpfs content is copied', async () => {
  await ok(['run', '-d', '--name', 'berth-test-cp-tmpfs', '--tmpfs', '/scratch', 'busybox', 'sh', '-c', 'echo in-tmpfs > /scratch/f; sleep 300']);
  for (let i = 0; i < 50 && (await d.cli('docker', ['exec', 'berth-test-cp-tmpfs', 'test', '-f', '/scratch/f'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  await ok(['cp', 'berth-test-cp-tmpfs:/scratch/f', join(tmp, 'tmpfs-f')]);
  assert.equal(readFileSync(join(tmp, 'tmpfs-f'), 'utf8'), 'in-tmpfs\n');
  await ok(['rm', '-f', 'berth-test-cp-tmpfs']);
});

test('-a keeps the container user as owner; -L follows a symlink in the source', async () => {
  await ok(['run', '-d', '--name', 'berth-test-cp-a', '--user', '1234:5678', 'busybox', 'sh', '-c', 'ln -s /etc/passwd /tmp/pw; sleep 300']);
  writeFileSync(join(tmp, 'owned'), 'o\n');
  await ok(['cp', '-a', join(tmp, 'owned'), 'berth-test-cp-a:/tmp/owned-a']);
  await ok(['cp', join(tmp, 'owned'), 'berth-test-cp-a:/tmp/owned-plain']);
  assert.equal((await ok(['exec', 'berth-test-cp-a', 'stat', '-c', '%u:%g', '/tmp/owned-a'])).trim(), '1234:5678');
  assert.equal((await ok(['exec', 'berth-test-cp-a', 'stat', '-c', '%u:%g', '/tmp/owned-plain'])).trim(), '0:0');
  await ok(['cp', 'berth-test-cp-a:/tmp/pw', join(tmp, 'pw-link')]);
  assert.ok(lstatSync(join(tmp, 'pw-link')).isSymbolicLink());
  assert.equal(readlinkSync(join(tmp, 'pw-link')), '/etc/passwd');
  await ok(['cp', '-L', 'berth-test-cp-a:/tmp/pw', join(tmp, 'pw-file')]);
  assert.ok(lstatSync(join(tmp, 'pw-file')).isFile());
  assert.match(readFileSync(join(tmp, 'pw-file'), 'utf8'), /^root:x:0:0:/);
  await ok(['rm', '-f', 'berth-test-cp-a']);
});

test('docker diff lists A, C and D like Docker; docker export streams the rootfs', async () => {
  await ok(['run', '--name', 'berth-test-diff', 'busybox', 'sh', '-c', 'echo hi > /tmp/hi; rm /bin/ls; mkdir -p /newdir/sub; echo x >> /etc/passwd']);
  assert.equal(await ok(['diff', 'berth-test-diff']), 'C /bin\nD /bin/ls\nC /etc\nC /etc/passwd\nA /newdir\nA /newdir/sub\nC /tmp\nA /tmp/hi\n');
  assert.equal(await ok(['diff', 'berth-test-diff'], 'berth'), 'C /bin\nD /bin/ls\nC /etc\nC /etc/passwd\nA /newdir\nA /newdir/sub\nC /tmp\nA /tmp/hi\n');
  const names = sh('docker export berth-test-diff | tar -t').split('\n');
  for (const n of ['bin/', 'bin/busybox', 'etc/passwd', 'tmp/hi', 'newdir/sub/']) assert.ok(names.includes(n), `export lists ${n}`);
  assert.ok(!names.includes('bin/ls'), 'a deleted file is not exported');
  assert.ok(!names.some((n) => n.startsWith('./') || n.startsWith('/')), 'entries are relative, like Docker\'s');
  await ok(['export', '-o', join(tmp, 'exp.tar'), 'berth-test-diff'], 'berth');
  assert.ok(sh(`tar -tf ${join(tmp, 'exp.tar')}`).split('\n').includes('tmp/hi'));
  await ok(['run', '-d', '--name', 'berth-test-exp-run', 'busybox', 'sleep', '300']);
  assert.ok(sh('docker export berth-test-exp-run | tar -t').split('\n').includes('bin/busybox'));
  assert.equal(await ok(['diff', 'berth-test-exp-run']), '', 'a fresh container has no changes');
  await ok(['rm', '-f', 'berth-test-diff', 'berth-test-exp-run']);
});

test('the engine\'s mount points come from a shared init lower: a fresh upper dir stays empty; an image whose /etc is a symlink still works', async () => {
  const id = (await ok(['run', '-d', '--name', 'berth-test-init', 'busybox', 'sleep', '300'])).trim();
  const upper = join(d.dataRoot, 'overlay2', id, 'diff');
  if (existsSync(upper)) assert.deepEqual(readdirSync(upper), [], 'nothing created in the upper dir at start');
  else console.log('# not overlay2: no upper dir to check');
  const out = await ok(['run', '--rm', '--hostname', 'berth-test-h0', 'busybox', 'sh', '-c', 'stat -c %a /etc; cat /etc/hostname; ls /etc']);
  assert.equal(out, '755\nberth-test-h0\ngroup\nhostname\nhosts\npasswd\nresolv.conf\n');
  // /etc as a symlink: the shared lower (a real /etc) must not hide it.
  const rootfs = join(tmp, 'etclink');
  mkdirSync(rootfs);
  sh(`tar -C ${rootfs} -xf ${BUSYBOX_TAR} && mv ${rootfs}/etc ${rootfs}/usr-etc && ln -s usr-etc ${rootfs}/etc && tar -C ${rootfs} -cf ${rootfs}.tar .`);
  await ok(['import', `${rootfs}.tar`, 'berth-test-etclink:1']);
  const r = await ok(['run', '--rm', '--hostname', 'berth-test-h', 'berth-test-etclink:1', 'sh', '-c', 'readlink /etc; cat /etc/hostname; cat /etc/passwd | head -1']);
  assert.equal(r, 'usr-etc\nberth-test-h\nroot:x:0:0:root:/root:/bin/sh\n');
  await ok(['rm', '-f', 'berth-test-init']);
  await ok(['rmi', 'berth-test-etclink:1']);
});

test('the archive API: HEAD stat header, errors in Docker\'s wording', async () => {
  await ok(['run', '-d', '--name', 'berth-test-api', '--read-only', '-v', 'berth-test-rovol:/ro:ro', '-v', 'berth-test-rwvol:/rw',
    'busybox', 'sh', '-c', 'sleep 300']);
  const h = await d.api('HEAD', '/containers/berth-test-api/archive?path=/bin/sh');
  assert.equal(h.status, 200);
  const stat = JSON.parse(Buffer.from(String(h.headers['x-docker-container-path-stat']), 'base64').toString()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(stat), ['name', 'size', 'mode', 'mtime', 'linkTarget']);
  assert.equal(stat.name, 'sh');
  assert.equal(stat.mode, 2 ** 27 + 0o777, 'a symlink in Go FileMode bits');
  assert.equal(stat.linkTarget, '/bin/busybox');
  assert.match(String(stat.mtime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const dir = await d.api('HEAD', '/containers/berth-test-api/archive?path=/etc/');
  const ds = JSON.parse(Buffer.from(String(dir.headers['x-docker-container-path-stat']), 'base64').toString()) as Record<string, unknown>;
  assert.equal(ds.name, 'etc');
  assert.equal(Number(ds.mode) >= 2 ** 31, true);
  assert.equal((await d.api('HEAD', '/containers/berth-test-api/archive?path=/nope')).status, 404);
  const noPath = await d.api('GET', '/containers/berth-test-api/archive');
  assert.equal(noPath.status, 400);
  assert.match(noPath.body, /path cannot be empty/);
  const missing = await d.api('GET', '/containers/berth-test-api/archive?path=/nope');
  assert.equal(missing.status, 404);
  assert.match(missing.body, /Could not find the file \/nope in container berth-test-api/);
  const noCtr = await d.api('GET', '/containers/berth-test-nope/archive?path=/');
  assert.equal(noCtr.status, 404);
  const tar = await tarOf([{ name: 'f', body: 'x' }]);
  const put = (path: string): Promise<{ status: number; body: string }> => d.api('PUT', `/containers/berth-test-api/archive?path=${encodeURIComponent(path)}`, tar, { 'Content-Type': 'application/x-tar' });
  let r = await put('/tmp');
  assert.equal(r.status, 400);
  assert.match(r.body, /container rootfs is marked read-only/);
  r = await put('/ro');
  assert.equal(r.status, 400);
  assert.match(r.body, /mounted volume is marked read-only/);
  r = await put('/etc/passwd');
  assert.equal(r.status, 400);
  assert.match(r.body, /extraction point is not a directory/);
  r = await put('/rw');
  assert.equal(r.status, 200, r.body);
  assert.equal(await ok(['exec', 'berth-test-api', 'cat', '/rw/f']), 'x');
  await ok(['rm', '-f', '-v', 'berth-test-api']);
  await ok(['volume', 'rm', 'berth-test-rovol', 'berth-test-rwvol']);
});

test('attacks: planted symlinks never lead a copy to the host (running and stopped)', async () => {
  const marker = join(tmp, 'host-marker');
  writeFileSync(marker, 'HOST SECRET\n');
  const plant = `ln -s / /evil; ln -s ../../../../../../../ /tmp/dotdot; ln -s ${tmp} /hostpath; mkdir -p ${tmp}; echo container-copy > ${marker}; mkdir /target`;
  await ok(['run', '-d', '--name', 'berth-test-evil', 'busybox', 'sh', '-c', `${plant}; sleep 300`]);
  await ok(['run', '--name', 'berth-test-evil-stopped', 'busybox', 'sh', '-c', plant]);
  for (const ctr of ['berth-test-evil', 'berth-test-evil-stopped']) {
    for (let i = 0; i < 50 && (await d.api('HEAD', `/containers/${ctr}/archive?path=/target`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    // Reads: every route to the host's file ends at the container's own copy or nowhere.
    for (const p of [`/evil${marker}`, `/tmp/dotdot${marker}`, `/hostpath/host-marker`, `/evil/../../..${marker}`]) {
      const out = join(tmp, `read-${ctr}-${p.replace(/\W/g, '_')}`);
      const r = await d.cli('docker', ['cp', `${ctr}:${p}`, out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readFileSync(out, 'utf8'), 'container-copy\n', `${ctr}:${p} is the container's file`);
    }
    const shadow = await d.cli('docker', ['cp', `${ctr}:/evil/etc/shadow`, join(tmp, 'shadow')]);
    assert.notEqual(shadow.code, 0, 'busybox has no /etc/shadow; the host\'s is never read');
    assert.ok(!existsSync(join(tmp, 'shadow')));
    // Writes through the planted links land inside the container.
    writeFileSync(join(tmp, 'pwned'), 'pwned\n');
    for (const dest of ['/evil/tmp/', '/tmp/dotdot/tmp/', '/hostpath/']) {
      const r = await d.cli('docker', ['cp', join(tmp, 'pwned'), `${ctr}:${dest}`]);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(readFileSync(marker, 'utf8'), 'HOST SECRET\n');
    assert.ok(!existsSync('/tmp/pwned'), 'nothing written to the host\'s /tmp');
    // Tars that climb out of the target are refused, and write nothing.
    const put = async (entries: Parameters<typeof tarOf>[0]): Promise<{ status: number; body: string }> =>
      d.api('PUT', `/containers/${ctr}/archive?path=/target`, await tarOf(entries), { 'Content-Type': 'application/x-tar' });
    const m = (x: { body: string }): string => (JSON.parse(x.body) as { message: string }).message;
    let r = await put([{ name: '../../../../tmp/berth-test-pwned-dotdot', body: 'x' }]);
    assert.equal(r.status, 400, r.body);
    assert.match(m(r), /is outside of "\/target"/);
    r = await put([{ name: '/tmp/berth-test-pwned-abs', body: 'x' }]);
    assert.equal(r.status, 400);
    r = await put([{ name: 'l', type: 'symlink', linkname: '/' }, { name: 'l/tmp/berth-test-pwned-link', body: 'x' }]);
    assert.equal(r.status, 400);
    assert.match(m(r), /"l\/tmp\/berth-test-pwned-link" is outside of "\/target"/);
    r = await put([{ name: 'up', type: 'symlink', linkname: '../../../..' }]);
    assert.equal(r.status, 400);
    assert.match(r.body, /invalid symlink/);
    r = await put([{ name: 'hl', type: 'link', linkname: '../etc/passwd' }]);
    assert.equal(r.status, 400);
    assert.match(r.body, /invalid hardlink/);
    for (const f of ['berth-test-pwned-dotdot', 'berth-test-pwned-abs', 'berth-test-pwned-link']) assert.ok(!existsSync(join('/tmp', f)), f);
    // A well-behaved tar still works after the refusals.
    r = await put([{ name: 'ok/', type: 'directory' }, { name: 'ok/file', body: 'fine' }]);
    assert.equal(r.status, 200, r.body);
  }
  await ok(['start', 'berth-test-evil-stopped']);
  assert.equal(await ok(['exec', 'berth-test-evil', 'cat', '/target/ok/file']), 'fine');
  assert.equal(await ok(['exec', 'berth-test-evil', 'cat', '/tmp/pwned']), 'pwned\n');
  await ok(['rm', '-f', 'berth-test-evil', 'berth-test-evil-stopped']);
  assert.equal(statSync(marker).size, 'HOST SECRET\n'.length);
});

test('berth cp both ways, with Docker\'s messages', async () => {
  await ok(['run', '-d', '--name', 'berth-test-bcp', 'busybox', 'sh', '-c', 'mkdir /d; echo in > /d/f; ln -s /d/f /lnk; sleep 300']);
  writeFileSync(join(tmp, 'b-up'), 'b\n');
  await ok(['cp', join(tmp, 'b-up'), 'berth-test-bcp:/tmp/'], 'berth');
  assert.equal(await ok(['exec', 'berth-test-bcp', 'cat', '/tmp/b-up']), 'b\n');
  await ok(['cp', 'berth-test-bcp:/d', join(tmp, 'b-d')], 'berth');
  assert.equal(readFileSync(join(tmp, 'b-d/f'), 'utf8'), 'in\n');
  await ok(['cp', '-L', 'berth-test-bcp:/lnk', join(tmp, 'b-lnk')], 'berth');
  assert.equal(readFileSync(join(tmp, 'b-lnk'), 'utf8'), 'in\n');
  const t = await d.cli('berth', ['cp', 'berth-test-bcp:/d', '-']);
  assert.equal(t.code, 0);
  assert.match(t.stdout, /d\/f/);
  const berth = `${process.execPath} ${join(ROOT, 'dist/berth.js')}`;
  sh(`tar -c -C ${tmp} b-up | ${berth} cp - berth-test-bcp:/d`);
  assert.equal(await ok(['exec', 'berth-test-bcp', 'cat', '/d/b-up']), 'b\n');
  // A slow reader: the CLI must flush its piped stdout before exiting (it once cut the archive short).
  const listing = sh(`${berth} export berth-test-bcp | (sleep 0.5; tar -t)`);
  assert.ok(listing.split('\n').includes('d/b-up'));
  await fails(['cp', 'berth-test-bcp:/nope', tmp], /Could not find the file \/nope in container berth-test-bcp/, 'berth');
  await fails(['cp', 'a', 'b'], /must specify at least one container source/, 'berth');
  await fails(['cp', 'x:/a', 'y:/b'], /copying between containers is not supported/, 'berth');
  await ok(['rm', '-f', 'berth-test-bcp']);
});

test('attacks: a bind or volume destination through a planted symlink stays inside the rootfs', async () => {
  const hostTarget = join(tmp, 'bind-escape-target');
  mkdirSync(hostTarget);
  const src = join(tmp, 'bind-src');
  mkdirSync(src);
  writeFileSync(join(src, 'payload'), 'p\n');
  // An image whose /evil points at the host path (and at the host root through ..).
  // (the runtime resolves destinations with openat2 RESOLVE_IN_ROOT: the link's target must exist inside)
  await ok(['run', '--name', 'berth-test-plant', 'busybox', 'sh', '-c', `mkdir -p ${hostTarget}; ln -s ${hostTarget} /evil; ln -s ../../../../../../ /up`]);
  await ok(['commit', 'berth-test-plant', 'berth-test-planted:latest']);
  const out = await ok(['run', '--rm', '-v', `${src}:/evil/x`, '-v', 'berth-test-plantvol:/up/tmp/y', 'berth-test-planted', 'sh', '-c',
    `cat /evil/x/payload; ls -d ${hostTarget}/x /tmp/y`]);
  assert.equal(out, `p\n${hostTarget}/x\n/tmp/y\n`, 'the mounts are where the container sees them');
  assert.deepEqual(readdirSync(hostTarget), [], 'nothing was mounted or made on the host through the symlink');
  assert.ok(!existsSync('/tmp/y'), 'no volume mountpoint made in the host\'s /tmp');
  await ok(['rm', 'berth-test-plant']);
  await ok(['rmi', 'berth-test-planted:latest']);
  await ok(['volume', 'rm', 'berth-test-plantvol']);
});

test('attacks: the CVE-2018-15664 race (a path flipping between a dir and a symlink to /) never reaches the host', async () => {
  const hostDir = join(tmp, 'race');
  mkdirSync(hostDir);
  writeFileSync(join(hostDir, 'marker'), 'HOST\n');
  writeFileSync(join(tmp, 'race-up'), 'up\n');
  await ok(['run', '-d', '--name', 'berth-test-race', 'busybox', 'sh', '-c',
    'while :; do rm -rf /w; mkdir -p /w/tmp; rm -rf /w; ln -s / /w; done']);
  let reads = 0;
  for (let i = 0; i < 25; i++) {
    const out = join(tmp, `race-read-${i}`);
    const r = await d.cli('docker', ['cp', `berth-test-race:/w${hostDir}/marker`, out]);
    if (r.code === 0) reads++;
    assert.ok(!existsSync(out) || readFileSync(out, 'utf8') !== 'HOST\n', 'the host file was read through the container');
    await d.cli('docker', ['cp', join(tmp, 'race-up'), `berth-test-race:/w${hostDir}/`]);
    await d.cli('docker', ['cp', join(tmp, 'race-up'), `berth-test-race:/w${hostDir}/written-${i}`]);
  }
  assert.equal(reads, 0, 'the marker exists only on the host');
  assert.deepEqual(readdirSync(hostDir), ['marker'], 'nothing was written into the host directory');
  await ok(['rm', '-f', 'berth-test-race']);
});
