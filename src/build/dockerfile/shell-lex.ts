// Docker's shell-word processing for Dockerfile instructions (moby/buildkit
// frontend/dockerfile/shell/lex.go semantics): quote removal, the escape character,
// and variable expansion with $A, ${A}, ${A:-w}, ${A-w}, ${A:+w}, ${A+w}, ${A:?m}, ${A?m},
// ${A#p}, ${A##p}, ${A%p}, ${A%%p}, ${A/p/r}, ${A//p/r}. Pure: the caller passes the
// variables (a lookup that returns undefined for unset names).

export type Lookup = (name: string) => string | undefined;

export class ShellLexError extends Error {}

interface Word { text: string; started: boolean }

class Lexer {
  #i = 0;
  constructor(private readonly s: string, private readonly escape: string, private readonly lookup: Lookup) {}

  peek(off = 0): string { return this.s[this.#i + off] ?? ''; }
  next(): string { return this.s[this.#i++] ?? ''; }
  eof(): boolean { return this.#i >= this.s.length; }

  /**
   * Reads until an unquoted, unescaped character in `stops` (not consumed), or the end.
   * With `split`, unquoted whitespace separates words.
   */
  process(stops: string, split: boolean): string[] {
    const words: string[] = [];
    let cur: Word = { text: '', started: false };
    const flush = (): void => {
      if (cur.started) words.push(cur.text);
      cur = { text: '', started: false };
    };
    while (!this.eof()) {
      const ch = this.peek();
      if (stops.includes(ch)) break;
      if (split && (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r')) {
        this.next();
        flush();
        continue;
      }
      if (ch === this.escape) {
        this.next();
        if (this.eof()) break; // a trailing escape disappears
        cur.text += this.next();
        cur.started = true;
        continue;
      }
      if (ch === "'") {
        this.next();
        cur.started = true;
        cur.text += this.#singleQuoted();
        continue;
      }
      if (ch === '"') {
        this.next();
        cur.started = true;
        cur.text += this.#doubleQuoted();
        continue;
      }
      if (ch === '$') {
        const v = this.#dollar();
        // An unquoted expansion in a word list splits on whitespace, as the shell does.
        if (split) {
          const parts = v.split(/[ \t\n]+/);
          for (let k = 0; k < parts.length; k++) {
            if (k > 0) flush();
            if (parts[k] !== '') { cur.text += parts[k]; cur.started = true; }
          }
        } else {
          cur.text += v;
          cur.started = true;
        }
        continue;
      }
      cur.text += this.next();
      cur.started = true;
    }
    if (!split) return [cur.text];
    flush();
    return words;
  }

  #singleQuoted(): string {
    let out = '';
    while (!this.eof()) {
      const ch = this.next();
      if (ch === "'") return out;
      out += ch;
    }
    throw new ShellLexError('unexpected end of statement while looking for matching single-quote');
  }

  #doubleQuoted(): string {
    let out = '';
    while (!this.eof()) {
      const ch = this.peek();
      if (ch === '"') { this.next(); return out; }
      if (ch === '$') { out += this.#dollar(); continue; }
      if (ch === this.escape) {
        const nx = this.peek(1);
        if (nx === '"' || nx === '$' || nx === this.escape) {
          this.next();
          out += this.next();
          continue;
        }
      }
      out += this.next();
    }
    throw new ShellLexError('unexpected end of statement while looking for matching double-quote');
  }

  #name(): string {
    let name = '';
    const first = this.peek();
    if (/[0-9]/.test(first)) return this.next(); // $1: positional, one digit
    while (/[A-Za-z0-9_]/.test(this.peek()) && this.peek() !== '') name += this.next();
    return name;
  }

  #dollar(): string {
    this.next(); // $
    const ch = this.peek();
    if (ch !== '{') {
      const name = this.#name();
      if (name === '') return '$';
      return this.lookup(name) ?? '';
    }
    this.next(); // {
    const name = this.#name();
    if (name === '') throw new ShellLexError(`missing ':' in substitution`);
    const value = this.lookup(name);
    const op = this.next();
    if (op === '}') return value ?? '';
    if (op === '') throw new ShellLexError(`missing '}' in substitution`);
    let colon = false;
    let mod = op;
    if (op === ':') {
      colon = true;
      mod = this.next();
      if (!'-+?'.includes(mod) || mod === '') throw new ShellLexError(`unsupported modifier (${mod}) in substitution`);
    }
    if (mod === '-' || mod === '+' || mod === '?') {
      const word = this.#word('}');
      this.#closeBrace();
      const isSet = value !== undefined && (!colon || value !== '');
      if (mod === '-') return isSet ? value! : word;
      if (mod === '+') return isSet ? word : '';
      if (!isSet) throw new ShellLexError(`${name}: ${word || 'is not allowed to be unset'}`);
      return value!;
    }
    if (mod === '#' || mod === '%') {
      let longest = false;
      if (this.peek() === mod) { this.next(); longest = true; }
      const pat = this.#word('}');
      this.#closeBrace();
      return trimPattern(value ?? '', pat, mod === '#' ? 'prefix' : 'suffix', longest);
    }
    if (mod === '/') {
      let all = false;
      if (this.peek() === '/') { this.next(); all = true; }
      const pat = this.#word('/}');
      let repl = '';
      if (this.peek() === '/') { this.next(); repl = this.#word('}'); }
      this.#closeBrace();
      return replacePattern(value ?? '', pat, repl, all);
    }
    throw new ShellLexError(`unsupported modifier (${mod}) in substitution`);
  }

  #word(stops: string): string {
    return this.process(stops, false)[0] ?? '';
  }

  #closeBrace(): void {
    if (this.next() !== '}') throw new ShellLexError(`missing '}' in substitution`);
  }
}

/** A shell glob (`*`, `?`, `[...]`) as a regular expression source. */
function globSource(pat: string): string {
  let out = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]!;
    if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '\\' && i + 1 < pat.length) out += escapeRe(pat[++i]!);
    else if (c === '[') {
      const end = pat.indexOf(']', i + 2);
      if (end < 0) { out += '\\['; continue; }
      let cls = pat.slice(i + 1, end);
      if (cls.startsWith('!')) cls = '^' + cls.slice(1);
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else out += escapeRe(c);
  }
  return out;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function trimPattern(value: string, pat: string, side: 'prefix' | 'suffix', longest: boolean): string {
  const re = new RegExp(`^(?:${globSource(pat)})$`);
  const n = value.length;
  if (side === 'prefix') {
    if (longest) { for (let i = n; i >= 0; i--) if (re.test(value.slice(0, i))) return value.slice(i); }
    else { for (let i = 0; i <= n; i++) if (re.test(value.slice(0, i))) return value.slice(i); }
  } else {
    if (longest) { for (let i = 0; i <= n; i++) if (re.test(value.slice(i))) return value.slice(0, i); }
    else { for (let i = n; i >= 0; i--) if (re.test(value.slice(i))) return value.slice(0, i); }
  }
  return value;
}

function replacePattern(value: string, pat: string, repl: string, all: boolean): string {
  if (pat === '') return value;
  let src = globSource(pat);
  let anchor = '';
  if (pat.startsWith('#')) { src = globSource(pat.slice(1)); anchor = '^'; }
  else if (pat.startsWith('%')) { src = globSource(pat.slice(1)) + '$'; }
  const re = new RegExp(anchor + src, all ? 'g' : '');
  return value.replace(re, () => repl);
}

/** Expands one word: quotes removed, variables substituted, no splitting. */
export function processWord(word: string, lookup: Lookup, escape = '\\'): string {
  const lx = new Lexer(word, escape, lookup);
  return lx.process('', false)[0] ?? '';
}

/** Expands and splits a string into words, as the shell does for unquoted whitespace. */
export function processWords(text: string, lookup: Lookup, escape = '\\'): string[] {
  const lx = new Lexer(text, escape, lookup);
  return lx.process('', true);
}

/** A lookup over `NAME=value` pairs (later entries win). */
export function lookupOf(...envs: (readonly string[] | Map<string, string> | undefined)[]): Lookup {
  const m = new Map<string, string>();
  for (const env of envs) {
    if (!env) continue;
    if (env instanceof Map) for (const [k, v] of env) m.set(k, v);
    else for (const kv of env) {
      const i = kv.indexOf('=');
      if (i < 0) m.set(kv, '');
      else m.set(kv.slice(0, i), kv.slice(i + 1));
    }
  }
  return (name) => m.get(name);
}
