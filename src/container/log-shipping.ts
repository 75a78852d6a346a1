// The container side of log drivers: which driver a new container gets (its own or the
// daemon's default, validated at create), and what the shipper needs to know about it.
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { resolveLogConfig, validateLogConfig, type LogConfig, type ShipSpec } from '../logdriver/index.ts';
import type { ContainerContext } from './context.ts';
import type { Container } from './record.ts';

const DOCKER_DEFAULT: LogConfig = { Type: 'json-file', Config: {} };

/** The container's LogConfig; throws InvalidArgumentError (400) in Docker's words. */
export function containerLogConfig(ctx: ContainerContext, requested: { Type?: string; Config?: Record<string, string> } | undefined): LogConfig {
  const cfg = resolveLogConfig(requested ? { Type: requested.Type ?? '', Config: requested.Config ?? {} } : undefined, ctx.options.defaultLogConfig ?? DOCKER_DEFAULT);
  validateLogConfig(cfg);
  return cfg;
}

/** The record's LogConfig (records written before log drivers said json-file and meant conmon's file). */
export function logConfigOf(c: Container): LogConfig {
  const lc = c.config.hostConfig.LogConfig;
  return { Type: lc?.Type || 'json-file', Config: lc?.Config ?? {} };
}

export function shipSpec(ctx: ContainerContext, c: Container): ShipSpec {
  const cfg = c.config.config;
  return {
    dir: ctx.store.dir(c.config.id),
    config: logConfigOf(c),
    exitFile: join(ctx.conmon.exitDir, c.config.id),
    info: {
      id: c.config.id, name: `/${c.state.name}`, imageId: c.config.imageId, imageName: c.config.imageRef,
      command: [c.config.path, ...c.config.args].join(' '), created: c.config.created,
      hostname: cfg.Hostname || osHostname(), daemonName: 'berth', labels: cfg.Labels ?? {}, env: cfg.Env ?? [],
    },
  };
}
