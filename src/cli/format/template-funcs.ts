// The functions a template can call: Go's text/template builtins and the ones docker's
// templates package adds (json, split, join, title, lower, upper, pad, truncate), plus the
// header variants docker uses when it renders the header row of a table.
import { goSprintf, goTypeName } from './go-printf.ts';
import { goJson, isPlainObject, isTrue, printValue } from './go-value.ts';

export type TemplateFunc = (...args: unknown[]) => unknown;
export type FuncMap = Readonly<Record<string, TemplateFunc>>;

/** Raised by a function; the evaluator reports it as `error calling <name>: <message>`. */
export class TemplateFuncError extends Error {}

/** Raised when an argument has the wrong Go type (`wrong type for value; expected …`). */
export class TemplateArgTypeError extends Error {}

function expectString(v: unknown): string {
  if (typeof v === 'string') return v;
  throw new TemplateArgTypeError(`wrong type for value; expected string; got ${goTypeName(v)}`);
}

function expectInt(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new TemplateArgTypeError(`wrong type for value; expected int; got ${goTypeName(v)}`);
}

function expectStrings(v: unknown): string[] {
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new TemplateArgTypeError(`wrong type for value; expected []string; got ${goTypeName(v)}`);
}

function basicKind(v: unknown): 'string' | 'number' | 'bool' | 'nil' | 'other' {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'other';
}

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new TemplateFuncError('missing argument for comparison');
  const ka = basicKind(a);
  for (const b of rest) {
    const kb = basicKind(b);
    if (ka === 'nil' || kb === 'nil') {
      if (ka === kb) return true;
      if (ka === 'other' || kb === 'other') continue;
      throw new TemplateFuncError('incompatible types for comparison');
    }
    if (ka === 'other' || kb === 'other') {
      if (a === b) return true;
      throw new TemplateFuncError('non-comparable types');
    }
    if (ka !== kb) throw new TemplateFuncError('incompatible types for comparison');
    if (a === b) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  if (ka !== basicKind(b)) throw new TemplateFuncError('incompatible types for comparison');
  if (ka !== 'string' && ka !== 'number') throw new TemplateFuncError('invalid type for comparison');
  return (a as number | string) < (b as number | string);
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new TemplateFuncError(`len of type ${goTypeName(v)}`);
}

function index(item: unknown, ...keys: unknown[]): unknown {
  let cur = item;
  for (const key of keys) {
    if (Array.isArray(cur) || typeof cur === 'string') {
      if (typeof key !== 'number' || !Number.isInteger(key)) throw new TemplateFuncError(`cannot index slice/array with type ${goTypeName(key)}`);
      const len = typeof cur === 'string' ? Buffer.byteLength(cur) : cur.length;
      if (key < 0 || key >= len) throw new TemplateFuncError(`index out of range: ${key}`);
      cur = typeof cur === 'string' ? Buffer.from(cur)[key] : cur[key];
    } else if (isPlainObject(cur)) {
      if (typeof key !== 'string') throw new TemplateFuncError(`value has type ${goTypeName(key)}; should be string`);
      const map = cur;
      if (Object.prototype.hasOwnProperty.call(map, key)) cur = map[key];
      else cur = Object.values(map).every((x) => typeof x === 'string') ? '' : null;
    } else if (cur === null || cur === undefined) {
      throw new TemplateFuncError('index of untyped nil');
    } else {
      throw new TemplateFuncError(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: unknown, ...idx: unknown[]): unknown {
  const ints = idx.map(expectInt);
  if (typeof item === 'string') return item.slice(ints[0] ?? 0, ints[1] ?? item.length);
  if (Array.isArray(item)) return item.slice(ints[0] ?? 0, ints[1] ?? item.length);
  throw new TemplateFuncError(`can't slice item of type ${goTypeName(item)}`);
}

/** fmt.Sprint: a space between operands when neither side is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += printValue(a, false);
  });
  return out;
}

/** strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  if (/^[A-Za-z0-9_]$/.test(ch)) return false;
  if (ch.charCodeAt(0) < 0x80) return true;
  if (/^\p{L}|\p{N}$/u.test(ch)) return false;
  return /^\s$/u.test(ch);
}

function html(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

export const BUILTIN_FUNCS: FuncMap = {
  // `and` and `or` short-circuit; the evaluator special-cases them, these are fallbacks.
  and: (...a) => a.find((x) => !isTrue(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => isTrue(x)) ?? a[a.length - 1],
  not: (a) => !isTrue(a),
  len: (a) => length(a),
  index,
  slice,
  print: (...a) => sprint(a),
  printf: (f, ...a) => goSprintf(expectString(f), a),
  println: (...a) => a.map((x) => printValue(x, false)).join(' ') + '\n',
  html: (...a) => html(sprint(a)),
  urlquery: (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+'),
  eq,
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => lt(a, b),
  le: (a, b) => lt(a, b) || eq(a, b),
  gt: (a, b) => !lt(a, b) && !eq(a, b),
  ge: (a, b) => !lt(a, b),
};

/** docker/cli templates.basicFunctions. */
export const DOCKER_FUNCS: FuncMap = {
  json: (v) => goJson(v),
  split: (s, sep) => {
    const str = expectString(s);
    const sp = expectString(sep);
    return sp === '' ? [...str] : str.split(sp);
  },
  join: (list, sep) => expectStrings(list).join(expectString(sep)),
  title: (s) => title(expectString(s)),
  lower: (s) => expectString(s).toLowerCase(),
  upper: (s) => expectString(s).toUpperCase(),
  pad: (s, prefix, suffix) => {
    const str = expectString(s);
    return str === '' ? str : ' '.repeat(Math.max(0, expectInt(prefix))) + str + ' '.repeat(Math.max(0, expectInt(suffix)));
  },
  truncate: (s, n) => {
    const str = expectString(s);
    const len = expectInt(n);
    return Buffer.byteLength(str) < len ? str : Buffer.from(str).subarray(0, len).toString();
  },
};

/** docker/cli templates.HeaderFunctions: keep the column titles intact in table headers. */
export const HEADER_FUNCS: FuncMap = {
  json: (v) => expectString(v),
  split: (v) => expectString(v),
  join: (v) => expectString(v),
  title: (v) => expectString(v),
  lower: (v) => expectString(v),
  upper: (v) => expectString(v),
  truncate: (v) => expectString(v),
};
