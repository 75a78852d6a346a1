// POST /containers/create: validate everything first (no side effect before), merge the
// request with the image config as Docker does (daemon/create.go, container config merge),
// reserve the name, make the read-write layer, write the record.
import { InvalidArgumentError, NotFoundError, newId } from '../../lib/index.ts';
import type { ContainerConfig, ContainerCreateRequest, HealthConfig, HostConfig } from '../../api/types/index.ts';
import type { ImageRuntimeConfig } from '../../oci/index.ts';
import { RESOURCE_DEFAULTS, adaptResources, mergeEnv, parseSignal } from '../../specgen/index.ts';
import { emitContainerEvent, type ContainerContext } from '../context.ts';
import { initialState, type ContainerCreateConfig } from '../record.ts';
import { generateName, VALID_NAME } from '../names.ts';
import { validateRestartPolicy } from '../restart-policy.ts';
import { requestedNetworks } from '../networking.ts';
import { acquireVolumes, planContainerMounts, releaseVolumes } from '../mounts.ts';
import type { MountRecord } from '../mount-parse.ts';
import { validateSecurity } from '../security-inputs.ts';
import { containerLogConfig } from '../log-shipping.ts';

export async function createContainer(ctx: ContainerContext, req: ContainerCreateRequest, name: string | undefined): Promise<{ Id: string; Warnings: string[] }> {
  if (req === null || typeof req !== 'object') throw new InvalidArgumentError('config cannot be empty in order to create a container');
  if (name !== undefined && name !== '' && !VALID_NAME.test(name)) {
    throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  if (!req.Image) throw new InvalidArgumentError('no image specified');
  const image = ctx.images.resolve(req.Image);
  validateHostConfig(ctx, req.HostConfig ?? {});
  const logConfig = containerLogConfig(ctx, req.HostConfig?.LogConfig);
  const { hostConfig, warnings } = adaptResources(req.HostConfig ?? {}, ctx.host.resources);
  if (req.Healthcheck) validateHealth(req.Healthcheck);
  if (req.StopSignal) parseSignal(req.StopSignal);

  const config = mergeConfig(req, image.config.config ?? {});
  warnings.push(...validateSecurity(hostConfig, ctx.host, !!ctx.options.remap));
  const networks = requestedNetworks(ctx, hostConfig, { ...req, ExposedPorts: config.ExposedPorts ?? null }, config.Labels ?? {}, warnings);
  const entrypoint = config.Entrypoint ?? [];
  const cmd = config.Cmd ?? [];
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) throw new InvalidArgumentError('No command specified');
  const mountPlan = await planContainerMounts(ctx, hostConfig, config);

  const id = newId();
  const finalName = name?.replace(/^\//, '') || generateName((n) => ctx.store.nameTaken(n));
  ctx.store.reserveName(finalName, id);
  let mounts: MountRecord[];
  try {
    mounts = await acquireVolumes(ctx, id, mountPlan);
  } catch (err) {
    ctx.store.releaseName(finalName, id);
    throw err;
  }
  const record: ContainerCreateConfig = {
    id,
    created: new Date().toISOString(),
    imageId: image.id,
    imageRef: req.Image,
    imageTopLayer: image.topChainId,
    path: argv[0]!,
    args: argv.slice(1),
    config,
    hostConfig: {
      NetworkMode: 'default', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, ...RESOURCE_DEFAULTS, ...hostConfig,
      LogConfig: logConfig,
    },
    mounts,
  };
  // The layer and the record do not depend on each other: make both at once, and undo
  // both if either fails.
  const [layer, added] = await Promise.allSettled([ctx.layers.createRW(id, image.topChainId), ctx.store.add(record, { ...initialState(finalName), networks })]);
  if (layer.status === 'rejected' || added.status === 'rejected') {
    if (added.status === 'fulfilled') await ctx.store.remove(added.value).catch(() => undefined);
    ctx.store.releaseName(finalName, id);
    await ctx.layers.removeRW(id).catch(() => undefined);
    await releaseVolumes(ctx, id, mounts, true);
    throw layer.status === 'rejected' ? layer.reason : (added as PromiseRejectedResult).reason;
  }
  const c = added.value;
  emitContainerEvent(ctx, c, 'create');
  return { Id: id, Warnings: warnings };
}

function validateHostConfig(ctx: ContainerContext, h: HostConfig): void {
  validateRestartPolicy(h.RestartPolicy, h.AutoRemove === true);
  if (h.Runtime && !ctx.runtimes.has(h.Runtime)) {
    throw new InvalidArgumentError(`unknown or invalid runtime name: ${h.Runtime}`);
  }
  if (h.Init && !ctx.options.initPath) throw new InvalidArgumentError('--init requested but no init binary (tini or catatonit) is installed');
}

function validateHealth(h: HealthConfig): void {
  const ms = 1_000_000;
  if (h.Interval && h.Interval < ms) throw new InvalidArgumentError('Interval in Healthcheck cannot be less than 1ms');
  if (h.Timeout && h.Timeout < ms) throw new InvalidArgumentError('Timeout in Healthcheck cannot be less than 1ms');
  if (h.Retries !== undefined && h.Retries < 0) throw new InvalidArgumentError('Retries in Healthcheck cannot be negative');
  if (h.StartPeriod && h.StartPeriod < ms) throw new InvalidArgumentError('StartPeriod in Healthcheck cannot be less than 1ms');
  if (h.StartInterval && h.StartInterval < ms) throw new InvalidArgumentError('StartInterval in Healthcheck cannot be less than 1ms');
}

/** The image's config with the request's fields on top (moby daemon/images merge()). */
export function mergeConfig(req: ContainerCreateRequest, img: ImageRuntimeConfig): ContainerConfig {
  const out: ContainerConfig = {
    Hostname: req.Hostname ?? '',
    Domainname: req.Domainname ?? '',
    User: req.User || img.User || '',
    AttachStdin: req.AttachStdin ?? false,
    AttachStdout: req.AttachStdout ?? false,
    AttachStderr: req.AttachStderr ?? false,
    ExposedPorts: { ...(img.ExposedPorts ?? {}), ...(req.ExposedPorts ?? {}) },
    Tty: req.Tty ?? false,
    OpenStdin: req.OpenStdin ?? false,
    StdinOnce: req.StdinOnce ?? false,
    Env: mergeEnv(img.Env ?? [], req.Env ?? []),
    Image: req.Image ?? '',
    Volumes: { ...(img.Volumes ?? {}), ...(req.Volumes ?? {}) },
    WorkingDir: req.WorkingDir || img.WorkingDir || '',
    Labels: { ...(img.Labels ?? {}), ...(req.Labels ?? {}) },
    OnBuild: null,
    StopSignal: req.StopSignal || img.StopSignal || undefined,
    StopTimeout: req.StopTimeout ?? undefined,
  };
  // An entrypoint given in the request replaces the image's and drops the image's Cmd;
  // an empty one ([] or [""], from --entrypoint "") resets it (moby daemon/create.go).
  if (Array.isArray(req.Entrypoint)) {
    const reset = req.Entrypoint.length === 0 || (req.Entrypoint.length === 1 && req.Entrypoint[0] === '');
    out.Entrypoint = reset ? null : req.Entrypoint;
    out.Cmd = req.Cmd && req.Cmd.length > 0 ? req.Cmd : null;
  } else {
    out.Entrypoint = img.Entrypoint ?? null;
    out.Cmd = req.Cmd && req.Cmd.length > 0 ? req.Cmd : (img.Cmd ?? null);
  }
  const health = req.Healthcheck ?? (img.Healthcheck as HealthConfig | undefined);
  if (health) out.Healthcheck = health;
  if (out.StopSignal === undefined) delete out.StopSignal;
  if (out.StopTimeout === undefined) delete out.StopTimeout;
  return out;
}
