// How template data looks to the Go-template evaluator. Plain JSON values (from the Engine
// API) behave like Go maps/slices; `GoStruct` behaves like a Go struct pointer with methods
// (docker's formatter contexts: `.ID`, `.Label "k"`, …). Printing follows fmt's %v, JSON
// follows encoding/json with SetEscapeHTML(false).

export type MethodFn = (...args: unknown[]) => unknown;

/**
 * A struct-like value: unknown fields are an error (as for a Go struct), functions are
 * methods, and `json` marshals every zero-argument method (docker's formatter.MarshalJSON).
 */
export class GoStruct {
  readonly typeName: string;
  readonly members: Readonly<Record<string, unknown>>;
  readonly #json: (() => unknown) | undefined;

  /** `json` replaces the default marshalling (for structs with json tags, `APIVersion` → "ApiVersion"). */
  constructor(typeName: string, members: Record<string, unknown>, json?: () => unknown) {
    this.typeName = typeName;
    this.members = members;
    this.#json = json;
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.members, name);
  }

  /**
   * docker's formatter contexts implement MarshalJSON with json.Marshal, which escapes
   * <, > and & (`"\u003cnone\u003e"`); structs with plain json tags do not.
   */
  get escapesHtml(): boolean {
    return this.#json === undefined;
  }

  /** The value docker's MarshalJSON produces: every exported zero-argument method, by name. */
  toJSONObject(): unknown {
    if (this.#json) return this.#json();
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(this.members).sort()) {
      const m = this.members[name];
      if (typeof m === 'function') {
        if (m.length === 0) out[name] = (m as MethodFn)();
      } else {
        out[name] = m;
      }
    }
    return out;
  }
}

/**
 * Go prints structs as `{a b}` and maps as `map[k:v]` with sorted keys; JSON objects carry no
 * type, so an object whose keys all look like exported Go field names is taken for a struct
 * and keeps its order, and any other object is a map.
 */
export function looksLikeStruct(obj: Record<string, unknown>): boolean {
  const keys = Object.keys(obj);
  return keys.length > 0 && keys.every((k) => /^[A-Z][A-Za-z0-9]*$/.test(k));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoStruct);
}

/** text/template truthiness: false, 0, nil, and empty strings, slices and maps are false. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** fmt's %v of a value, as text/template prints the result of an action. */
export function printValue(v: unknown, top = true): string {
  if (v === undefined) return top ? '<no value>' : '<nil>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => printValue(x, false)).join(' ')}]`;
  if (v instanceof GoStruct) {
    return `{${Object.values(v.members).filter((m) => typeof m !== 'function').map((x) => printValue(x, false)).join(' ')}}`;
  }
  if (isPlainObject(v)) {
    if (looksLikeStruct(v)) return `{${Object.values(v).map((x) => printValue(x, false)).join(' ')}}`;
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${printValue(v[k], false)}`).join(' ')}]`;
  }
  return String(v);
}

/**
 * Integers print as Go ints (typed API fields are int64); other numbers as fmt's %v of a
 * float64: shortest digits, exponent form below 1e-4 or from 1e6 on (strconv 'g', -1).
 */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const [mant, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${mant}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return String(n);
}

/**
 * A Go map type with methods (docker's SubHeaderContext: the column titles by field name,
 * plus a Label method): missing keys are "no value" as in a map, methods can be called.
 */
export class GoMap extends GoStruct {}

/** encoding/json Marshal (HTML not escaped; map keys sorted; GoStruct via its methods). */
export function goJson(v: unknown): string {
  let s = JSON.stringify(toJsonValue(v)).replace(/[\u2028\u2029]/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
  if (v instanceof GoStruct && v.escapesHtml) {
    s = s.replace(/[<>&]/g, (c) => ({ '<': '\\u003c', '>': '\\u003e', '&': '\\u0026' })[c]!);
  }
  return s;
}

function toJsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof GoStruct) return toJsonValue(v.toJSONObject());
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (isPlainObject(v)) {
    const keys = looksLikeStruct(v) ? Object.keys(v) : Object.keys(v).sort();
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = toJsonValue(v[k]);
    return out;
  }
  return v;
}

/** strconv.Quote: a double-quoted Go string literal. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if ((cp >= 0x80 && cp < 0xa0) || cp === 0xfffd || (cp >= 0xd800 && cp < 0xe000)) {
      out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}
