// Logical lines -> typed instructions grouped into stages (BuildKit
// frontend/dockerfile/instructions/parse.go semantics). Variables are NOT expanded here:
// the evaluator expands each instruction with the stage's environment at its turn
// (expand.ts). Pure; errors carry the Dockerfile line.
import { DockerfileParseError, parseDockerfile, parseJsonForm, splitKeepQuotes, type Heredoc, type Node, type Directives } from './parser.ts';

interface Base { line: number; original: string }

export interface FromInstr extends Base { kind: 'from'; image: string; name: string | null; platform: string | null }
export interface RunInstr extends Base {
  kind: 'run'; json: boolean; cmd: string[]; heredocs: Heredoc[];
  mounts: string[]; network: string | null; security: string | null;
}
export interface CmdInstr extends Base { kind: 'cmd' | 'entrypoint'; json: boolean; cmd: string[] }
export interface KeyValueInstr extends Base { kind: 'env' | 'label'; pairs: [string, string][] }
export interface ArgInstr extends Base { kind: 'arg'; args: { name: string; value: string | null }[] }
export interface ExposeInstr extends Base { kind: 'expose'; ports: string[] }
export interface VolumeInstr extends Base { kind: 'volume'; paths: string[] }
export interface WordInstr extends Base { kind: 'user' | 'workdir' | 'stopsignal' | 'maintainer'; value: string }
export interface CopyInstr extends Base {
  kind: 'copy' | 'add'; sources: string[]; dest: string; heredocs: Heredoc[];
  from: string | null; chown: string | null; chmod: string | null; link: boolean;
  keepGitDir: boolean; checksum: string | null; parents: boolean; exclude: string[];
}
export interface HealthcheckInstr extends Base {
  kind: 'healthcheck'; test: string[];
  interval: number; timeout: number; startPeriod: number; startInterval: number; retries: number;
}
export interface OnbuildInstr extends Base { kind: 'onbuild'; expression: string }
export interface ShellInstr extends Base { kind: 'shell'; shell: string[] }

export type Instruction = FromInstr | RunInstr | CmdInstr | KeyValueInstr | ArgInstr | ExposeInstr
  | VolumeInstr | WordInstr | CopyInstr | HealthcheckInstr | OnbuildInstr | ShellInstr;

export interface Stage {
  index: number;
  /** Lower-cased AS name, or null. */
  name: string | null;
  from: FromInstr;
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Directives;
  /** ARGs before the first FROM (usable in FROM lines). */
  metaArgs: ArgInstr[];
  stages: Stage[];
  warnings: string[];
}

const ALLOWED_FLAGS: Record<string, string[]> = {
  from: ['platform'],
  run: ['mount', 'network', 'security'],
  copy: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'],
  add: ['chown', 'chmod', 'link', 'keep-git-dir', 'checksum', 'exclude'],
  healthcheck: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

function err(n: Node, msg: string): DockerfileParseError {
  return new DockerfileParseError(n.line, msg);
}

function flagsOf(n: Node): Map<string, string[]> {
  const allowed = ALLOWED_FLAGS[n.cmd] ?? [];
  const out = new Map<string, string[]>();
  for (const f of n.flags) {
    if (!allowed.includes(f.name)) throw err(n, `unknown flag: ${f.name}`);
    const list = out.get(f.name) ?? [];
    list.push(f.value ?? 'true');
    out.set(f.name, list);
  }
  return out;
}

function one(flags: Map<string, string[]>, name: string): string | null {
  const v = flags.get(name);
  return v ? v.at(-1)! : null;
}

function bool(n: Node, flags: Map<string, string[]>, name: string): boolean {
  const v = one(flags, name);
  if (v === null) return false;
  if (v === 'true' || v === '') return true;
  if (v === 'false') return false;
  throw err(n, `expecting boolean value for flag ${name}, not: ${v}`);
}

/** Go duration (1h2m3.5s, 500ms, 30s) in nanoseconds. */
export function parseGoDuration(s: string): number | null {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * unit[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== s.length || s.length === 0) return null;
  return Math.round(total);
}

function duration(n: Node, flags: Map<string, string[]>, name: string): number {
  const v = one(flags, name);
  if (v === null) return 0;
  const d = parseGoDuration(v);
  if (d === null) throw err(n, `time: invalid duration "${v}"`);
  if (d !== 0 && d < 1e6) throw err(n, `${name} cannot be less than 1ms`);
  return d;
}

/** Exec form as JSON, else the shell form as one string. */
function cmdForm(n: Node): { json: boolean; cmd: string[] } {
  const json = parseJsonForm(n.rest);
  if (json) return { json: true, cmd: json };
  return { json: false, cmd: n.rest === '' ? [] : [n.rest] };
}

/** ENV/LABEL: `k=v k2="v 2"` or the legacy `ENV k v w`. Values keep their quotes. */
function keyValues(n: Node, esc: string): [string, string][] {
  const words = splitKeepQuotes(n.rest, esc);
  if (words.length === 0) throw err(n, `${n.cmd.toUpperCase()} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    if (n.cmd === 'label') throw err(n, `LABEL requires at least one argument`);
    // Legacy form: ENV key value...
    const m = /^(\S+)[ \t]+([\s\S]*)$/.exec(n.rest);
    if (!m) throw err(n, `ENV must have two arguments`);
    return [[m[1]!, m[2]!.trim()]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw err(n, `Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

export function parseInstruction(n: Node, esc: string): Instruction {
  const base = { line: n.line, original: n.original };
  const flags = flagsOf(n);
  const need = (min: number, what = n.cmd.toUpperCase()): string[] => {
    const w = splitKeepQuotes(n.rest, esc);
    if (w.length < min) throw err(n, min === 1 ? `${what} requires at least one argument` : `${what} requires at least ${min} arguments`);
    return w;
  };
  switch (n.cmd) {
    case 'from': {
      const w = need(1);
      if (w.length !== 1 && w.length !== 3) throw err(n, `FROM requires either one or three arguments`);
      if (w.length === 3 && w[1]!.toLowerCase() !== 'as') throw err(n, `FROM requires either one or three arguments`);
      const name = w.length === 3 ? w[2]!.toLowerCase() : null;
      if (name !== null && !/^[a-z][a-z0-9-_.]*$/.test(name)) throw err(n, `invalid name for build stage: "${w[2]}", name can't start with a number or contain symbols`);
      return { kind: 'from', ...base, image: w[0]!, name, platform: one(flags, 'platform') };
    }
    case 'run': {
      const f = cmdForm(n);
      if (f.cmd.length === 0 && n.heredocs.length === 0) throw err(n, `RUN requires at least one argument`);
      return { kind: 'run', ...base, ...f, heredocs: n.heredocs, mounts: flags.get('mount') ?? [], network: one(flags, 'network'), security: one(flags, 'security') };
    }
    case 'cmd':
    case 'entrypoint':
      return { kind: n.cmd, ...base, ...cmdForm(n) };
    case 'env':
    case 'label':
      return { kind: n.cmd, ...base, pairs: keyValues(n, esc) };
    case 'arg': {
      const w = need(1);
      return {
        kind: 'arg', ...base,
        args: w.map((a) => {
          const eq = a.indexOf('=');
          const name = eq < 0 ? a : a.slice(0, eq);
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw err(n, `invalid ARG name: ${JSON.stringify(name)}`);
          return { name, value: eq < 0 ? null : a.slice(eq + 1) };
        }),
      };
    }
    case 'expose':
      return { kind: 'expose', ...base, ports: need(1) };
    case 'volume': {
      const json = parseJsonForm(n.rest);
      const paths = json ?? splitKeepQuotes(n.rest, esc);
      if (paths.length === 0) throw err(n, `VOLUME requires at least one argument`);
      if (paths.some((p) => p.trim() === '')) throw err(n, `VOLUME specified can not be an empty string`);
      return { kind: 'volume', ...base, paths };
    }
    case 'user':
    case 'workdir':
    case 'stopsignal':
    case 'maintainer': {
      if (n.rest === '') throw err(n, `${n.cmd.toUpperCase()} requires exactly one argument`);
      if ((n.cmd === 'user' || n.cmd === 'stopsignal') && splitKeepQuotes(n.rest, esc).length !== 1) throw err(n, `${n.cmd.toUpperCase()} requires exactly one argument`);
      return { kind: n.cmd, ...base, value: n.rest };
    }
    case 'copy':
    case 'add': {
      const json = parseJsonForm(n.rest);
      let words = json ?? splitKeepQuotes(n.rest, esc);
      const heredocNames = new Set(n.heredocs.map((h) => h.name));
      // Heredoc sources are `<<EOF` words in the list; their content is in n.heredocs.
      words = words.map((w) => {
        const m = /^<<-?["']?([a-zA-Z_][a-zA-Z0-9_]*)["']?$/.exec(w);
        return m && heredocNames.has(m[1]!) ? `<<${m[1]}` : w;
      });
      if (words.length < 2) throw err(n, `${n.cmd.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined`);
      return {
        kind: n.cmd, ...base, sources: words.slice(0, -1), dest: words.at(-1)!, heredocs: n.heredocs,
        from: n.cmd === 'copy' ? one(flags, 'from') : null, chown: one(flags, 'chown'), chmod: one(flags, 'chmod'),
        link: bool(n, flags, 'link'), keepGitDir: bool(n, flags, 'keep-git-dir'), checksum: one(flags, 'checksum'),
        parents: bool(n, flags, 'parents'), exclude: flags.get('exclude') ?? [],
      };
    }
    case 'healthcheck': {
      const m = /^(\S+)[ \t]*([\s\S]*)$/.exec(n.rest);
      if (!m) throw err(n, `HEALTHCHECK requires an argument`);
      const type = m[1]!.toUpperCase();
      if (type === 'NONE') {
        if (m[2] !== '') throw err(n, `HEALTHCHECK NONE takes no arguments`);
        return { kind: 'healthcheck', ...base, test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
      }
      if (type !== 'CMD') throw err(n, `Unknown type "${type}" in HEALTHCHECK (try CMD)`);
      const json = parseJsonForm(m[2]!);
      if (!json && m[2]!.trim() === '') throw err(n, `Missing command after HEALTHCHECK CMD`);
      const test = json ? ['CMD', ...json] : ['CMD-SHELL', m[2]!];
      const retriesRaw = one(flags, 'retries');
      let retries = 0;
      if (retriesRaw !== null) {
        retries = Number(retriesRaw);
        if (!Number.isInteger(retries)) throw err(n, `invalid retries value: ${retriesRaw}`);
        if (retries < 0) throw err(n, `--retries cannot be negative (${retries})`);
      }
      return {
        kind: 'healthcheck', ...base, test,
        interval: duration(n, flags, 'interval'), timeout: duration(n, flags, 'timeout'),
        startPeriod: duration(n, flags, 'start-period'), startInterval: duration(n, flags, 'start-interval'), retries,
      };
    }
    case 'onbuild': {
      const m = /^(\S+)/.exec(n.rest);
      if (!m) throw err(n, `ONBUILD requires at least one argument`);
      const trig = m[1]!.toUpperCase();
      if (trig === 'ONBUILD') throw err(n, `Chaining ONBUILD via \`ONBUILD ONBUILD\` isn't allowed`);
      if (trig === 'MAINTAINER' || trig === 'FROM') throw err(n, `${trig} isn't allowed as an ONBUILD trigger`);
      if (!KNOWN.has(trig.toLowerCase())) throw err(n, `unknown instruction: ${trig}`);
      return { kind: 'onbuild', ...base, expression: n.rest };
    }
    case 'shell': {
      const json = parseJsonForm(n.rest);
      if (!json) throw err(n, `SHELL requires the arguments to be in JSON form`);
      if (json.length === 0) throw err(n, `SHELL requires at least one argument`);
      return { kind: 'shell', ...base, shell: json };
    }
    default:
      throw err(n, `unknown instruction: ${n.original.split(/\s/)[0]!.toUpperCase()}`);
  }
}

const KNOWN = new Set(['from', 'run', 'cmd', 'entrypoint', 'env', 'label', 'arg', 'expose', 'volume', 'user', 'workdir',
  'stopsignal', 'maintainer', 'copy', 'add', 'healthcheck', 'onbuild', 'shell']);

/** Parses a whole Dockerfile into meta ARGs and stages. */
export function parseStages(text: string): Dockerfile {
  const parsed = parseDockerfile(text);
  const esc = parsed.directives.escape;
  const metaArgs: ArgInstr[] = [];
  const stages: Stage[] = [];
  for (const n of parsed.nodes) {
    const ins = parseInstruction(n, esc);
    if (ins.kind === 'from') {
      stages.push({ index: stages.length, name: ins.name, from: ins, instructions: [] });
      continue;
    }
    const cur = stages.at(-1);
    if (!cur) {
      if (ins.kind === 'arg') { metaArgs.push(ins); continue; }
      throw new DockerfileParseError(n.line, `no build stage in current context`);
    }
    cur.instructions.push(ins);
  }
  const names = new Set<string>();
  for (const s of stages) {
    if (s.name === null) continue;
    if (names.has(s.name)) throw new DockerfileParseError(s.from.line, `duplicate name ${s.name}`);
    names.add(s.name);
  }
  return { directives: parsed.directives, metaArgs, stages, warnings: parsed.warnings };
}

/** One instruction from a text line (ONBUILD triggers). */
export function parseOneInstruction(text: string, escape = '\\'): Instruction {
  const p = parseDockerfile(text);
  const n = p.nodes[0];
  if (!n) throw new DockerfileParseError(0, 'empty instruction');
  return parseInstruction(n, escape);
}
