// The precompiled seccomp filter (runtime/seccomp-bpf.ts) against the real crun: the profile a
// container gets compiles to the same bytes crun compiles itself, a container started with the
// run.oci.seccomp_bpf_data annotation behaves exactly like one without it, crun really loads
// the annotation instead of compiling, and how much start time that saves. Everything made
// here is named berth-test-bpf* (temp dir, crun state root, containers, cgroups) and removed in
// after(), also when a test failed. The crun parts need root; they skip without it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import os from 'node:os';
import { SeccompBpfCompiler, SECCOMP_BPF_ANNOTATION } from '../../src/runtime/index.ts';
import { convertSeccompProfile, DEFAULT_CAPABILITIES, type DockerSeccompProfile } from '../../src/security/index.ts';
import type { OciSeccomp } from '../../src/oci/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PROFILE_PATH = '/usr/share/containers/seccomp.json';
const CGROUP_PARENT = 'berth-test-bpf';
const RUNS = 20;

const unavailable = new SeccompBpfCompiler().unavailableReason;
const noLib = unavailable === undefined ? false : `libseccomp.so.2 or koffi not loadable: ${unavailable}`;
const noProfile = existsSync(PROFILE_PATH) ? false : `${PROFILE_PATH} is missing (containers-common)`;
const crunPath = spawnSync('sh', ['-c', 'command -v crun'], { encoding: 'utf8' }).stdout.trim();
const noCrun = process.getuid?.() !== 0 ? 'needs root' : crunPath === '' ? 'needs crun' : false;
const skipCompile = noLib || noProfile;
const skipCrun = skipCompile || noCrun;
for (const reason of new Set([skipCompile, skipCrun])) if (reason !== false) console.log(`# seccomp-bpf: skipping: ${reason}`);

/** The linux.seccomp a container with Docker's default capabilities gets on this host. */
function containerProfile(): OciSeccomp {
  const profile = JSON.parse(readFileSync(PROFILE_PATH, 'utf8')) as DockerSeccompProfile;
  const oci = convertSeccompProfile(profile, DEFAULT_CAPABILITIES, { arch: 'amd64', kernel: os.release() });
  assert.ok(oci !== null);
  return oci;
}

test('the profile a container gets compiles to BPF, once', { skip: skipCompile }, () => {
  const profile = containerProfile();
  const c = new SeccompBpfCompiler();
  const t0 = performance.now();
  const bpf = c.compile(profile);
  const ms = performance.now() - t0;
  assert.ok(bpf !== null, String(c.lastError));
  assert.ok(bpf.length > 0 && bpf.length % 8 === 0, `${bpf.length} bytes`);
  assert.equal(c.compile(profile), bpf, 'cached: the same Buffer');
  const withUnknown = { ...profile, syscalls: [...profile.syscalls ?? [], { names: ['no_such_syscall_berth'], action: 'SCMP_ACT_ALLOW' }] };
  assert.ok(c.compile(withUnknown)?.equals(bpf), 'an unknown syscall name is skipped');
  console.log(`# converted profile: ${profile.syscalls?.length} rules -> ${bpf.length / 8} instructions, compiled in ${ms.toFixed(1)} ms`);
});

describe('crun with run.oci.seccomp_bpf_data', { skip: skipCrun }, () => {
  let work = '';
  let state = '';
  let rootfs = '';
  let profile: OciSeccomp;
  let baseConfig: Record<string, unknown> & { process: Record<string, unknown>; linux: Record<string, unknown>; root: Record<string, unknown> };
  const compiler = new SeccompBpfCompiler();
  const ids = new Set<string>();
  let n = 0;

  function crun(args: string[], stdio: 'pipe' | 'ignore' = 'pipe'): { code: number; stdout: string; stderr: string; ms: number } {
    const t0 = performance.now();
    const r = spawnSync(crunPath, [`--root=${state}`, ...args], { encoding: 'utf8', stdio: ['ignore', stdio, stdio], timeout: 30_000 });
    const ms = performance.now() - t0;
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms };
  }

  /** Writes a bundle (config.json only; the rootfs is shared) and returns its dir and a fresh id. */
  function bundle(args: string[], annotations: Record<string, string>, seccomp: OciSeccomp | undefined = profile): { dir: string; id: string } {
    n += 1;
    const id = `${CGROUP_PARENT}-${process.pid}-${n}`;
    const dir = join(work, `bundle-${n}`);
    mkdirSync(dir);
    const config = {
      ...baseConfig,
      process: { ...baseConfig.process, args },
      linux: { ...baseConfig.linux, cgroupsPath: `/${CGROUP_PARENT}/${n}`, ...(seccomp === undefined ? {} : { seccomp }) },
      annotations,
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    ids.add(id);
    return { dir, id };
  }

  /** `crun run` in the foreground; returns what the container printed and how long it took. */
  function run(
    args: string[], annotations: Record<string, string>, seccomp: OciSeccomp | undefined = profile,
  ): { code: number; stdout: string; stderr: string; ms: number } {
    const { dir, id } = bundle(args, annotations, seccomp);
    try {
      return crun(['run', '--bundle', dir, id]);
    } finally {
      crun(['delete', '-f', id], 'ignore');
      rmSync(dir, { recursive: true, force: true });
    }
  }

  before(() => {
    work = mkdtempSync('/tmp/berth-test-bpf-');
    state = join(work, 'state');
    rootfs = join(work, 'rootfs');
    const tar = join(work, 'busybox.tar');
    const mk = spawnSync('bash', [join(ROOT, 'scripts/busybox-rootfs.sh'), tar], { encoding: 'utf8' });
    assert.equal(mk.status, 0, mk.stderr);
    mkdirSync(rootfs);
    const untar = spawnSync('tar', ['-C', rootfs, '-xf', tar], { encoding: 'utf8' });
    assert.equal(untar.status, 0, untar.stderr);
    const spec = spawnSync(crunPath, ['spec'], { cwd: work, encoding: 'utf8' });
    assert.equal(spec.status, 0, spec.stderr);
    baseConfig = JSON.parse(readFileSync(join(work, 'config.json'), 'utf8')) as typeof baseConfig;
    const caps = [...DEFAULT_CAPABILITIES];
    baseConfig.root = { path: rootfs, readonly: true };
    baseConfig.process = {
      ...baseConfig.process,
      terminal: false,
      // the capabilities the profile was converted for, as Docker grants them
      capabilities: { bounding: caps, effective: caps, permitted: caps },
    };
    profile = containerProfile();
  });

  after(() => {
    for (const id of ids) if (state !== '') crun(['delete', '-f', id], 'ignore');
    if (work !== '') rmSync(work, { recursive: true, force: true });
    // crun removes each container's cgroup; the parent it created for them stays behind.
    for (const ctrl of readdirSync('/sys/fs/cgroup')) removeCgroupTree(join('/sys/fs/cgroup', ctrl, CGROUP_PARENT));
  });

  test("crun's own compilation of the profile is byte-identical", (t) => {
    const expected = compiler.compile(profile);
    assert.ok(expected !== null, String(compiler.lastError));
    // `crun create` writes the program it compiled to <state>/<id>/seccomp.bpf before start.
    const { dir, id } = bundle(['true'], {});
    try {
      const r = crun(['create', '--bundle', dir, id], 'ignore');
      assert.equal(r.code, 0);
      const file = join(state, id, 'seccomp.bpf');
      if (!existsSync(file)) {
        t.skip(`this crun keeps no ${file}`);
        return;
      }
      assert.ok(readFileSync(file).equals(expected), 'same bytes as crun');
    } finally {
      crun(['delete', '-f', id], 'ignore');
    }
  });

  test('a container behaves the same with and without the annotation', () => {
    const annotation = compiler.annotationFor(profile);
    assert.ok(SECCOMP_BPF_ANNOTATION in annotation, String(compiler.lastError));
    const script = 'grep Seccomp /proc/self/status; swapoff / 2>&1; echo swapoff=$?; hostname x 2>&1; echo hostname=$?';
    const plain = run(['sh', '-c', script], {});
    const bpf = run(['sh', '-c', script], annotation);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^Seccomp:\s+2$/m, 'filter mode');
    assert.match(plain.stdout, /swapoff.*Operation not permitted/, 'unconditional ERRNO rule');
    assert.match(plain.stdout, /^swapoff=[1-9]/m);
    assert.match(plain.stdout, /^hostname=[1-9]/m, 'sethostname without CAP_SYS_ADMIN');
    assert.equal(bpf.code, plain.code, bpf.stderr);
    assert.equal(bpf.stdout, plain.stdout);
    console.log(`# container output (both runs):\n${plain.stdout.trimEnd().replace(/^/gm, '#   ')}`);
  });

  test('crun loads the annotation instead of compiling linux.seccomp', () => {
    // linux.seccomp allows mkdir; the annotated program is compiled from a copy without it,
    // so there mkdir hits the default action (ENOSYS). Which one the container sees tells
    // which filter crun loaded.
    const withoutMkdir: OciSeccomp = {
      ...profile,
      syscalls: (profile.syscalls ?? []).map((r) => ({ ...r, names: r.names.filter((x) => x !== 'mkdir' && x !== 'mkdirat') })),
    };
    assert.ok(!compiler.compile(withoutMkdir)?.equals(compiler.compile(profile)!), 'a different program');
    const annotation = compiler.annotationFor(withoutMkdir);
    assert.ok(SECCOMP_BPF_ANNOTATION in annotation, String(compiler.lastError));
    const script = 'mkdir /dev/berth-probe 2>&1; echo mkdir=$?';
    const plain = run(['sh', '-c', script], {});
    const bpf = run(['sh', '-c', script], annotation);
    assert.equal(plain.stdout, 'mkdir=0\n', plain.stderr);
    assert.match(bpf.stdout, /Function not implemented\nmkdir=1\n$/, bpf.stderr);
  });

  test(`start time: ${RUNS} x crun run with and without the annotation`, () => {
    const annotation = compiler.annotationFor(profile);
    assert.ok(SECCOMP_BPF_ANNOTATION in annotation);
    run(['true'], {}); // warm the page cache for every path
    run(['true'], annotation);
    run(['true'], {}, undefined);
    const plain: number[] = [];
    const bpf: number[] = [];
    const none: number[] = [];
    const variants: [number[], Record<string, string>, OciSeccomp | undefined][] = [
      [plain, {}, profile], [bpf, annotation, profile], [none, {}, undefined],
    ];
    // interleaved, so load changes hit all alike, in a shuffled order each round so that no
    // variant always follows the same one
    for (let i = 0; i < RUNS; i++) {
      for (const [into, ann, seccomp] of shuffled(variants)) {
        const r = run(['true'], ann, seccomp);
        assert.equal(r.code, 0, r.stderr);
        into.push(r.ms);
      }
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const fmt = (xs: number[]): string => `${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)})`;
    console.log(`# crun run, median of ${RUNS}: linux.seccomp only ${fmt(plain)}; with ${SECCOMP_BPF_ANNOTATION} ${fmt(bpf)}; ` +
      `no seccomp at all ${fmt(none)}; load ${load}`);
  });
});

function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** rmdir a cgroup dir and its children, deepest first (cgroup dirs hold only pseudo-files). */
function removeCgroupTree(dir: string): void {
  let st;
  try { st = statSync(dir); } catch { return; }
  if (!st.isDirectory()) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
  try { rmdirSync(dir); } catch (err) { console.log(`# could not remove cgroup ${dir}: ${String(err)}`); }
}
