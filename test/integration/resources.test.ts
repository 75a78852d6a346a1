// Resource limits, live update, OOM and stats against a real berthd: every limit is read back
// from the running container's cgroup files (cgroup v1 here, PLATFORM.md §2), enforcement is
// shown by processes that hit the limits, and the docker CLI's `stats`/`update` are driven
// as users run them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { TestDaemon, eventually, sleep } from '../support/daemon.ts';

const d = new TestDaemon();
const V1 = existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
const skip = V1 ? false : 'these checks read cgroup v1 files (this host has no v1 memory controller)';
if (skip) console.log(`# skipping: ${skip}`);
const MB = 1024 * 1024;

before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); });

async function idOf(name: string): Promise<string> {
  return ((await d.api('GET', `/containers/${name}/json`)).json as { Id: string }).Id;
}

function cg(ctrl: string, id: string, file: string): string {
  return readFileSync(`/sys/fs/cgroup/${ctrl}${d.cgroupParent}/${id}/${file}`, 'utf8').trim();
}

async function inspectHC(name: string): Promise<Record<string, unknown>> {
  return ((await d.api('GET', `/containers/${name}/json`)).json as { HostConfig: Record<string, unknown> }).HostConfig;
}

/** Collects /events for a container until `until` resolves. */
function collectEvents(filter: string): { events: Record<string, unknown>[]; stop: () => void } {
  const events: Record<string, unknown>[] = [];
  const filters = encodeURIComponent(JSON.stringify({ container: [filter] }));
  const req = request({ socketPath: d.socket, path: `/events?filters=${filters}` }, (res) => {
    let buf = '';
    res.on('data', (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { events.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>); buf = buf.slice(i + 1); }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { events, stop: () => req.destroy() };
}

test('every limit flag reaches the cgroup of the running container and shows in inspect', { skip }, async () => {
  const r = await d.docker(['run', '-d', '--name', 'berth-test-limits', '--memory', '64m', '--memory-reservation', '32m',
    '--memory-swap', '96m', '--memory-swappiness', '10', '--oom-kill-disable', '--cpus', '0.5', '--cpu-shares', '512',
    '--cpuset-cpus', '0', '--cpuset-mems', '0', '--pids-limit', '50', '--blkio-weight', '300',
    '--device-read-bps', '/dev/vda:1mb', '--device-write-bps', '/dev/vda:2mb', '--device-read-iops', '/dev/vda:100',
    '--device-write-iops', '/dev/vda:50', '--device', '/dev/fuse:/dev/fuse:rw', '--ulimit', 'nproc=100:200', '--shm-size', '16m',
    '--sysctl', 'net.ipv4.ip_forward=1', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  // This kernel has no blkio.weight (no CFQ): Docker's warning, and the weight is dropped.
  assert.match(r.stderr, /WARNING: Your kernel does not support Block I\/O weight or the cgroup is not mounted. Weight discarded./);
  const id = await idOf('berth-test-limits');
  assert.equal(cg('memory', id, 'memory.limit_in_bytes'), String(64 * MB));
  assert.equal(cg('memory', id, 'memory.soft_limit_in_bytes'), String(32 * MB));
  assert.equal(cg('memory', id, 'memory.memsw.limit_in_bytes'), String(96 * MB));
  assert.equal(cg('memory', id, 'memory.swappiness'), '10');
  assert.match(cg('memory', id, 'memory.oom_control'), /oom_kill_disable 1/);
  assert.equal(cg('cpu', id, 'cpu.shares'), '512');
  assert.equal(cg('cpu', id, 'cpu.cfs_quota_us'), '50000');
  assert.equal(cg('cpu', id, 'cpu.cfs_period_us'), '100000');
  assert.equal(cg('cpuset', id, 'cpuset.cpus'), '0');
  assert.equal(cg('cpuset', id, 'cpuset.mems'), '0');
  assert.equal(cg('pids', id, 'pids.max'), '50');
  assert.equal(cg('blkio', id, 'blkio.throttle.read_bps_device'), '254:0 1048576');
  assert.equal(cg('blkio', id, 'blkio.throttle.write_bps_device'), '254:0 2097152');
  assert.equal(cg('blkio', id, 'blkio.throttle.read_iops_device'), '254:0 100');
  assert.equal(cg('blkio', id, 'blkio.throttle.write_iops_device'), '254:0 50');
  assert.match(cg('devices', id, 'devices.list'), /^c 10:229 rw$/m);
  const inside = await d.docker(['exec', 'berth-test-limits', 'sh', '-c', 'ulimit -u; ulimit -Hu; df -k /dev/shm | tail -1; ls -l /dev/fuse; cat /proc/sys/net/ipv4/ip_forward']);
  const lines = inside.stdout.trim().split('\n');
  assert.equal(lines[0], '100');
  assert.equal(lines[1], '200');
  assert.match(lines[2]!, /^shm\s+16384\s/);
  assert.match(lines[3]!, /^c.* 10,\s+229 /);
  assert.equal(lines[4], '1');
  const hc = await inspectHC('berth-test-limits');
  assert.equal(hc.Memory, 64 * MB);
  assert.equal(hc.MemoryReservation, 32 * MB);
  assert.equal(hc.MemorySwap, 96 * MB);
  assert.equal(hc.MemorySwappiness, 10);
  assert.equal(hc.OomKillDisable, true);
  assert.equal(hc.NanoCpus, 500_000_000);
  assert.equal(hc.CpuShares, 512);
  assert.equal(hc.CpusetCpus, '0');
  assert.equal(hc.PidsLimit, 50);
  assert.equal(hc.BlkioWeight, 0);
  assert.deepEqual(hc.BlkioDeviceReadBps, [{ Path: '/dev/vda', Rate: MB }]);
  assert.deepEqual(hc.Devices, [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rw' }]);
  assert.equal(hc.ShmSize, 16 * MB);
  await d.docker(['rm', '-f', 'berth-test-limits']);
});

test('--cpu-period/--cpu-quota and the default swap (2 x memory)', { skip }, async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-quota', '--cpu-period', '50000', '--cpu-quota', '25000', '-m', '32m', 'busybox', 'sleep', '300'])).code, 0);
  const id = await idOf('berth-test-quota');
  assert.equal(cg('cpu', id, 'cpu.cfs_period_us'), '50000');
  assert.equal(cg('cpu', id, 'cpu.cfs_quota_us'), '25000');
  assert.equal(cg('memory', id, 'memory.memsw.limit_in_bytes'), String(64 * MB));
  assert.equal((await inspectHC('berth-test-quota')).MemorySwap, 64 * MB);
  await d.docker(['rm', '-f', 'berth-test-quota']);
});

test('bad limits are refused with Docker\'s wording and berthd keeps serving', { skip }, async () => {
  const cli = await d.docker(['run', '--memory', '1x', 'busybox', 'true']);
  assert.equal(cli.code, 125);
  assert.match(cli.stderr, /invalid argument "1x" for "-m, --memory" flag: invalid suffix: 'x'/);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ Memory: MB }, /^Minimum memory limit allowed is 6MB$/],
    [{ Memory: 64 * MB, MemorySwap: 32 * MB }, /^Minimum memoryswap limit should be larger than memory limit, see usage$/],
    [{ CpusetCpus: '0-7' }, /^Requested CPUs are not available - requested 0-7, available: /],
    [{ NanoCpus: 64e9 }, /^Range of CPUs is from 0.01 to \d+\.00, as there are only \d+ CPUs available$/],
    [{ NanoCpus: 1e9, CpuQuota: 50000 }, /^Conflicting options: Nano CPUs and CPU Quota cannot both be set$/],
    [{ MemorySwappiness: 200 }, /^Invalid value: 200, valid memory swappiness range is 0-100$/],
    [{ CpuPeriod: 10 }, /^CPU cfs period can not be less than 1ms/],
  ];
  for (const [hc, msg] of cases) {
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: hc });
    assert.equal(r.status, 400, JSON.stringify(hc));
    assert.match((r.json as { message: string }).message, msg);
  }
  const dev = await d.docker(['run', '--rm', '--device', '/dev/berth-test-nodev', 'busybox', 'true']);
  assert.notEqual(dev.code, 0);
  assert.match(dev.stderr, /error gathering device information while adding custom device "\/dev\/berth-test-nodev": no such file or directory/);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('a fork loop stops at the pids limit', { skip }, async () => {
  // The inner shell forks until the kernel refuses (and dies of it); the outer one then
  // becomes a sleep without forking, so the container stays up to be looked at.
  const r = await d.docker(['run', '-d', '--name', 'berth-test-forks', '--pids-limit', '10', 'busybox', 'sh', '-c',
    'sh -c "i=0; while [ \\$i -lt 40 ]; do sleep 60 & i=\\$((i+1)); done" 2>/dev/null; exec sleep 60']);
  assert.equal(r.code, 0, r.stderr);
  const id = await idOf('berth-test-forks');
  const refused = await eventually(() => /^max [1-9]/m.test(cg('pids', id, 'pids.events')), 5000);
  assert.ok(refused, `the kernel refused forks (${cg('pids', id, 'pids.events')})`);
  assert.equal(cg('pids', id, 'pids.max'), '10');
  assert.ok(Number(cg('pids', id, 'pids.current')) <= 10);
  const top = await d.docker(['top', 'berth-test-forks']);
  assert.ok(top.stdout.trim().split('\n').length - 1 <= 10, top.stdout);
  await d.docker(['rm', '-f', 'berth-test-forks']);
});

test('a CPU hog stays under its quota', { skip }, async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-hog', '--cpus', '0.2', 'busybox', 'sh', '-c', 'while :; do :; done'])).code, 0);
  const id = await idOf('berth-test-hog');
  await sleep(300);
  const u0 = Number(cg('cpuacct', id, 'cpuacct.usage'));
  const t0 = process.hrtime.bigint();
  await sleep(2000);
  const used = Number(cg('cpuacct', id, 'cpuacct.usage')) - u0;
  const wall = Number(process.hrtime.bigint() - t0);
  assert.ok(used / wall < 0.3, `CPU share ${(used / wall).toFixed(3)} stays near the 0.2 quota`);
  assert.match(cg('cpu', id, 'cpu.stat'), /nr_throttled [1-9]/);
  await d.docker(['rm', '-f', 'berth-test-hog']);
});

test('a process over its memory limit is OOM-killed: State.OOMKilled, exit 137, an oom event before die', { skip }, async () => {
  const ev = collectEvents('berth-test-oom');
  const r = await d.docker(['run', '--name', 'berth-test-oom', '--memory', '16m', '--memory-swap', '16m', 'busybox', 'sh', '-c',
    'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived']);
  assert.equal(r.code, 137, r.stdout + r.stderr);
  const st = ((await d.api('GET', '/containers/berth-test-oom/json')).json as { State: { OOMKilled: boolean; ExitCode: number } }).State;
  assert.equal(st.OOMKilled, true);
  assert.equal(st.ExitCode, 137);
  await eventually(() => ev.events.some((e) => e.Action === 'die'), 5000);
  ev.stop();
  const actions = ev.events.map((e) => e.Action);
  assert.ok(actions.includes('oom'), actions.join(','));
  assert.ok(actions.indexOf('oom') < actions.indexOf('die'), actions.join(','));
  const die = ev.events.find((e) => e.Action === 'die') as { Actor: { Attributes: Record<string, string> } };
  assert.equal(die.Actor.Attributes.exitCode, '137');
  await d.docker(['rm', '-f', 'berth-test-oom']);
});

test('docker update changes the cgroup live, persists across a daemon restart, and is applied to a stopped container at start', { skip }, async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-upd', '-m', '64m', '--pids-limit', '30', 'busybox', 'sleep', '300'])).code, 0);
  const id = await idOf('berth-test-upd');
  const ev = collectEvents('berth-test-upd');
  const u = await d.docker(['update', '--memory', '128m', '--memory-swap', '256m', '--memory-reservation', '64m', '--cpus', '0.3',
    '--cpu-shares', '256', '--cpuset-cpus', '1', '--pids-limit', '40', '--restart', 'on-failure:2', 'berth-test-upd']);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(u.stdout.trim(), 'berth-test-upd');
  assert.equal(cg('memory', id, 'memory.limit_in_bytes'), String(128 * MB));
  assert.equal(cg('memory', id, 'memory.memsw.limit_in_bytes'), String(256 * MB));
  assert.equal(cg('memory', id, 'memory.soft_limit_in_bytes'), String(64 * MB));
  assert.equal(cg('cpu', id, 'cpu.cfs_quota_us'), '30000');
  assert.equal(cg('cpu', id, 'cpu.shares'), '256');
  assert.equal(cg('cpuset', id, 'cpuset.cpus'), '1');
  assert.equal(cg('pids', id, 'pids.max'), '40');
  // Lifting the pids limit.
  assert.equal((await d.docker(['update', '--pids-limit', '-1', 'berth-test-upd'])).code, 0);
  assert.equal(cg('pids', id, 'pids.max'), 'max');
  const raw = await d.api('POST', '/containers/berth-test-upd/update', { CpuShares: 300 });
  assert.equal(raw.status, 200);
  assert.deepEqual(raw.json, { Warnings: [] });
  await eventually(() => ev.events.some((e) => e.Action === 'update'), 3000);
  ev.stop();
  const upd = ev.events.find((e) => e.Action === 'update') as { Actor: { Attributes: Record<string, string> } };
  assert.equal(upd.Actor.Attributes.name, 'berth-test-upd');

  await d.stopDaemon();
  await d.start();
  const hc = await inspectHC('berth-test-upd');
  assert.equal(hc.Memory, 128 * MB);
  assert.equal(hc.MemorySwap, 256 * MB);
  assert.equal(hc.NanoCpus, 300_000_000);
  assert.equal(hc.CpuShares, 300);
  assert.equal(hc.CpusetCpus, '1');
  assert.equal(hc.PidsLimit, null);
  assert.deepEqual(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });

  // Stopped: persisted now, applied at the next start.
  assert.equal((await d.docker(['stop', '-t', '1', 'berth-test-upd'])).code, 0);
  const low = await d.docker(['update', '--memory', '48m', '--memory-swap', '48m', 'berth-test-upd']);
  assert.equal(low.code, 1);
  assert.match(low.stderr, /Minimum memory limit can not be less than memory reservation limit, see usage/);
  assert.equal((await d.docker(['update', '--memory', '80m', '--memory-swap', '80m', 'berth-test-upd'])).code, 0);
  assert.equal((await d.docker(['start', 'berth-test-upd'])).code, 0);
  assert.equal(cg('memory', id, 'memory.limit_in_bytes'), String(80 * MB));
  assert.equal(cg('memory', id, 'memory.memsw.limit_in_bytes'), String(80 * MB));
  await d.docker(['rm', '-f', 'berth-test-upd']);
});

test('update errors: removed container, memory above swap, NanoCpus conflict, AutoRemove restart policy', { skip }, async () => {
  const gone = await d.docker(['update', '--memory', '64m', 'berth-test-nosuch']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such container: berth-test-nosuch/);
  assert.equal((await d.api('POST', '/containers/berth-test-nosuch/update', { Memory: 64 * MB })).status, 404);
  assert.equal((await d.docker(['run', '-d', '--rm', '--name', 'berth-test-upderr', '-m', '32m', '--cpus', '0.5', 'busybox', 'sleep', '300'])).code, 0);
  const mem = await d.api('POST', '/containers/berth-test-upderr/update', { Memory: 128 * MB });
  assert.equal(mem.status, 409);
  assert.match((mem.json as { message: string }).message, /Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time/);
  const cpu = await d.api('POST', '/containers/berth-test-upderr/update', { CpuQuota: 20000 });
  assert.equal(cpu.status, 409);
  assert.match((cpu.json as { message: string }).message, /CPU Quota cannot be updated as NanoCPUs has already been set/);
  const rp = await d.docker(['update', '--restart', 'always', 'berth-test-upderr']);
  assert.equal(rp.code, 1);
  assert.match(rp.stderr, /Restart policy cannot be updated because AutoRemove is enabled for the container/);
  const bad = await d.api('POST', '/containers/berth-test-upderr/update', { CpusetCpus: '9' });
  assert.equal(bad.status, 400);
  assert.match((bad.json as { message: string }).message, /Requested CPUs are not available/);
  await d.docker(['rm', '-f', 'berth-test-upderr']);
});

interface Stats {
  name: string; id: string; read: string; preread: string; num_procs: number;
  cpu_stats: { cpu_usage: { total_usage: number; percpu_usage?: number[] }; system_cpu_usage: number; online_cpus: number; throttling_data: object };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number };
  memory_stats: { usage: number; limit: number; max_usage: number; stats: Record<string, number> };
  pids_stats: { current: number; limit?: number };
  blkio_stats: { io_service_bytes_recursive: { op: string; value: number }[] | null };
  networks?: Record<string, unknown>;
}

test('stats: one-shot in milliseconds, stream=false with precpu, Docker\'s JSON shape', { skip }, async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-stats', '--network', 'none', '-m', '64m', '--pids-limit', '20', 'busybox', 'sh', '-c',
    'dd if=/dev/zero of=/tmp/f bs=1M count=4 oflag=direct 2>/dev/null; sleep 300'])).code, 0);
  const id = await idOf('berth-test-stats');
  await sleep(500);
  const times: number[] = [];
  let one: Stats | undefined;
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const r = await d.api('GET', '/containers/berth-test-stats/stats?stream=false&one-shot=true');
    times.push(performance.now() - t);
    assert.equal(r.status, 200);
    one = r.json as Stats;
  }
  times.sort((a, b) => a - b);
  assert.ok(times[3]! < 50, `median one-shot ${times[3]!.toFixed(1)} ms < 50 ms`);
  assert.equal(one!.name, '/berth-test-stats');
  assert.equal(one!.id, id);
  assert.equal(one!.preread, '0001-01-01T00:00:00Z');
  assert.ok(Date.parse(one!.read) > Date.now() - 10_000);
  assert.equal(one!.memory_stats.limit, 64 * MB);
  assert.ok(one!.memory_stats.usage > 0);
  assert.ok('total_inactive_file' in one!.memory_stats.stats);
  assert.equal(one!.pids_stats.limit, 20);
  assert.ok(one!.pids_stats.current >= 1);
  assert.ok(one!.cpu_stats.online_cpus >= 1);
  assert.ok(one!.cpu_stats.system_cpu_usage > 0);
  assert.equal(one!.num_procs, 0);
  const written = (one!.blkio_stats.io_service_bytes_recursive ?? []).filter((e) => e.op === 'Write').reduce((a, e) => a + e.value, 0);
  assert.ok(written >= 4 * MB, `direct writes counted in blkio (${written})`);
  assert.equal(one!.networks, undefined, 'a container with only loopback (--network none) reports no networks');

  const ns = (await d.api('GET', '/containers/berth-test-stats/stats?stream=false')).json as Stats;
  assert.notEqual(ns.preread, '0001-01-01T00:00:00Z');
  assert.ok(ns.precpu_stats.system_cpu_usage! > 0 && ns.precpu_stats.system_cpu_usage! < ns.cpu_stats.system_cpu_usage);

  const both = await d.api('GET', '/containers/berth-test-stats/stats?stream=true&one-shot=true');
  assert.equal(both.status, 400);
  assert.equal((await d.api('GET', '/containers/berth-test-nosuch/stats?stream=false')).status, 404);
  await d.docker(['rm', '-f', 'berth-test-stats']);
});

test('stats stream: one frame a second, each precpu the previous cpu; a stopped container gets Docker\'s empty stats', { skip }, async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-stream', 'busybox', 'sleep', '300'])).code, 0);
  const frames: Stats[] = [];
  const t0 = Date.now();
  await new Promise<void>((resolve) => {
    const req = request({ socketPath: d.socket, path: '/containers/berth-test-stream/stats' }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { frames.push(JSON.parse(buf.slice(0, i)) as Stats); buf = buf.slice(i + 1); }
        if (frames.length >= 3) { req.destroy(); resolve(); }
      });
    });
    req.on('error', () => resolve());
    req.end();
  });
  const took = Date.now() - t0;
  assert.ok(took >= 1800 && took < 4000, `three frames in ${took} ms`);
  assert.equal(frames[1]!.precpu_stats.cpu_usage.total_usage, frames[0]!.cpu_stats.cpu_usage.total_usage);
  assert.equal(frames[2]!.preread, frames[1]!.read);
  await d.docker(['stop', '-t', '0', 'berth-test-stream']);
  const st = (await d.api('GET', '/containers/berth-test-stream/stats?stream=false')).json as Stats;
  assert.equal(st.read, '0001-01-01T00:00:00Z');
  assert.equal(st.name, '/berth-test-stream');
  assert.deepEqual(st.memory_stats, {});
  assert.equal((await d.api('GET', '/_ping')).status, 200);
  await d.docker(['rm', '-f', 'berth-test-stream']);
});

test('docker stats --no-stream shows CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS', { skip }, async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-dstats', '--network', 'none', '-m', '64m', '--cpus', '0.5', 'busybox', 'sh', '-c', 'while :; do :; done'])).code, 0);
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-idle', 'busybox', 'sleep', '300'])).code, 0);
  await d.docker(['create', '--name', 'berth-test-created', 'busybox', 'true']);
  await sleep(1000);
  const r = await d.docker(['stats', '--no-stream']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
  const hog = lines.find((l) => l.includes('berth-test-dstats'))!;
  const cols = hog.split(/\s{2,}/);
  const cpu = parseFloat(cols[2]!);
  // 250 ms window over a 100 ms CFS period: at most one extra quota (60 %) at the window's edge.
  assert.ok(cpu > 15 && cpu <= 65, `CPU % of a hog limited to 0.5 CPUs: ${cols[2]}`);
  assert.match(cols[3]!, /^\d+(\.\d+)?KiB \/ 64MiB$/);
  assert.match(cols[4]!, /^\d+\.\d\d%$/);
  assert.equal(cols[5], '0B / 0B');
  assert.match(cols[6]!, /^\d+(\.\d+)?k?B \/ \d+(\.\d+)?k?B$/);
  assert.equal(cols[7], '1'); // the shell runs the loop itself
  const idle = lines.find((l) => l.includes('berth-test-idle'))!.split(/\s{2,}/);
  assert.ok(parseFloat(idle[2]!) < 5, `idle container CPU ${idle[2]}`);
  assert.ok(!lines.some((l) => l.includes('berth-test-created')));
  const all = await d.docker(['stats', '--no-stream', '--all', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}']);
  assert.match(all.stdout, /^berth-test-created 0\.00% 0B \/ 0B 0$/m);
  await d.docker(['rm', '-f', 'berth-test-dstats', 'berth-test-idle', 'berth-test-created']);
});

test('with runc: limits, OOM and a live update work the same', { skip: skip || (existsSync('/usr/sbin/runc') ? false : 'runc not installed') }, async () => {
  const r = new TestDaemon('runc');
  await r.start();
  try {
    await r.importBusybox();
    const oom = await r.docker(['run', '--name', 'berth-test-runc-oom', '-m', '16m', '--memory-swap', '16m', 'busybox', 'sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a)']);
    assert.equal(oom.code, 137);
    assert.equal((await r.docker(['inspect', '-f', '{{.State.OOMKilled}}', 'berth-test-runc-oom'])).stdout.trim(), 'true');
    assert.equal((await r.docker(['run', '-d', '--name', 'berth-test-runc-upd', '-m', '32m', '--pids-limit', '10', '--cpus', '0.5', 'busybox', 'sleep', '300'])).code, 0);
    const id = (await r.docker(['inspect', '-f', '{{.Id}}', 'berth-test-runc-upd'])).stdout.trim();
    const file = (c: string, f: string): string => readFileSync(`/sys/fs/cgroup/${c}${r.cgroupParent}/${id}/${f}`, 'utf8').trim();
    assert.equal(file('memory', 'memory.limit_in_bytes'), String(32 * MB));
    assert.equal(file('cpu', 'cpu.cfs_quota_us'), '50000');
    const u = await r.docker(['update', '-m', '64m', '--memory-swap', '128m', '--pids-limit', '-1', '--cpus', '1', 'berth-test-runc-upd']);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(file('memory', 'memory.limit_in_bytes'), String(64 * MB));
    assert.equal(file('pids', 'pids.max'), 'max');
    assert.equal(file('cpu', 'cpu.cfs_quota_us'), '100000');
    const st = (await r.api('GET', '/containers/berth-test-runc-upd/stats?stream=false&one-shot=true')).json as Stats;
    assert.equal(st.memory_stats.limit, 64 * MB);
  } finally {
    await r.stop();
  }
});
