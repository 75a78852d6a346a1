// fmt.Sprintf for the `printf` template function: verbs %v %s %q %d %t %x %X %o %b %c %e
// %f %g %%, flags `-+ 0#`, width and precision. Bad verbs and argument counts render the
// way fmt does (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA …)`).
import { formatNumber, goQuote, printValue } from './go-value.ts';

export function goSprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c !== '%') { out += c; i++; continue; }
    i++;
    if (format[i] === '%') { out += '%'; i++; continue; }
    let flags = '';
    while (i < format.length && '-+ 0#'.includes(format[i]!)) flags += format[i++];
    let width = -1;
    const w = /^\d+/.exec(format.slice(i));
    if (w) { width = Number(w[0]); i += w[0].length; }
    let prec = -1;
    if (format[i] === '.') {
      i++;
      const p = /^\d*/.exec(format.slice(i))![0];
      prec = p === '' ? 0 : Number(p);
      i += p.length;
    }
    const verb = format[i];
    if (verb === undefined) { out += '%!(NOVERB)'; break; }
    i++;
    if (argi >= args.length) { out += `%!${verb}(MISSING)`; continue; }
    const arg = args[argi++];
    out += pad(formatOne(verb, arg, flags, prec), width, flags);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args.slice(argi).map((a) => `${goTypeName(a)}=${printValue(a)}`).join(', ')})`;
  }
  return out;
}

function pad(s: string, width: number, flags: string): string {
  const len = [...s].length;
  if (width < 0 || len >= width) return s;
  if (flags.includes('-')) return s + ' '.repeat(width - len);
  if (flags.includes('0') && /^[+-]?\d/.test(s)) {
    const sign = /^[+-]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(width - len) + s.slice(sign.length);
  }
  return ' '.repeat(width - len) + s;
}

function formatOne(verb: string, arg: unknown, flags: string, prec: number): string {
  const bad = (): string => `%!${verb}(${goTypeName(arg)}=${printValue(arg)})`;
  switch (verb) {
    case 'v':
      return typeof arg === 'number' ? signed(formatNumber(arg), flags) : printValue(arg);
    case 's':
      if (typeof arg === 'number' || typeof arg === 'boolean') return bad();
      return prec >= 0 ? [...printValue(arg)].slice(0, prec).join('') : printValue(arg);
    case 'q':
      if (typeof arg === 'string') return goQuote(arg);
      if (typeof arg === 'number' && Number.isInteger(arg)) return `'${String.fromCodePoint(arg)}'`;
      return bad();
    case 't':
      return typeof arg === 'boolean' ? String(arg) : bad();
    case 'd':
      return typeof arg === 'number' && Number.isInteger(arg) ? signed(arg.toFixed(0), flags) : bad();
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const radix = verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
      if (typeof arg === 'number' && Number.isInteger(arg)) {
        const digits = Math.abs(arg).toString(radix);
        const prefix = flags.includes('#') ? (radix === 16 ? '0x' : radix === 8 ? '0' : '0b') : '';
        const s = (arg < 0 ? '-' : '') + prefix + digits;
        return verb === 'X' ? s.toUpperCase() : s;
      }
      if (typeof arg === 'string' && radix === 16) {
        const hex = Buffer.from(arg, 'utf8').toString('hex');
        return verb === 'X' ? hex.toUpperCase() : hex;
      }
      return bad();
    }
    case 'c':
      return typeof arg === 'number' && Number.isInteger(arg) ? String.fromCodePoint(arg) : bad();
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      if (typeof arg !== 'number') return bad();
      return signed(formatFloat(arg, verb.toLowerCase(), prec, verb === 'E' || verb === 'G'), flags);
    }
    default:
      return `%!${verb}(${goTypeName(arg)}=${printValue(arg)})`;
  }
}

function signed(s: string, flags: string): string {
  if (s.startsWith('-')) return s;
  if (flags.includes('+')) return '+' + s;
  if (flags.includes(' ')) return ' ' + s;
  return s;
}

function formatFloat(n: number, verb: string, prec: number, upper: boolean): string {
  let s: string;
  if (verb === 'f') s = n.toFixed(prec < 0 ? 6 : prec);
  else if (verb === 'e') s = goExp(n.toExponential(prec < 0 ? 6 : prec));
  else if (prec < 0) s = formatNumber(n);
  else {
    const p = prec === 0 ? 1 : prec;
    const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
    s = exp < -4 || exp >= p ? goExp(trimZeros(n.toExponential(p - 1))) : trimZeros(n.toPrecision(p));
  }
  return upper ? s.toUpperCase() : s;
}

function trimZeros(s: string): string {
  const [m, e] = s.split('e') as [string, string | undefined];
  const mant = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
  return e === undefined ? mant : `${mant}e${e}`;
}

/** JS writes 1e+6; Go writes at least two exponent digits: 1e+06. */
function goExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** The Go type name fmt shows in bad-verb output, as a JSON value would decode. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? '[]string' : '[]interface {}';
  return 'map[string]interface {}';
}
