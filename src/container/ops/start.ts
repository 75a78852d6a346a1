// Starting a container: the hot path (ANCHORS.md pain point 1). In order: mount the rootfs
// (one `mount`), write the /etc files, resolve the user from the image's passwd/group,
// generate the spec (pure), conmon + `runtime create` (wait for the pid on the sync pipe),
// connect attach clients that are waiting, `runtime start`. Nothing else spawns a process.
import { mkdir, readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname as osHostname } from 'node:os';
import { InternalError, kindOf, messageOf } from '../../lib/index.ts';
import { generateSpec, resolveUser } from '../../specgen/index.ts';
import { emitContainerEvent, etcDirOf, etcDirOnTmpfs, runtimeFor, type ContainerContext } from '../context.ts';
import { type Container } from '../record.ts';
import { AlreadyStartedError, StateConflictError } from '../errors.ts';
import { sharedEtcMounts, writeEtcFiles } from '../etc-files.ts';
import { netKind, setUpNetwork, type NetworkSetup } from '../networking.ts';
import { hostDeviceNodes } from '../host-devices.ts';
import { cgroupsPathOf } from '../cgroups-path.ts';
import { removeContainer } from './remove.ts';
import { mergeMounts, prepareMounts, unmountVolumes } from '../mounts.ts';
import { securityInputs } from '../security-inputs.ts';
import { shipSpec } from '../log-shipping.ts';
import { captureSizeMax, capturePath } from '../../logdriver/index.ts';

export async function startContainer(ctx: ContainerContext, ref: string): Promise<void> {
  const c = ctx.store.get(ref);
  try {
    await lockedStart(ctx, c);
  } catch (err) {
    // moby removes an AutoRemove container whose start failed; the docker CLI waits for it.
    if (c.config.hostConfig.AutoRemove && c.state.status !== 'running' && ctx.store.has(c.config.id)) {
      await removeContainer(ctx, c.config.id, { force: true, volumes: true }).catch(() => undefined);
    }
    throw err;
  }
}

async function lockedStart(ctx: ContainerContext, c: Container): Promise<void> {
  await ctx.lock(c.config.id, async () => {
    switch (c.state.status) {
      case 'running':
        throw new AlreadyStartedError();
      case 'paused':
        throw new StateConflictError('cannot start a paused container, try unpause instead');
      case 'removing':
      case 'dead':
        throw new StateConflictError('container is marked for removal and cannot be started');
      case 'restarting':
        throw new AlreadyStartedError();
      default:
        break;
    }
    c.state.stoppedByUser = false;
    await runProcess(ctx, c);
  });
}

/** Runs the container's process; the caller holds the container's lock. */
export async function runProcess(ctx: ContainerContext, c: Container): Promise<void> {
  const id = c.config.id;
  const h = c.config.hostConfig;
  const runtime = runtimeFor(ctx, h.Runtime ?? '');
  const dir = ctx.store.dir(id);
  let mounted = false;
  let net: NetworkSetup | null = null;
  let shipping: { begin(producerGone: Promise<void>): void; abandon(): Promise<void> } | null = null;
  await ctx.runtimeCleanup.get(id);
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  const mark = (name: string): void => { phases[name] = Math.round((performance.now() - t0) * 10) / 10; };
  try {
    const hostNetwork = netKind(h.NetworkMode) === 'host';
    let hostname = hostNetwork ? osHostname() : (c.config.config.Hostname || id.slice(0, 12));
    // The network is set up while the rootfs is mounted: neither needs the other.
    const netP = setUpNetwork(ctx, c, hostname);
    const [mountR, netR] = await Promise.allSettled([ctx.layers.mountRW(id, c.config.imageTopLayer, true), netP]);
    if (netR.status === 'fulfilled') net = netR.value;
    if (mountR.status === 'fulfilled') mounted = true;
    if (mountR.status === 'rejected') throw mountR.reason;
    if (netR.status === 'rejected') throw netR.reason;
    const rootfs = mountR.value;
    const netup = netR.value;
    mark('mounted+net');
    const share = netup.shareFrom;
    if (share) hostname = share.config.config.Hostname || share.config.id.slice(0, 12);
    const etcDir = etcDirOf(ctx, id);
    const inPlace = etcDirOnTmpfs(ctx);
    if (!share && inPlace) mkdirSync(etcDir, { recursive: true, mode: 0o700 });
    else if (!share) await mkdir(etcDir, { recursive: true, mode: 0o700 });
    const [etcMounts, passwd, group, hostDevicesByPath] = await Promise.all([
      share ? sharedEtcMounts(etcDirOf(ctx, share.config.id)) : writeEtcFiles({
        dir: etcDir, hostname, hostNetwork, extraHosts: h.ExtraHosts ?? [], dns: h.Dns ?? [], dnsSearch: h.DnsSearch ?? [],
        dnsOptions: h.DnsOptions ?? [], readonly: false, addresses: netup.addresses, nameserver: netup.nameserver,
        hostGateway: ctx.network.defaultGateway(), inPlace,
      }),
      readFile(join(rootfs, 'etc/passwd'), 'utf8').catch(() => null),
      readFile(join(rootfs, 'etc/group'), 'utf8').catch(() => null),
      hostDeviceNodes(h),
    ]);
    const userMounts = await prepareMounts(ctx, c, rootfs);
    mark('etc');
    const user = resolveUser(c.config.config.User ?? '', passwd, group, h.GroupAdd ?? []);
    const spec = generateSpec({
      id,
      rootfsPath: rootfs,
      args: [c.config.path, ...c.config.args],
      env: c.config.config.Env ?? [],
      cwd: c.config.config.WorkingDir || '/',
      user,
      hostname,
      domainname: c.config.config.Domainname ?? '',
      tty: c.config.config.Tty ?? false,
      openStdin: c.config.config.OpenStdin ?? false,
      hostConfig: h,
      extraMounts: mergeMounts(etcMounts, userMounts),
      netns: netup.netns,
      cgroupsPath: cgroupsPathOf(ctx.options.cgroupParent, h, id),
      ...(h.Init && ctx.options.initPath ? { initPath: ctx.options.initPath } : {}),
      host: ctx.host,
      hostDevicesByPath,
      ...await securityInputs(ctx, c, { noNewPrivileges: ctx.options.noNewPrivileges === true }, netup.netns),
    });
    // crun takes a precompiled filter from an annotation and skips compiling linux.seccomp
    // (which stays for runc, and for crun's flags).
    if (runtime.name === 'crun' && spec.linux?.seccomp) {
      const seccomp = spec.linux.seccomp;
      const bpf = ctx.seccompBpf.annotationFor(seccomp);
      spec.annotations = { ...(spec.annotations ?? {}), ...bpf };
      // With the filter in the annotation crun ignores the profile (it only reads its flags and
      // listener): leave out ~30 KB of JSON that every start wrote and crun parsed for nothing.
      if (Object.keys(bpf).length > 0 && !seccomp.flags?.length && seccomp.listenerPath === undefined) delete spec.linux.seccomp;
    }
    mark('spec');
    // A state left by a run whose monitor died before deleting it would make create fail.
    if (await runtime.hasState(id)) await runtime.delete(id);
    // The log driver connects now: a destination that refuses fails the start (as in Docker).
    const logSpec = shipSpec(ctx, c);
    shipping = await ctx.logShipping.prepare(logSpec);
    const { pid, monitorExited, monitorGone } = await ctx.conmon.create({
      id, name: c.state.name, spec, runtime, persistDir: dir, logPath: capturePath(dir, logSpec.config), logSizeMax: captureSizeMax(logSpec.config),
      tty: c.config.config.Tty ?? false, openStdin: c.config.config.OpenStdin ?? false,
      stdinOnce: c.config.config.StdinOnce ?? false,
    });
    // The monitor deletes the runtime state when the container exits; later starts and
    // removal of this container wait for that.
    ctx.runtimeCleanup.set(id, monitorExited);
    void monitorExited.then(() => { if (ctx.runtimeCleanup.get(id) === monitorExited) ctx.runtimeCleanup.delete(id); });
    // Tracked only now: create() removed the exit file of the previous run, and track()
    // reads an exit file that is already there, so even an instant exit is seen.
    ctx.exits.track(id);
    shipping.begin(monitorGone);
    shipping = null;
    // Attach clients connect now, while the process waits on the runtime's exec fifo, so
    // they see every byte it writes.
    const waiting = ctx.pendingAttach.get(id);
    if (waiting) {
      ctx.pendingAttach.delete(id);
      await Promise.all([...waiting].map((fn) => fn(id).catch(() => undefined)));
    }
    mark('created');
    await runtime.start(id);
    mark('started');
    c.state = {
      ...c.state, status: 'running', pid, exitCode: 0, error: '', oomKilled: false,
      startedAt: new Date().toISOString(), finishedAt: c.state.finishedAt, runtime: runtime.name, sandbox: netup.sandbox,
      health: c.config.config.Healthcheck && !isHealthDisabled(c) ? { status: 'starting', failingStreak: 0, log: [] } : null,
    };
    await ctx.store.saveState(c);
    mark('saved');
    ctx.log.debug({ container: id, phases }, 'start phases (ms since start)');
    emitContainerEvent(ctx, c, 'start');
    ctx.hooks.afterStart(c);
  } catch (err) {
    ctx.exits.untrack(id);
    await shipping?.abandon().catch(() => undefined);
    await runtime.delete(id).catch(() => undefined);
    if (mounted) await ctx.layers.unmountRW(id).catch(() => undefined);
    if (net?.sandbox) await ctx.network.releaseSandbox(id, net.sandbox).catch(() => undefined);
    c.state.sandbox = null;
    await unmountVolumes(ctx, c);
    const message = dockerStartMessage(messageOf(err));
    c.state.error = message;
    c.state.exitCode = exitCodeForStartError(message);
    if (c.state.status !== 'created') c.state.status = 'exited';
    await ctx.store.saveState(c).catch(() => undefined);
    if (kindOf(err) !== 'internal') throw err;
    throw new InternalError(message, { cause: err });
  }
}

function isHealthDisabled(c: Container): boolean {
  const t = c.config.config.Healthcheck?.Test;
  return !t || t.length === 0 || t[0] === 'NONE';
}

/**
 * Rewords runtime failures the way Docker reports them, because the docker CLI picks
 * `run`'s exit code (127, 126, 125) from these phrases (cli/command/container/run.go).
 */
export function dockerStartMessage(raw: string): string {
  let m = raw;
  const notFound = /executable file [`'"]?([^`'"]+)[`'"]? not found in \$PATH/.exec(m);
  if (notFound) {
    m = `exec: "${notFound[1]}": executable file not found in $PATH`;
  } else {
    m = m.replace(/No such file or directory/g, 'no such file or directory').replace(/Permission denied/g, 'permission denied');
  }
  return m.startsWith('failed to create task') ? m : `failed to create task for container: ${m}: unknown`;
}

export function exitCodeForStartError(msg: string): number {
  if (msg.includes('executable file not found') || msg.includes('no such file or directory')) return 127;
  if (msg.includes('permission denied') || msg.includes('is a directory')) return 126;
  return 128;
}
