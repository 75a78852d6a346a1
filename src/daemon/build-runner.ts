// The builder's BuildBackend over the container service: a RUN step is a container created
// from the step's image with the command as Cmd (the image's entrypoint reset, health checks
// off, no TTY), started, its log followed and demultiplexed, and waited for. Glue only.
import { kindOf } from '../lib/index.ts';
import { commitContainer, type BuildBackend, type BuildStore } from '../build/index.ts';
import type { ContainerService } from '../container/index.ts';
import type { ImageService } from '../image/index.ts';
import type { LayerStore } from '../layer/index.ts';
import type { CommitRequest } from '../api/server/index.ts';
import type { ImageRuntimeConfig } from '../oci/index.ts';

/** Splits Docker stdcopy frames (8-byte header, big-endian length) across chunk boundaries. */
export function frameSplitter(): (chunk: Buffer) => Buffer[] {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    const out: Buffer[] = [];
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const len = pending.readUInt32BE(4);
      if (pending.length < 8 + len) break;
      out.push(pending.subarray(8, 8 + len));
      pending = pending.subarray(8 + len);
    }
    return out;
  };
}

/** Marks RUN-step containers, so a daemon killed mid-build can remove them at its next start. */
export const BUILD_STEP_LABEL = 'io.berth.build-step';

/** At start-up: build containers a killed daemon left behind (no build survives a restart). */
export async function removeLeftoverBuildContainers(containers: ContainerService): Promise<number> {
  const left = await containers.list({ all: true, limit: -1, size: false, filters: { label: [BUILD_STEP_LABEL] } });
  for (const c of left) await containers.remove(c.Id, { force: true, volumes: true }).catch(() => undefined);
  return left.length;
}

export function buildRunner(containers: ContainerService): BuildBackend {
  return {
    async run(spec, on, signal) {
      const hostConfig: Record<string, unknown> = {};
      if (spec.networkMode) hostConfig.NetworkMode = spec.networkMode;
      if (spec.extraHosts?.length) hostConfig.ExtraHosts = spec.extraHosts;
      if (spec.mounts?.length) {
        hostConfig.Mounts = spec.mounts.map((m) => m.type === 'tmpfs'
          ? { Type: 'tmpfs', Target: m.target, ReadOnly: m.readOnly, TmpfsOptions: { ...(m.size ? { SizeBytes: m.size } : {}), Options: [['exec']] } }
          : { Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly });
      }
      const { Id } = await containers.create({
        Image: spec.image, Cmd: spec.cmd, Entrypoint: [''], Env: spec.env, User: spec.user, WorkingDir: spec.workingDir,
        Tty: false, OpenStdin: false, AttachStdout: true, AttachStderr: true,
        Healthcheck: { Test: ['NONE'] }, Labels: { [BUILD_STEP_LABEL]: '1' },
        HostConfig: hostConfig,
      }, undefined);
      on.created(Id);
      // Cancelled while the container was being made: never start it (the caller removes it).
      if (signal.aborted) throw new Error('build cancelled');
      const kill = (): void => { void containers.kill(Id, 'KILL').catch(() => undefined); };
      signal.addEventListener('abort', kill, { once: true });
      try {
        await containers.start(Id);
        if (signal.aborted) kill();
        const logs = containers.logs(Id, { stdout: true, stderr: true, follow: true, tail: 'all', timestamps: false }, signal);
        const split = logs.tty ? (c: Buffer) => [c] : frameSplitter();
        // Awaiting the output is the back-pressure: a slow client slows the log reading.
        for await (const chunk of logs.chunks) for (const payload of split(chunk)) await on.output(payload);
        const exitCode = await containers.wait(Id, 'not-running', signal);
        return { containerId: Id, exitCode };
      } finally {
        signal.removeEventListener('abort', kill);
      }
    },
    async remove(id) {
      // A container killed a moment ago may still be settling (exit handling, runtime
      // delete): try again briefly rather than leave it behind.
      for (let attempt = 0; ; attempt++) {
        try {
          await containers.remove(id, { force: true, volumes: true });
          return;
        } catch (err) {
          if (kindOf(err) === 'not-found') return;
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        }
      }
    },
  };
}

/** An image from the image store, else a build step image (RUN containers start from those). */
export function imageOrStep(images: ImageService, steps: BuildStore): (ref: string) => ReturnType<ImageService['resolve']> {
  return (ref) => {
    try {
      return images.resolve(ref);
    } catch (err) {
      const s = steps.resolve(ref);
      if (s) return { ...s, lastTagTime: '' };
      throw err;
    }
  };
}

/** POST /commit over the container service and the builder's commit. */
export function commitRunner(containers: ContainerService, images: ImageService, steps: BuildStore, layers: LayerStore): (o: CommitRequest) => Promise<string> {
  const resolveImage = imageOrStep(images, steps);
  return async (o) => {
    const c = containers.inspect(o.container);
    return commitContainer({ layers, images, resolveImage, tmpDir: steps.tmpDir }, {
      id: c.Id, imageId: c.Image, config: c.Config as ImageRuntimeConfig, createdBy: [c.Path, ...c.Args].join(' '),
      running: c.State.Running, pause: () => containers.pause(c.Id), unpause: () => containers.unpause(c.Id),
    }, { ...o, config: o.config as ImageRuntimeConfig | undefined });
  };
}
