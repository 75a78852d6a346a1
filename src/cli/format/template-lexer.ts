// Lexer for the Go text/template subset (see template.ts). Produces the token stream of
// Go's text/template/parse/lex.go: text between actions, and inside `{{ }}` identifiers,
// fields, variables, literals, pipes and parentheses. Trim markers `{{- ` / ` -}}` remove
// the white space around an action, as in Go.

export type TokenKind =
  | 'text' | 'left' | 'right'
  | 'field' | 'identifier' | 'variable' | 'dot' | 'string' | 'number' | 'bool' | 'nil'
  | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma' | 'keyword' | 'eof';

export interface Token {
  kind: TokenKind;
  value: string;
  line: number;
  /** Byte offset in the source (for `line:col` in execution errors). */
  pos: number;
  /** White space precedes the token: `.A .B` is two operands, `.A.B` one field chain. */
  spaced?: boolean;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block']);
const SPACE = /[ \t\r\n]/;

/** A template syntax error, worded like Go's (`template: :1: unexpected "}" in operand`). */
export class TemplateSyntaxError extends Error {
  constructor(line: number, detail: string) {
    super(`template: :${line}: ${detail}`);
    this.name = 'TemplateSyntaxError';
  }
}

export function lexTemplate(src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  const push = (kind: TokenKind, value: string, at = pos): void => {
    tokens.push({ kind, value, line, pos: at });
    for (const ch of value) if (ch === '\n') line++;
  };

  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    if (open < 0) {
      push('text', src.slice(pos));
      break;
    }
    const rawText = src.slice(pos, open);
    let text = rawText;
    let inner = open + 2;
    // "{{- " trims the white space before the action.
    if (src[inner] === '-' && SPACE.test(src[inner + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      inner += 2;
    }
    if (text !== '') push('text', text, pos);
    line += countNewlines(rawText.slice(text.length));
    // Comments: {{/* ... */}}
    const afterSpace = skipSpace(src, inner);
    if (src.startsWith('/*', afterSpace)) {
      const close = src.indexOf('*/', afterSpace + 2);
      if (close < 0) throw new TemplateSyntaxError(line, 'unclosed comment');
      let end = skipSpace(src, close + 2);
      let trimAfter = false;
      if (src[end] === '-' && src.startsWith('}}', end + 1)) { trimAfter = true; end += 1; }
      if (!src.startsWith('}}', end)) throw new TemplateSyntaxError(line, 'comment ends before closing delimiter');
      line += countNewlines(src.slice(afterSpace, end));
      pos = end + 2;
      if (trimAfter) pos = skipTrimmed(src, pos, (n) => { line += n; });
      continue;
    }
    push('left', '{{', open);
    pos = lexInside(src, inner, tokens, () => line, (n) => { line += n; });
    // lexInside returns the index just after "}}"; a trim marker was recorded on the token.
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'right' && last.value === '-}}') pos = skipTrimmed(src, pos, (n) => { line += n; });
  }
  tokens.push({ kind: 'eof', value: '', line, pos: src.length });
  return tokens;
}

function skipTrimmed(src: string, pos: number, addLines: (n: number) => void): number {
  const end = skipSpace(src, pos);
  addLines(countNewlines(src.slice(pos, end)));
  return end;
}

function skipSpace(src: string, pos: number): number {
  while (pos < src.length && SPACE.test(src[pos]!)) pos++;
  return pos;
}

function lexInside(
  src: string, start: number, tokens: Token[], getLine: () => number, addLines: (n: number) => void,
): number {
  let pos = start;
  let parenDepth = 0;
  let spaced = true;
  const push = (kind: TokenKind, value: string): void => {
    tokens.push({ kind, value, line: getLine(), pos, spaced });
    spaced = false;
  };
  for (;;) {
    if (pos >= src.length) throw new TemplateSyntaxError(getLine(), 'unclosed action');
    const ch = src[pos]!;
    // " -}}" trims the white space after the action.
    if (SPACE.test(ch)) {
      const end = skipSpace(src, pos);
      addLines(countNewlines(src.slice(pos, end)));
      if (src[end] === '-' && src.startsWith('}}', end + 1)) {
        push('right', '-}}');
        return end + 3;
      }
      pos = end;
      spaced = true;
      continue;
    }
    if (src.startsWith('}}', pos)) {
      if (parenDepth > 0) throw new TemplateSyntaxError(getLine(), 'unclosed left paren');
      push('right', '}}');
      return pos + 2;
    }
    if (ch === '|') { push('pipe', '|'); pos++; continue; }
    if (ch === '(') { parenDepth++; push('lparen', '('); pos++; continue; }
    if (ch === ')') {
      parenDepth--;
      if (parenDepth < 0) throw new TemplateSyntaxError(getLine(), `unexpected right paren`);
      push('rparen', ')'); pos++; continue;
    }
    if (ch === ',') { push('comma', ','); pos++; continue; }
    if (src.startsWith(':=', pos)) { push('declare', ':='); pos += 2; continue; }
    if (ch === '=') { push('assign', '='); pos++; continue; }
    if (ch === '"') {
      const end = scanQuoted(src, pos, '"', getLine());
      push('string', unquoteGo(src.slice(pos, end), getLine()));
      pos = end;
      continue;
    }
    if (ch === '`') {
      const end = src.indexOf('`', pos + 1);
      if (end < 0) throw new TemplateSyntaxError(getLine(), 'unterminated raw quoted string');
      const raw = src.slice(pos + 1, end);
      push('string', raw);
      addLines(countNewlines(raw));
      pos = end + 1;
      continue;
    }
    if (ch === "'") {
      const end = scanQuoted(src, pos, "'", getLine());
      const value = unquoteGo(`"${src.slice(pos + 1, end - 1)}"`, getLine());
      push('number', String(value.codePointAt(0) ?? 0));
      pos = end;
      continue;
    }
    if (ch === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(pos))!;
      push('variable', m[0]);
      pos += m[0].length;
      continue;
    }
    if (ch === '.') {
      const m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(pos));
      if (m) { push('field', m[0].slice(1)); pos += m[0].length; continue; }
      if (/[0-9]/.test(src[pos + 1] ?? '')) {
        pos = lexNumber(src, pos, push, getLine());
        continue;
      }
      push('dot', '.');
      pos++;
      continue;
    }
    if (/[0-9+-]/.test(ch)) {
      pos = lexNumber(src, pos, push, getLine());
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(pos));
    if (id) {
      const word = id[0];
      if (word === 'true' || word === 'false') push('bool', word);
      else if (word === 'nil') push('nil', word);
      else if (KEYWORDS.has(word)) push('keyword', word);
      else push('identifier', word);
      pos += word.length;
      continue;
    }
    throw new TemplateSyntaxError(getLine(), `unrecognized character in action: ${JSON.stringify(ch)}`);
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}

function lexNumber(src: string, pos: number, push: (k: TokenKind, v: string) => void, line: number): number {
  const m = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)/.exec(src.slice(pos));
  const text = m?.[0] ?? '';
  if (text === '' || text === '+' || text === '-' || /^[+-]?\.?$/.test(text)) {
    throw new TemplateSyntaxError(line, `bad number syntax: ${JSON.stringify(src.slice(pos, pos + 1))}`);
  }
  const next = src[pos + text.length] ?? '';
  if (/[A-Za-z0-9_.]/.test(next)) {
    throw new TemplateSyntaxError(line, `bad number syntax: ${JSON.stringify(text + next)}`);
  }
  push('number', text);
  return pos + text.length;
}

function scanQuoted(src: string, pos: number, quote: string, line: number): number {
  let i = pos + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') { i += 2; continue; }
    if (c === '\n') break;
    if (c === quote) return i + 1;
    i++;
  }
  throw new TemplateSyntaxError(line, 'unterminated quoted string');
}

/** Decodes a Go double-quoted string literal (strconv.Unquote). */
export function unquoteGo(literal: string, line = 1): string {
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') { out += c; continue; }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'",
    };
    if (e !== undefined && simple[e] !== undefined) { out += simple[e]; continue; }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const hex = body.slice(i + 1, i + 1 + hexLen);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLen) throw new TemplateSyntaxError(line, 'invalid syntax');
      out += String.fromCodePoint(parseInt(hex, 16));
      i += hexLen;
      continue;
    }
    if (e !== undefined && /[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new TemplateSyntaxError(line, 'invalid syntax');
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
      continue;
    }
    throw new TemplateSyntaxError(line, 'invalid syntax');
  }
  return out;
}
