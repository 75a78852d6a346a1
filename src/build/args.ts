// Build-time variables (moby builder/dockerfile/buildargs.go): ARGs before the first FROM
// (meta args, for FROM lines), per-stage ARG scope, --build-arg overrides, the predefined
// proxy args, and the environment RUN sees. Pure.
import { processWord, type Lookup } from './dockerfile/index.ts';
import type { ArgInstr } from './dockerfile/index.ts';

export const PREDEFINED_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
]);

export class BuildArgs {
  /** --build-arg values; null = given without a value (use the Dockerfile's default). */
  readonly given: ReadonlyMap<string, string | null>;
  readonly consumed = new Set<string>();
  /** Meta args (before the first FROM) with their values. */
  readonly meta = new Map<string, string | undefined>();

  constructor(given: Record<string, string | null>) {
    this.given = new Map(Object.entries(given));
  }

  /** Evaluates the ARGs before the first FROM. */
  evalMeta(instrs: readonly ArgInstr[], escape: string): void {
    for (const ins of instrs) {
      for (const a of ins.args) {
        this.consumed.add(a.name);
        const given = this.given.get(a.name);
        if (given !== undefined && given !== null) this.meta.set(a.name, given);
        else if (a.value !== null) this.meta.set(a.name, processWord(a.value, this.metaLookup(), escape));
        else this.meta.set(a.name, undefined);
      }
    }
  }

  metaLookup(): Lookup {
    return (name) => this.meta.get(name);
  }

  /** The value of `ARG name[=default]` inside a stage (undefined: declared without value). */
  stageValue(name: string, def: string | null, lookup: Lookup, escape: string): string | undefined {
    this.consumed.add(name);
    const given = this.given.get(name);
    if (given !== undefined && given !== null) return given;
    if (def !== null) return processWord(def, lookup, escape);
    return this.meta.get(name);
  }

  /** Predefined proxy args given with --build-arg (RUN sees them without an ARG line). */
  predefined(): [string, string][] {
    return [...this.given].filter(([k, v]) => PREDEFINED_ARGS.has(k) && v !== null) as [string, string][];
  }

  /** Build args nobody declared, for Docker's warning. */
  unconsumed(): string[] {
    return [...this.given.keys()].filter((k) => !this.consumed.has(k) && !PREDEFINED_ARGS.has(k)).sort();
  }
}

/** Env entries `K=V` -> lookup with later entries winning, then the stage's ARGs. ENV beats ARG. */
export function stageLookup(env: readonly string[], args: ReadonlyMap<string, string | undefined>): Lookup {
  const m = new Map<string, string>();
  for (const kv of env) {
    const i = kv.indexOf('=');
    m.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1));
  }
  return (name) => (m.has(name) ? m.get(name) : args.get(name));
}

/** The `K=V` list RUN gets from ARGs in scope (those with values, not shadowed by ENV), sorted. */
export function runArgEnv(env: readonly string[], args: ReadonlyMap<string, string | undefined>): string[] {
  const envNames = new Set(env.map((kv) => kv.split('=')[0]));
  return [...args].filter(([k, v]) => v !== undefined && !envNames.has(k)).map(([k, v]) => `${k}=${v}`).sort();
}

/** Sets or replaces `K=V` in an env list, keeping its position. */
export function setEnv(env: readonly string[], key: string, value: string): string[] {
  const nameOf = (kv: string): string => (kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv);
  const idx = env.findIndex((kv) => nameOf(kv) === key);
  const out = [...env];
  if (idx >= 0) out[idx] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}
