// LogShipping: one shipper per running container whose driver is not k8s-file, opened at
// start (a refused syslog/gelf-tcp/fluentd destination fails the start, as in Docker),
// resumed after a berthd restart, finished when the container exits.
import { mkdirSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../lib/index.ts';
import type { Driver } from './driver.ts';
import { jsonFileAttrs } from './attrs.ts';
import type { ContainerInfo } from './encoders.ts';
import { RotatingJsonFile } from './json-file.ts';
import { fileOptions, type LogConfig } from './options.ts';
import { openRemote } from './remote.ts';
import { loadPosition, Shipper } from './shipper.ts';

/** What the shipper needs to know about a container. */
export interface ShipSpec {
  info: ContainerInfo;
  /** The container's directory (capture, position file, json-file logs). */
  dir: string;
  config: LogConfig;
  /**
   * conmon's exit file for the container: conmon writes it only after it drained the
   * container's pipes into the capture, so once it exists the capture is final (no need to
   * wait for conmon's exit, which comes after its exit command, `runtime delete`).
   */
  exitFile?: string;
}

export const CAPTURE_FILE = 'ctr.log';
const POSITION_FILE = 'logship.json';

/** Where `docker logs` reads a container's json-file/local logs. */
export function logFilePath(dir: string, id: string, type: string): string {
  if (type === 'local') return join(dir, 'local-logs', 'container.log');
  if (type === 'json-file') return join(dir, `${id}-json.log`);
  return join(dir, CAPTURE_FILE);
}

/**
 * conmon's --log-size-max for the capture: none. Replacing a full capture loses whatever
 * the shipper had not read yet when the container writes faster than it ships; the shipper
 * instead punches holes into what it has shipped (punch-hole.ts), which bounds the disk use.
 */
export function captureSizeMax(_cfg: LogConfig): number {
  return 0;
}

/** Where conmon writes the container's output: nowhere for `none`. */
export function capturePath(dir: string, cfg: LogConfig): string {
  return cfg.Type === 'none' ? '/dev/null' : join(dir, CAPTURE_FILE);
}

export class LogShipping {
  readonly #log: Logger;
  readonly #shippers = new Map<string, Shipper>();
  /** When each container's conmon (started by this berthd) is gone. */
  readonly #producers = new Map<string, Promise<void>>();

  constructor(log: Logger) { this.#log = log; }

  /** Whether the container's output goes through a shipper. */
  static ships(cfg: LogConfig): boolean { return cfg.Type !== 'k8s-file' && cfg.Type !== 'none'; }

  /**
   * Before conmon starts: opens the driver (connecting where Docker connects) and clears the
   * previous run's capture. Returns the function that starts tailing once conmon runs.
   */
  async prepare(spec: ShipSpec): Promise<{ begin(producerGone: Promise<void>): void; abandon(): Promise<void> }> {
    if (!LogShipping.ships(spec.config)) return { begin: () => undefined, abandon: async () => undefined };
    const driver = await this.#openDriver(spec);
    rmSync(join(spec.dir, CAPTURE_FILE), { force: true });
    rmSync(join(spec.dir, POSITION_FILE), { force: true });
    return {
      begin: (producerGone) => this.#track(spec, driver, null, producerGone),
      abandon: () => driver.close(),
    };
  }

  /** After a berthd restart: resumes a running container's shipper from its saved position. */
  async resume(spec: ShipSpec): Promise<void> {
    if (!LogShipping.ships(spec.config) || this.#shippers.has(spec.info.id)) return;
    let driver: Driver;
    try {
      driver = await this.#openDriver(spec, true);
    } catch (err) {
      this.#log.warn({ err, container: spec.info.id }, 'log driver could not be reopened; logs stay in the capture');
      return;
    }
    this.#track(spec, driver, loadPosition(join(spec.dir, POSITION_FILE)));
  }

  /**
   * The container exited: ships the rest of the capture once conmon is gone, then closes the
   * driver. A container that exited while berthd was down is resumed just for this. The
   * capture is final once conmon's exit file exists; without one (conmon killed), "gone" is
   * when this berthd's conmon exited, or a second after the exit for a conmon it did not start.
   */
  async finish(spec: ShipSpec, timeoutMs = 10_000): Promise<void> {
    if (!LogShipping.ships(spec.config)) return;
    if (!this.#shippers.has(spec.info.id)) await this.resume(spec);
    const s = this.#shippers.get(spec.info.id);
    if (!s) return;
    // conmon's exit file (a name on the exec root's tmpfs): looked up in place, this is on
    // the path between a container's exit and its report.
    const final = spec.exitFile !== undefined && existsSync(spec.exitFile);
    const gone = final ? Promise.resolve() : this.#producers.get(spec.info.id) ?? new Promise<void>((r) => setTimeout(r, 1000).unref());
    const t0 = performance.now();
    if (!await s.finish(gone, timeoutMs)) {
      this.#log.warn({ container: spec.info.id, driver: spec.config.Type, final, waitedMs: Math.round(performance.now() - t0) }, 'log shipping did not finish in time; the rest of the capture is not shipped');
    } else {
      this.#log.debug({ container: spec.info.id, final, ms: Math.round(performance.now() - t0) }, 'log shipping finished');
    }
    this.#shippers.delete(spec.info.id);
    this.#producers.delete(spec.info.id);
  }

  /** Stops every shipper (daemon shutdown): positions are saved, containers keep running. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#shippers.values()].map((s) => s.finish(Promise.resolve(), 2000)));
    this.#shippers.clear();
  }

  #track(spec: ShipSpec, driver: Driver, from: ReturnType<typeof loadPosition>, producerGone?: Promise<void>): void {
    if (producerGone) this.#producers.set(spec.info.id, producerGone);
    else this.#producers.delete(spec.info.id);
    const onError = (err: unknown): void => this.#log.warn({ err, container: spec.info.id, driver: spec.config.Type }, 'log shipping');
    const s = new Shipper(join(spec.dir, CAPTURE_FILE), join(spec.dir, POSITION_FILE), driver, from, onError);
    this.#shippers.set(spec.info.id, s);
  }

  async #openDriver(spec: ShipSpec, lazy = false): Promise<Driver> {
    const onError = (err: unknown): void => this.#log.debug({ err, container: spec.info.id, driver: spec.config.Type }, 'log destination');
    const cfg = spec.config;
    if (cfg.Type === 'json-file' || cfg.Type === 'local') {
      const path = logFilePath(spec.dir, spec.info.id, cfg.Type);
      if (cfg.Type === 'local') mkdirSync(join(spec.dir, 'local-logs'), { recursive: true });
      const attrs = cfg.Type === 'json-file' ? jsonFileAttrs(cfg.Config, spec.info) : null;
      return RotatingJsonFile.open(path, fileOptions(cfg.Type, cfg.Config), (err) => this.#log.warn({ err, container: spec.info.id }, 'log compression'), attrs);
    }
    const skip = cfg.Type === 'syslog' ? cfg.Config['syslog-tls-skip-verify'] : undefined;
    if (skip !== undefined && /^(false|0|f|no)$/i.test(skip)) {
      this.#log.warn({ container: spec.info.id }, `syslog-tls-skip-verify=${skip}: the option's presence skips TLS verification whatever its value (as in Docker); remove it to verify`);
    }
    const config = lazy && cfg.Type === 'fluentd' ? { ...cfg, Config: { ...cfg.Config, 'fluentd-async': 'true' } } : cfg;
    return openRemote(config, spec.info, onError);
  }
}
