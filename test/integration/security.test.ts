// Security and isolation, end to end with the real docker CLI against a real berthd (root):
// each protection is shown to hold (the operation it forbids fails inside a container) and to
// be lifted by the knob that lifts it (--cap-add, --privileged, seccomp=unconfined,
// systempaths=unconfined, …); bad input gets Docker's wording and the daemon keeps serving.
// Everything made here is named berth-test-* and removed in after(), also on failure.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TestDaemon, missingTools, type RunResult } from '../support/daemon.ts';

const skip = process.getuid?.() !== 0 ? 'needs root' : missingTools('/usr/local/bin/docker', '/usr/bin/conmon');
if (skip) console.log(`# security: skipping: ${skip}`);

/** CapBnd of berthd (this process runs as the same root): what a privileged container gets. */
const HOST_CAPBND = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]!;
/** Docker's 14 default capabilities as a mask. */
const DEFAULT_CAPS = '00000000a80425fb';

function field(out: string, name: string): string {
  const m = new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(out);
  assert.ok(m, `${name} in ${out}`);
  return m[1]!;
}

function ok(r: RunResult, what = ''): string {
  assert.equal(r.code, 0, `${what} exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function fails(r: RunResult, pattern: RegExp, what = ''): void {
  assert.notEqual(r.code, 0, `${what} should fail: ${r.stdout}`);
  assert.match(r.stderr, pattern, what);
}

describe('security', { skip }, () => {
  const d = new TestDaemon();
  let tmp = '';
  const run = (args: string[]): Promise<RunResult> => d.docker(['run', '--rm', ...args]);

  before(async () => {
    tmp = mkdtempSync('/tmp/berth-test-sec-');
    await d.start();
    await d.importBusybox();
  });
  after(async () => {
    await d.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('capabilities: Docker defaults; a dropped one forbids its operation; names with/without CAP_, any case', async () => {
    const status = ok(await run(['busybox', 'grep', 'Cap', '/proc/self/status']));
    assert.equal(field(status, 'CapEff'), DEFAULT_CAPS);
    assert.equal(field(status, 'CapBnd'), DEFAULT_CAPS);
    ok(await run(['busybox', 'ping', '-c1', '-W1', '127.0.0.1']), 'ping with NET_RAW');
    fails(await run(['--cap-drop', 'NET_RAW', 'busybox', 'ping', '-c1', '-W1', '127.0.0.1']), /permission denied/, 'ping without NET_RAW');
    ok(await run(['busybox', 'chown', '1', '/tmp']), 'chown with CHOWN');
    fails(await run(['--cap-drop', 'chown', 'busybox', 'chown', '1', '/tmp']), /Operation not permitted/, 'chown without CHOWN');
    fails(await run(['--cap-drop', 'CAP_CHOWN', 'busybox', 'chown', '1', '/tmp']), /Operation not permitted/, 'CAP_ prefix');
  });

  test('capabilities: --cap-add grants; ALL in drop and add; unknown and unavailable ones are refused', async () => {
    fails(await run(['busybox', 'ip', 'addr', 'add', '10.9.9.9/32', 'dev', 'lo']), /Operation not permitted/, 'no NET_ADMIN');
    ok(await run(['--cap-add', 'NET_ADMIN', 'busybox', 'ip', 'addr', 'add', '10.9.9.9/32', 'dev', 'lo']), 'NET_ADMIN added');
    assert.equal(field(ok(await run(['--cap-drop', 'ALL', 'busybox', 'grep', 'CapEff', '/proc/self/status'])), 'CapEff'), '0000000000000000');
    assert.equal(field(ok(await run(['--cap-drop', 'all', '--cap-add', 'chown', 'busybox', 'grep', 'CapEff', '/proc/self/status'])), 'CapEff'), '0000000000000001');
    assert.equal(field(ok(await run(['--cap-add', 'ALL', 'busybox', 'grep', 'CapBnd', '/proc/self/status'])), 'CapBnd'), HOST_CAPBND);
    const unknown = await run(['--cap-add', 'NO_SUCH_CAP', 'busybox', 'true']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /unknown capability: "CAP_NO_SUCH_CAP"/);
    if (!(BigInt(`0x${HOST_CAPBND}`) & (1n << 24n))) {
      fails(await run(['--cap-add', 'SYS_RESOURCE', 'busybox', 'true']), /capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"/);
    }
    assert.equal((await d.api('GET', '/_ping')).status, 200);
  });

  test('seccomp: the default profile blocks unshare and mount; unconfined allows them', async () => {
    const status = ok(await run(['busybox', 'grep', 'Seccomp', '/proc/self/status']));
    assert.equal(field(status, 'Seccomp'), '2');
    // A user namespace needs no capability: only seccomp stands in the way (Docker's profile).
    fails(await run(['busybox', 'unshare', '-U', 'true']), /unshare.*Operation not permitted/, 'unshare under the default profile');
    const mountInUserns = ['busybox', 'unshare', '-Urm', 'sh', '-c', 'mount -t tmpfs berth-test /tmp && echo mounted'];
    fails(await run(mountInUserns), /Operation not permitted/, 'mount under the default profile');
    const unconfined = ['--security-opt', 'seccomp=unconfined'];
    assert.equal(field(ok(await run([...unconfined, 'busybox', 'grep', 'Seccomp', '/proc/self/status'])), 'Seccomp'), '0');
    ok(await run([...unconfined, 'busybox', 'unshare', '-U', 'true']), 'unshare unconfined');
    assert.match(ok(await run([...unconfined, ...mountInUserns]), 'mount unconfined'), /mounted/);
    // CAP_SYS_ADMIN opens the gated syscalls, as in Docker's profile.
    assert.match(ok(await run(['--cap-add', 'SYS_ADMIN', 'busybox', 'sh', '-c', 'mount -t tmpfs berth-test /tmp && echo mounted'])), /mounted/);
  });

  test('seccomp: a profile file in Docker\'s format applies; a malformed one is refused and berthd keeps serving', async () => {
    const profile = join(tmp, 'profile.json');
    writeFileSync(profile, JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    }));
    ok(await run(['busybox', 'mkdir', '/berth-test-dir']), 'mkdir by default');
    fails(await run(['--security-opt', `seccomp=${profile}`, 'busybox', 'mkdir', '/berth-test-dir']), /Operation not permitted/, 'mkdir denied by the profile');
    const notProfile = join(tmp, 'not-a-profile.json');
    writeFileSync(notProfile, '["mkdir"]');
    const bad = await run(['--security-opt', `seccomp=${notProfile}`, 'busybox', 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Decoding seccomp profile failed/);
    // The raw API with a body that is not JSON at all.
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { SecurityOpt: ['seccomp={not json'] } });
    assert.equal(r.status, 400);
    assert.match((r.json as { message: string }).message, /Decoding seccomp profile failed/);
    const badAction = join(tmp, 'bad-action.json');
    writeFileSync(badAction, JSON.stringify({ defaultAction: 'SCMP_ACT_BERTH_TEST', syscalls: [] }));
    const refused = await run(['--security-opt', `seccomp=${badAction}`, 'busybox', 'true']);
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /invalid seccomp action `SCMP_ACT_BERTH_TEST`/);
    const missing = await run(['--security-opt', `seccomp=${join(tmp, 'missing.json')}`, 'busybox', 'true']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /seccomp profile .*failed|no such file/i);
    assert.equal((await d.api('GET', '/_ping')).status, 200);
  });

  test('--privileged lifts it all: every capability, host devices, writable /sys, no seccomp, no masked paths', async () => {
    const out = ok(await run(['--privileged', 'busybox', 'sh', '-c',
      'grep -E "CapEff|Seccomp:" /proc/self/status; ls /dev; unshare -U true && echo unshare-ok; grep " /sys " /proc/mounts; wc -c < /proc/timer_list']));
    assert.equal(field(out, 'CapEff'), HOST_CAPBND);
    assert.equal(field(out, 'Seccomp'), '0');
    assert.match(out, /^fuse$/m, 'host devices are there');
    assert.match(out, /unshare-ok/);
    assert.match(out, /sysfs \/sys sysfs rw,/);
    assert.notEqual(out.trim().split('\n').pop(), '0', '/proc/timer_list is not masked');
    const plain = ok(await run(['busybox', 'sh', '-c', 'ls /dev; grep " /sys " /proc/mounts']));
    assert.doesNotMatch(plain, /^fuse$/m);
    assert.match(plain, /sysfs \/sys sysfs ro,/);
  });

  test('no-new-privileges: off by default, on with the security-opt', async () => {
    assert.equal(field(ok(await run(['busybox', 'grep', 'NoNewPrivs', '/proc/self/status'])), 'NoNewPrivs'), '0');
    assert.equal(field(ok(await run(['--security-opt', 'no-new-privileges', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status'])), 'NoNewPrivs'), '1');
    assert.equal(field(ok(await run(['--security-opt', 'no-new-privileges:true', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status'])), 'NoNewPrivs'), '1');
    fails(await run(['--security-opt', 'no-new-privileges=maybe', 'busybox', 'true']), /invalid --security-opt 2/);
  });

  test('--read-only blocks writes to the rootfs; /dev/shm and --tmpfs stay writable', async () => {
    const out = await run(['--read-only', '--tmpfs', '/run', 'busybox', 'sh', '-c',
      'touch /x 2>&1; touch /etc/x 2>&1; touch /dev/shm/x && touch /run/x && echo writable']);
    assert.match(out.stdout, /touch: \/x: Read-only file system/);
    assert.match(out.stdout, /touch: \/etc\/x: Read-only file system/);
    assert.match(out.stdout, /writable/, out.stderr);
    ok(await run(['busybox', 'touch', '/x']), 'writable without --read-only');
  });

  test('masked paths read empty and /proc/sys is read-only; systempaths=unconfined lifts both', async () => {
    const masked = ok(await run(['busybox', 'sh', '-c', 'wc -c < /proc/timer_list; wc -c < /proc/interrupts; ls /sys/firmware | wc -l; echo 1 > /proc/sys/vm/overcommit_ratio_berth 2>&1; grep " /proc/sys " /proc/mounts']));
    const [timer, irq, firmware] = masked.trim().split('\n').map((l) => l.trim());
    assert.equal(timer, '0');
    assert.equal(irq, '0');
    assert.equal(firmware, '0');
    assert.match(masked, /proc \/proc\/sys proc ro,/);
    const open = ok(await run(['--security-opt', 'systempaths=unconfined', 'busybox', 'sh', '-c', 'wc -c < /proc/timer_list; ls /sys/firmware | wc -l; grep -c " /proc/sys " /proc/mounts || true']));
    const [timer2, firmware2, roSys] = open.trim().split('\n').map((l) => l.trim());
    assert.notEqual(timer2, '0');
    assert.notEqual(firmware2, '0');
    assert.equal(roSys, '0');
  });

  test('--device maps a host device; --device-cgroup-rule allows a device node; a missing device is an error', async () => {
    const fuseOpen = ['busybox', 'sh', '-c', 'ls -l /dev/berth-fuse && : < /dev/berth-fuse && echo opened'];
    assert.match(ok(await run(['--device', '/dev/fuse:/dev/berth-fuse', ...fuseOpen])), /c.* 10,\s+229 .*\n.*opened/s);
    const mknodOpen = ['busybox', 'sh', '-c', 'mknod /dev/f c 10 229 && : < /dev/f && echo opened'];
    fails(await run(mknodOpen), /Operation not permitted/, 'fuse is denied by default');
    assert.match(ok(await run(['--device-cgroup-rule', 'c 10:229 rwm', ...mknodOpen])), /opened/);
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { DeviceCgroupRules: ['c 1:3 rwx'] } });
    assert.equal(r.status, 400);
    assert.match((r.json as { message: string }).message, /invalid device cgroup format 'c 1:3 rwx'/);
    fails(await run(['--device', '/dev/berth-test-none', 'busybox', 'true']), /error gathering device information while adding custom device "\/dev\/berth-test-none": no such file or directory/);
  });

  test('AppArmor and SELinux options are refused with a clear message (neither is enabled here); unconfined/disable are accepted', async () => {
    const aa = await run(['--security-opt', 'apparmor=berth-test-profile', 'busybox', 'true']);
    assert.equal(aa.code, 125);
    assert.match(aa.stderr, /invalid --security-opt "apparmor=berth-test-profile": (AppArmor is not enabled in this host's kernel|berth does not apply AppArmor profiles)/);
    const se = await run(['--security-opt', 'label=type:berth_t', 'busybox', 'true']);
    assert.equal(se.code, 125);
    assert.match(se.stderr, /invalid --security-opt "label=type:berth_t": (SELinux is not enabled in this host's kernel|berth does not apply SELinux labels)/);
    ok(await run(['--security-opt', 'apparmor=unconfined', '--security-opt', 'label=disable', 'busybox', 'true']));
  });

  test('a container cannot see or signal host processes; --pid host can see them', async () => {
    const own = ok(await run(['busybox', 'sh', '-c', `ps -o pid | wc -l; kill -0 ${process.pid} 2>&1; echo rc=$?`]));
    const [count] = own.trim().split('\n');
    assert.ok(Number(count) <= 4, `only its own processes: ${own}`);
    assert.match(own, /No such process/);
    assert.match(own, /rc=1/);
    const host = ok(await run(['--pid', 'host', 'busybox', 'sh', '-c', `test -d /proc/${process.pid} && echo sees-daemon`]));
    assert.match(host, /sees-daemon/);
  });

  test('--pid and --ipc container:<id>, --ipc host, --uts host, --cgroupns, --userns host', async () => {
    const donor = ok(await d.docker(['run', '-d', '--name', 'berth-test-donor', '--ipc', 'shareable', 'busybox', 'sleep', '300'])).trim();
    const plain = ok(await d.docker(['run', '-d', '--name', 'berth-test-private', 'busybox', 'sleep', '300'])).trim();
    try {
      assert.match(ok(await run(['--pid', 'container:berth-test-donor', 'busybox', 'ps', '-o', 'args'])), /sleep 300/);
      const inspect = JSON.parse(ok(await d.docker(['inspect', donor]))) as { State: { Pid: number } }[];
      const donorIpc = readlinkSync(`/proc/${inspect[0]!.State.Pid}/ns/ipc`);
      assert.equal(ok(await run(['--ipc', 'container:berth-test-donor', 'busybox', 'readlink', '/proc/self/ns/ipc'])).trim(), donorIpc);
      fails(await run(['--ipc', 'container:berth-test-private', 'busybox', 'true']), /non-shareable IPC/);
      assert.equal(ok(await run(['--ipc', 'host', 'busybox', 'readlink', '/proc/self/ns/ipc'])).trim(), readlinkSync('/proc/self/ns/ipc'));
      assert.notEqual(ok(await run(['busybox', 'readlink', '/proc/self/ns/ipc'])).trim(), readlinkSync('/proc/self/ns/ipc'));
      assert.equal(ok(await run(['--uts', 'host', 'busybox', 'hostname'])).trim(), hostname());
      const hostCg = readlinkSync('/proc/self/ns/cgroup');
      assert.notEqual(ok(await run(['--cgroupns', 'private', 'busybox', 'readlink', '/proc/self/ns/cgroup'])).trim(), hostCg);
      assert.equal(ok(await run(['--cgroupns', 'host', 'busybox', 'readlink', '/proc/self/ns/cgroup'])).trim(), hostCg);
      fails(await run(['--userns', 'host', 'busybox', 'true']), /--userns host: user namespace remapping is not enabled in the daemon/);
      ok(await d.docker(['stop', '-t', '0', donor]));
      const stopped = await run(['--pid', `container:${donor}`, 'busybox', 'true']);
      assert.equal(stopped.code, 125);
      assert.match(stopped.stderr, new RegExp(`Container ${donor} is not running`));
      fails(await run(['--pid', 'container:berth-test-nosuch', 'busybox', 'true']), /No such container: berth-test-nosuch/);
    } finally {
      await d.docker(['rm', '-f', donor, plain]);
    }
    assert.equal((await d.api('GET', '/_ping')).status, 200);
  });
});

describe('daemon-wide no-new-privileges (daemon.json)', { skip }, () => {
  const d = new TestDaemon();
  before(async () => {
    const cfg = join(d.dir, 'daemon.json');
    writeFileSync(cfg, JSON.stringify({ 'no-new-privileges': true }));
    d.extraArgs = ['--config-file', cfg];
    await d.start();
    await d.importBusybox();
  });
  after(() => d.stop());

  test('every container gets it unless its security-opt turns it off', async () => {
    assert.equal(field(ok(await d.docker(['run', '--rm', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status'])), 'NoNewPrivs'), '1');
    assert.equal(field(ok(await d.docker(['run', '--rm', '--security-opt', 'no-new-privileges=false', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status'])), 'NoNewPrivs'), '0');
  });
});

describe('--userns-remap default', { skip }, () => {
  const d = new TestDaemon();
  // The feature creates the dockremap user and its subordinate ranges; when this test made
  // them, it takes them away again.
  const hadUser = readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith('dockremap:'));
  const subFiles = ['/etc/subuid', '/etc/subgid'];
  const saved: Record<string, string | null> = {};
  before(async () => {
    for (const f of subFiles) { try { saved[f] = readFileSync(f, 'utf8'); } catch { saved[f] = null; } }
    chmodSync(d.dir, 0o711); // the remapped root must be able to reach the data root, as under /var/lib
    d.extraArgs = ['--userns-remap', 'default'];
    await d.start();
    await d.importBusybox();
  });
  after(async () => {
    await d.stop();
    if (!hadUser) {
      spawnSync('userdel', ['dockremap'], { stdio: 'ignore' });
      for (const f of subFiles) {
        if (saved[f] === null) rmSync(f, { force: true });
        else writeFileSync(f, saved[f]!);
      }
    }
  });

  test('container root is an unprivileged host user: what it creates is owned by the mapped uid on the host', async () => {
    const sub = readdirSync(d.dataRoot).find((n) => /^\d+\.\d+$/.test(n));
    assert.ok(sub, `a <uid>.<gid> data root under ${d.dataRoot}`);
    const [uid, gid] = sub.split('.').map(Number) as [number, number];
    assert.ok(uid >= 100000 && gid >= 100000, sub);
    const map = ok(await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'id -u; cat /proc/self/uid_map; ls -ln /bin/sh']));
    assert.match(map, new RegExp(`^0\\n\\s*0\\s+${uid}\\s+65536\\n`));
    assert.match(map, /\s0\s+0\s.*\/bin\/sh/, 'image files are root-owned inside');
    ok(await d.docker(['run', '--name', 'berth-test-remap', 'busybox', 'sh', '-c', 'echo hi > /made-inside; mkdir /dir-inside']));
    const cid = ok(await d.docker(['inspect', '--format', '{{.Id}}', 'berth-test-remap'])).trim();
    const made = statSync(join(d.dataRoot, sub, 'overlay2', cid, 'diff', 'made-inside'));
    assert.equal(made.uid, uid);
    assert.equal(made.gid, gid);
    assert.equal(statSync(join(d.dataRoot, sub, 'overlay2', cid, 'diff', 'dir-inside')).uid, uid);
    await d.docker(['rm', '-f', 'berth-test-remap']);
  });

  test('--userns host runs in the host user namespace; --privileged and --pid host need it', async () => {
    assert.match(ok(await d.docker(['run', '--rm', '--userns', 'host', 'busybox', 'cat', '/proc/self/uid_map'])), /^\s*0\s+0\s+4294967295/);
    fails(await d.docker(['run', '--rm', '--privileged', 'busybox', 'true']), /privileged mode is incompatible with user namespaces/);
    fails(await d.docker(['run', '--rm', '--pid', 'host', 'busybox', 'true']), /cannot share the host PID namespace when user namespaces are enabled/);
    ok(await d.docker(['run', '--rm', '--userns', 'host', '--privileged', 'busybox', 'true']));
  });
});
