// The floor: `crun run` (or `runc run`) of a prepared busybox bundle running `true`, in the
// foreground, the runtime's own create+start+wait+delete. Nothing an engine does can be cheaper.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must, run } from './proc.mjs';

const RUNTIMES = { crun: '/usr/bin/crun', runc: '/usr/sbin/runc' };

/**
 * crun 1.8 refuses hybrid cgroups while hugetlb sits on v2 (PLATFORM.md §2.6). The fix is the same
 * idempotent, host-global step berthd takes at start-up; it is not undone (berthd needs it too).
 */
export async function ensureHugetlbV1() {
  // same test as `grep -qw hugetlb /proc/self/mountinfo`
  if (/\bhugetlb\b/.test(readFileSync('/proc/self/mountinfo', 'utf8'))) return false;
  mkdirSync('/sys/fs/cgroup/hugetlb', { recursive: true });
  must(await run('mount', ['-t', 'cgroup', '-o', 'hugetlb', 'cgroup', '/sys/fs/cgroup/hugetlb']), 'mount hugetlb cgroup');
  return true;
}

export class Floor {
  constructor(work, runId, runtime) {
    this.runtime = runtime;
    this.bin = RUNTIMES[runtime];
    this.dir = join(work, 'floor');
    this.bundle = join(this.dir, 'bundle');
    this.stateRoot = join(this.dir, 'state');
    this.cgroupParent = `/berth-bench-${runId}-floor`;
    this.n = 0;
    this.mountedHugetlb = false;
    this.version = null;
  }

  async prepare(tar) {
    if (this.runtime === 'crun') this.mountedHugetlb = await ensureHugetlbV1();
    mkdirSync(join(this.bundle, 'rootfs'), { recursive: true });
    mkdirSync(this.stateRoot, { recursive: true });
    must(await run('tar', ['-C', join(this.bundle, 'rootfs'), '-xf', tar]), 'untar busybox rootfs');
    must(await run(this.bin, ['spec'], { cwd: this.bundle }), `${this.runtime} spec`);
    const path = join(this.bundle, 'config.json');
    const spec = JSON.parse(readFileSync(path, 'utf8'));
    spec.process.args = ['true'];
    spec.process.terminal = false;
    spec.linux.cgroupsPath = `${this.cgroupParent}/floor`;
    writeFileSync(path, JSON.stringify(spec, null, 2));
    this.version = (await run(this.bin, ['--version'])).stdout.split('\n')[0];
  }

  /** One timed foreground run; returns milliseconds. */
  async once() {
    const id = `berth-bench-floor-${process.pid}-${this.n++}`;
    const res = await run(this.bin, ['--root', this.stateRoot, 'run', '-b', this.bundle, id], { timeoutMs: 60_000 });
    must(res, `${this.runtime} run`);
    return res.ms;
  }
}
