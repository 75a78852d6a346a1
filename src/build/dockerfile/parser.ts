// Dockerfile text -> logical lines (BuildKit frontend/dockerfile/parser semantics): parser
// directives at the top (# syntax=, # escape=, # check=), comments, line continuations with
// the escape character (comment and empty lines inside a continuation are dropped), heredocs
// for RUN/COPY/ADD (<<EOF, <<-EOF, <<"EOF" without expansion), and leading --flags. Pure.

export class DockerfileParseError extends Error {
  constructor(readonly line: number, message: string) {
    super(line > 0 ? `dockerfile parse error on line ${line}: ${message}` : message);
  }
}

export interface Heredoc {
  name: string;
  content: string;
  /** False when the delimiter was quoted (<<"EOF"): no variable expansion. */
  expand: boolean;
  /** <<-EOF: leading tabs were stripped from every line. */
  chomp: boolean;
}

export interface Node {
  /** Lower-case instruction keyword. */
  cmd: string;
  /** The instruction as written, continuations joined (no heredoc bodies). */
  original: string;
  /** Leading --name[=value] flags, in order. A bare flag has value null. */
  flags: { name: string; value: string | null }[];
  /** The text after the keyword and the flags. */
  rest: string;
  heredocs: Heredoc[];
  /** 1-based first and last line. */
  line: number;
  endLine: number;
}

export interface Directives {
  escape: string;
  syntax?: string;
  check?: string;
}

export interface ParsedFile {
  directives: Directives;
  nodes: Node[];
  warnings: string[];
}

const DIRECTIVE_RE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const HEREDOC_CMDS = new Set(['run', 'copy', 'add']);
const HEREDOC_WORD_RE = /^<<(-?)(["']?)([a-zA-Z_][a-zA-Z0-9_]*)\2$/;

export function parseDirectives(lines: readonly string[]): { directives: Directives; consumed: number } {
  const directives: Directives = { escape: '\\' };
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE_RE.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    const value = m[2]!;
    if (key !== 'escape' && key !== 'syntax' && key !== 'check') continue; // unknown directives are comments
    if (seen.has(key)) throw new DockerfileParseError(i + 1, `only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === 'escape') {
      if (value !== '\\' && value !== '`') throw new DockerfileParseError(i + 1, `invalid escape token '${value}' does not match \` or \\`);
      directives.escape = value;
    } else directives[key] = value;
  }
  return { directives, consumed: i };
}

function isComment(line: string): boolean {
  return /^[ \t]*#/.test(line);
}

function isEmpty(line: string): boolean {
  return /^[ \t\r]*$/.test(line);
}

export function parseDockerfile(text: string): ParsedFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { directives, consumed } = parseDirectives(lines);
  const esc = directives.escape;
  const contRe = new RegExp(`${esc === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const nodes: Node[] = [];
  const warnings: string[] = [];
  let i = consumed;
  while (i < lines.length) {
    const raw = lines[i]!;
    if (isEmpty(raw) || isComment(raw)) { i++; continue; }
    const start = i;
    let logical = raw.replace(/^[ \t]+/, '');
    let emptyInContinuation = false;
    while (contRe.test(logical)) {
      logical = logical.replace(contRe, '');
      i++;
      // Comments and empty lines inside a continuation are skipped.
      while (i < lines.length && (isComment(lines[i]!) || isEmpty(lines[i]!))) {
        if (isEmpty(lines[i]!)) emptyInContinuation = true;
        i++;
      }
      if (i >= lines.length) break;
      logical += lines[i]!;
    }
    if (emptyInContinuation) warnings.push(`[WARNING]: Empty continuation line found in: ${logical.trim()}`);
    const endLine = i + 1;
    i++;
    const m = /^(\S+)[ \t]*([\s\S]*)$/.exec(logical.trim());
    if (!m) continue;
    const cmd = m[1]!.toLowerCase();
    const { flags, rest } = extractFlags(m[2]!);
    const node: Node = { cmd, original: logical.trim(), flags, rest, heredocs: [], line: start + 1, endLine };
    if (HEREDOC_CMDS.has(cmd)) {
      for (const word of rest.split(/[ \t]+/)) {
        const hm = HEREDOC_WORD_RE.exec(word.replace(/^\d*(?=<<)/, ''));
        if (!hm) continue;
        const chomp = hm[1] === '-';
        const name = hm[3]!;
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          const l = lines[i++]!;
          const cmp = chomp ? l.replace(/^\t+/, '') : l;
          if (cmp === name) { closed = true; break; }
          body.push(cmp);
        }
        if (!closed) throw new DockerfileParseError(node.line, `unterminated heredoc ${name}`);
        node.heredocs.push({ name, content: body.length ? body.join('\n') + '\n' : '', expand: hm[2] === '', chomp });
      }
      node.endLine = i;
    }
    nodes.push(node);
  }
  return { directives, nodes, warnings };
}

/** Leading `--name=value` / `--name` words. Values may be quoted. */
export function extractFlags(text: string): { flags: Node['flags']; rest: string } {
  const flags: Node['flags'] = [];
  let s = text;
  for (;;) {
    const m = /^--([A-Za-z0-9][A-Za-z0-9-]*)(?:=("[^"]*"|'[^']*'|\S*))?(?:[ \t]+|$)/.exec(s);
    if (!m) break;
    let value: string | null = m[2] ?? null;
    if (value !== null && value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    flags.push({ name: m[1]!, value });
    s = s.slice(m[0].length);
  }
  return { flags, rest: s.trim() };
}

/** Splits on unquoted whitespace, keeping quotes and escapes (for later word processing). */
export function splitKeepQuotes(text: string, escape: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === escape && quote !== "'" && i + 1 < text.length) {
      cur += c + text[++i];
      started = true;
      continue;
    }
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
      continue;
    }
    if (c === '"' || c === "'") { quote = c; cur += c; started = true; continue; }
    if (c === ' ' || c === '\t' || c === '\n') {
      if (started) words.push(cur);
      cur = '';
      started = false;
      continue;
    }
    cur += c;
    started = true;
  }
  if (started) words.push(cur);
  return words;
}

/** The exec (JSON array) form, or null when `rest` is in shell form. */
export function parseJsonForm(rest: string): string[] | null {
  const t = rest.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch { /* shell form */ }
  return null;
}
