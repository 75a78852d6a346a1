// The config-only instructions (moby builder/dockerfile/dispatchers.go): each one, expanded
// with the stage's variables, becomes the history line Docker writes (after
// "/bin/sh -c #(nop)  ") and a change to the image's runtime config. ARG is handled by the
// builder (it changes the stage's variables, not the config). Pure.
import { posix } from 'node:path';
import type { ImageConfig, ImageRuntimeConfig } from '../../oci/index.ts';
import { processWord, processWords, type Instruction, type Lookup } from '../dockerfile/index.ts';
import { setEnv } from '../args.ts';
import { BuildError } from '../errors.ts';

export type MetaInstruction = Exclude<Instruction, { kind: 'from' | 'run' | 'copy' | 'add' | 'arg' }>;

export interface MetaContext {
  lookup: Lookup;
  escape: string;
  /** The stage's SHELL, for the shell forms of CMD and ENTRYPOINT. */
  shell: readonly string[];
  /** A CMD came earlier in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  /** The current WORKDIR, for a relative one. */
  workdir: string;
}

export interface MetaChange {
  /** The instruction as Docker records it ("ENV A=1"). */
  createdBy: string;
  /** The full history line: "<shell> #(nop)  ENV A=1" (one space before WORKDIR, as moby writes it). */
  history: string;
  apply(c: ImageRuntimeConfig, full: ImageConfig): void;
}

/** moby's withCmdComment / withCmdCommentString: the shell, "#(nop) ", then the comment. */
export function nopLine(shell: readonly string[], createdBy: string, oneSpace = false): string {
  return `${shell.join(' ')} #(nop) ${oneSpace ? '' : ' '}${createdBy}`;
}

/** Go's %q of a string slice: ["a" "b"]. */
export function goQuoted(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** EXPOSE words -> "80/tcp"-style keys (ranges expanded). */
export function exposedPorts(words: readonly string[]): string[] {
  const ports: string[] = [];
  for (const w of words) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
    if (!m) throw new BuildError(`Invalid containerPort: ${w}`);
    const proto = (m[3] ?? 'tcp').toLowerCase();
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    if (hi < lo || hi > 65535) throw new BuildError(`Invalid range specified for containerPort: ${w}`);
    for (let p = lo; p <= hi; p++) ports.push(`${p}/${proto}`);
  }
  return ports;
}

export function metaChange(ins: MetaInstruction, ctx: MetaContext): MetaChange {
  const c = metaChangeOf(ins, ctx);
  const shell = ins.kind === 'shell' ? ins.shell : ctx.shell;
  return { ...c, history: nopLine(shell, c.createdBy, ins.kind === 'workdir') };
}

function metaChangeOf(ins: MetaInstruction, ctx: MetaContext): Omit<MetaChange, 'history'> {
  const word = (s: string): string => processWord(s, ctx.lookup, ctx.escape);
  switch (ins.kind) {
    case 'env': {
      const pairs = ins.pairs.map(([k, v]) => [word(k), word(v)] as const);
      return {
        createdBy: `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`,
        apply: (c) => {
          let env = c.Env ?? [];
          for (const [k, v] of pairs) env = setEnv(env, k, v);
          c.Env = env;
        },
      };
    }
    case 'label': {
      const pairs = ins.pairs.map(([k, v]) => [word(k), word(v)] as const);
      return {
        createdBy: `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`,
        apply: (c) => {
          c.Labels = { ...(c.Labels ?? {}) };
          for (const [k, v] of pairs) c.Labels[k] = v;
        },
      };
    }
    case 'expose': {
      const words = ins.ports.flatMap((p) => processWords(p, ctx.lookup, ctx.escape));
      const ports = exposedPorts(words);
      return {
        createdBy: `EXPOSE ${words.join(' ')}`,
        apply: (c) => {
          c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
          for (const p of ports) c.ExposedPorts[p] = {};
        },
      };
    }
    case 'volume': {
      const paths = ins.paths.map((p) => word(p)).filter((p) => p !== '');
      if (paths.length === 0) throw new BuildError('VOLUME specified can not be an empty string');
      return {
        createdBy: `VOLUME [${paths.join(' ')}]`,
        apply: (c) => {
          c.Volumes = { ...(c.Volumes ?? {}) };
          for (const p of paths) c.Volumes[p] = {};
        },
      };
    }
    case 'user': {
      const u = word(ins.value);
      return { createdBy: `USER ${u}`, apply: (c) => { c.User = u; } };
    }
    case 'workdir': {
      const w = word(ins.value);
      // filepath.Join("/", …) in moby: cleaned, no trailing slash.
      const dir = posix.join(posix.isAbsolute(w) ? '/' : ctx.workdir || '/', w).replace(/(.)\/+$/, '$1');
      return { createdBy: `WORKDIR ${dir}`, apply: (c) => { c.WorkingDir = dir; } };
    }
    case 'stopsignal': {
      const s = word(ins.value);
      if (!/^(SIG)?[A-Z0-9+-]+$/i.test(s)) throw new BuildError(`Invalid signal: ${s}`);
      return { createdBy: `STOPSIGNAL ${s}`, apply: (c) => { c.StopSignal = s; } };
    }
    case 'maintainer':
      return { createdBy: `MAINTAINER ${ins.value}`, apply: (_c, full) => { full.author = ins.value; } };
    case 'cmd':
    case 'entrypoint': {
      const cmd = ins.json ? ins.cmd : ins.cmd.length ? [...ctx.shell, ...ins.cmd] : [];
      if (ins.kind === 'cmd') return { createdBy: `CMD ${goQuoted(cmd)}`, apply: (c) => { c.Cmd = cmd; } };
      return {
        createdBy: `ENTRYPOINT ${goQuoted(cmd)}`,
        apply: (c) => {
          c.Entrypoint = cmd;
          if (!ctx.cmdSet) c.Cmd = null;
        },
      };
    }
    case 'shell':
      return { createdBy: `SHELL [${ins.shell.join(' ')}]`, apply: (c) => { c.Shell = ins.shell; } };
    case 'healthcheck': {
      const hc: NonNullable<ImageRuntimeConfig['Healthcheck']> = { Test: ins.test };
      if (ins.interval) hc.Interval = ins.interval;
      if (ins.timeout) hc.Timeout = ins.timeout;
      if (ins.startPeriod) hc.StartPeriod = ins.startPeriod;
      if (ins.startInterval) hc.StartInterval = ins.startInterval;
      if (ins.retries) hc.Retries = ins.retries;
      const secs = (ns: number): string => `"${ns / 1e9}s"`;
      return {
        createdBy: `HEALTHCHECK &{${goQuoted(ins.test)} ${secs(ins.interval)} ${secs(ins.timeout)} ${secs(ins.startPeriod)} ${secs(ins.startInterval)} '\\x${ins.retries.toString(16).padStart(2, '0')}'}`,
        apply: (c) => { c.Healthcheck = hc; },
      };
    }
    case 'onbuild': {
      const expr = ins.expression.replace(/^(\S+)/, (k) => k.toUpperCase());
      return { createdBy: `ONBUILD ${expr}`, apply: (c) => { c.OnBuild = [...(c.OnBuild ?? []), expr]; } };
    }
  }
}
