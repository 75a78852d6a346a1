// Parser for the Go text/template subset: builds the tree that template-exec.ts walks.
// Grammar and error wording follow Go's text/template/parse/parse.go: actions with
// pipelines of commands, `if`/`range`/`with` with `else` (and `else if`/`else with`),
// variables (`$x := …`, `range $i, $v := …`), parenthesised pipelines and field chains.
import { lexTemplate, TemplateSyntaxError, type Token } from './template-lexer.ts';

export type Arg = ArgBody & { pos: number };
type ArgBody =
  | { kind: 'field'; names: string[] }
  | { kind: 'dot' }
  | { kind: 'variable'; name: string; names: string[] }
  | { kind: 'identifier'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; isInt: boolean; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'pipe'; pipe: Pipe; names: string[] };

export interface Command { args: Arg[]; line: number; pos: number }
export interface Pipe { decl: string[]; isAssign: boolean; cmds: Command[]; line: number; pos: number }

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | { kind: 'if' | 'with'; pipe: Pipe; list: TemplateNode[]; elseList: TemplateNode[] | null }
  | { kind: 'range'; pipe: Pipe; list: TemplateNode[]; elseList: TemplateNode[] | null }
  | { kind: 'break' | 'continue'; line: number };

export function parseTemplate(src: string, funcNames: ReadonlySet<string>): TemplateNode[] {
  return new Parser(lexTemplate(src), funcNames).parseRoot();
}

type EndReason = 'end' | 'else' | 'eof';

class Parser {
  #tokens: Token[];
  #pos = 0;
  #funcs: ReadonlySet<string>;
  #vars: string[][] = [['$']];
  #rangeDepth = 0;

  constructor(tokens: Token[], funcs: ReadonlySet<string>) {
    this.#tokens = tokens;
    this.#funcs = funcs;
  }

  parseRoot(): TemplateNode[] {
    const { list, end } = this.#parseList();
    if (end.reason !== 'eof') throw new TemplateSyntaxError(end.line, `unexpected {{${end.reason}}}`);
    return list;
  }

  #peek(offset = 0): Token {
    return this.#tokens[Math.min(this.#pos + offset, this.#tokens.length - 1)]!;
  }

  #next(): Token {
    const t = this.#peek();
    if (this.#pos < this.#tokens.length - 1) this.#pos++;
    return t;
  }

  #expect(kind: Token['kind'], context: string): Token {
    const t = this.#next();
    if (t.kind !== kind) throw new TemplateSyntaxError(t.line, `unexpected ${describe(t)} in ${context}`);
    return t;
  }

  /** Parses nodes until {{end}}, {{else}} or EOF; the terminating action is consumed. */
  #parseList(): { list: TemplateNode[]; end: { reason: EndReason; line: number } } {
    const list: TemplateNode[] = [];
    for (;;) {
      const t = this.#next();
      if (t.kind === 'eof') return { list, end: { reason: 'eof', line: t.line } };
      if (t.kind === 'text') { list.push({ kind: 'text', text: t.value }); continue; }
      // t is '{{'
      const k = this.#peek();
      if (k.kind === 'keyword') {
        if (k.value === 'end' || k.value === 'else') {
          this.#next();
          if (k.value === 'end') this.#expect('right', 'end');
          return { list, end: { reason: k.value, line: k.line } };
        }
        list.push(this.#parseControl());
        continue;
      }
      const pipe = this.#parsePipe('command', true);
      list.push({ kind: 'action', pipe });
    }
  }

  #parseControl(): TemplateNode {
    const kw = this.#next();
    switch (kw.value) {
      case 'if':
      case 'with':
        return this.#parseBranch(kw.value);
      case 'range': {
        this.#rangeDepth++;
        try {
          return this.#parseBranch('range');
        } finally {
          this.#rangeDepth--;
        }
      }
      case 'break':
      case 'continue':
        if (this.#rangeDepth === 0) throw new TemplateSyntaxError(kw.line, `{{${kw.value}}} outside {{range}}`);
        this.#expect('right', kw.value);
        return { kind: kw.value, line: kw.line };
      default:
        throw new TemplateSyntaxError(kw.line, `{{${kw.value}}} is not supported`);
    }
  }

  #parseBranch(kind: 'if' | 'with' | 'range'): TemplateNode {
    this.#vars.push([]);
    try {
      const pipe = this.#parsePipe(kind, kind === 'range' ? 'range' : true);
      const { list, end } = this.#parseList();
      let elseList: TemplateNode[] | null = null;
      if (end.reason === 'else') {
        const k = this.#peek();
        // {{else if …}} / {{else with …}} nests a new branch that shares the {{end}}.
        if (k.kind === 'keyword' && (k.value === 'if' || k.value === 'with') && kind !== 'range') {
          this.#next();
          elseList = [this.#parseBranch(k.value === 'if' ? 'if' : 'with')];
        } else {
          this.#expect('right', 'else');
          const rest = this.#parseList();
          if (rest.end.reason !== 'end') throw new TemplateSyntaxError(rest.end.line, `expected end; found ${rest.end.reason === 'eof' ? 'EOF' : '{{else}}'}`);
          elseList = rest.list;
        }
      } else if (end.reason === 'eof') {
        throw new TemplateSyntaxError(end.line, `unexpected EOF`);
      }
      if (kind === 'range') return { kind, pipe, list, elseList };
      return { kind, pipe, list, elseList };
    } finally {
      this.#vars.pop();
    }
  }

  /** pipeline: [decl :=] command ('|' command)*, up to '}}' (or ')' when nested). */
  #parsePipe(context: string, declAllowed: boolean | 'range', closer: 'right' | 'rparen' = 'right'): Pipe {
    const { line, pos } = this.#peek();
    const decl: string[] = [];
    let isAssign = false;
    if (declAllowed !== false && this.#peek().kind === 'variable') {
      const save = this.#pos;
      const names: string[] = [this.#next().value];
      if (declAllowed === 'range' && this.#peek().kind === 'comma') {
        this.#next();
        names.push(this.#expect('variable', 'range').value);
      }
      const op = this.#peek();
      if (op.kind === 'declare' || op.kind === 'assign') {
        this.#next();
        isAssign = op.kind === 'assign';
        decl.push(...names);
        if (!isAssign) this.#vars[this.#vars.length - 1]!.push(...names);
        else for (const n of names) this.#checkVar(n, op.line);
      } else {
        this.#pos = save;
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.kind === closer) {
        this.#next();
        break;
      }
      if (t.kind === 'eof') throw new TemplateSyntaxError(t.line, 'unclosed action');
      cmds.push(this.#parseCommand(closer));
      const after = this.#peek();
      if (after.kind === 'pipe') {
        this.#next();
        if (this.#peek().kind === closer) throw new TemplateSyntaxError(after.line, 'missing command');
      }
    }
    if (cmds.length === 0) throw new TemplateSyntaxError(line, `missing value for ${context}`);
    return { decl, isAssign, cmds, line, pos };
  }

  #parseCommand(closer: 'right' | 'rparen'): Command {
    const { line, pos } = this.#peek();
    const args: Arg[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.kind === closer || t.kind === 'pipe') break;
      if (t.kind === 'eof') throw new TemplateSyntaxError(t.line, 'unclosed action');
      args.push(this.#parseOperand());
    }
    if (args.length === 0) throw new TemplateSyntaxError(line, 'empty command');
    return { args, line, pos };
  }

  #parseOperand(): Arg {
    const start = this.#peek().pos;
    const { body, pos } = this.#parseOperandBody();
    return { ...body, pos: pos ?? start };
  }

  /** The operand, and for field chains (.A.B, $x.A) the position Go reports: the chained field's. */
  #parseOperandBody(): { body: ArgBody; pos?: number } {
    const t = this.#next();
    const chained = (): { names: string[]; pos?: number } => {
      const pos = this.#peek().pos;
      const names = this.#fieldChain();
      return names.length > 0 ? { names, pos } : { names };
    };
    switch (t.kind) {
      case 'field': {
        const c = chained();
        return { body: { kind: 'field', names: [t.value, ...c.names] }, ...(c.pos === undefined ? {} : { pos: c.pos }) };
      }
      case 'dot':
        if (this.#peek().kind === 'field' && this.#peek().spaced !== true) throw new TemplateSyntaxError(t.line, 'unexpected . after term "."');
        return { body: { kind: 'dot' } };
      case 'variable': {
        this.#checkVar(t.value, t.line);
        const c = chained();
        return { body: { kind: 'variable', name: t.value, names: c.names }, ...(c.pos === undefined ? {} : { pos: c.pos }) };
      }
      case 'identifier':
        if (!this.#funcs.has(t.value)) throw new TemplateSyntaxError(t.line, `function "${t.value}" not defined`);
        return { body: { kind: 'identifier', name: t.value } };
      case 'string':
        return { body: { kind: 'string', value: t.value } };
      case 'number':
        return { body: parseNumber(t) };
      case 'bool':
        return { body: { kind: 'bool', value: t.value === 'true' } };
      case 'nil':
        return { body: { kind: 'nil' } };
      case 'lparen': {
        const pipe = this.#parsePipe('parenthesized pipeline', false, 'rparen');
        const c = chained();
        return { body: { kind: 'pipe', pipe, names: c.names }, ...(c.pos === undefined ? {} : { pos: c.pos }) };
      }
      default:
        throw new TemplateSyntaxError(t.line, `unexpected ${describe(t)} in operand`);
    }
  }

  #fieldChain(): string[] {
    const names: string[] = [];
    while (this.#peek().kind === 'field' && this.#peek().spaced !== true) names.push(this.#next().value);
    return names;
  }

  #checkVar(name: string, line: number): void {
    for (const scope of this.#vars) if (scope.includes(name)) return;
    throw new TemplateSyntaxError(line, `undefined variable "${name}"`);
  }
}

function parseNumber(t: Token): ArgBody {
  const text = t.value.replace(/_/g, '');
  let value: number;
  let isInt = true;
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  if (/^0[xX]/.test(body)) value = sign * parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) value = sign * parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) value = sign * parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) value = sign * parseInt(body.slice(1), 8);
  else {
    value = Number(text);
    isInt = /^[+-]?[0-9]+$/.test(text);
  }
  if (Number.isNaN(value)) throw new TemplateSyntaxError(t.line, `bad number syntax: "${t.value}"`);
  return { kind: 'number', value, isInt, text: t.value };
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'EOF';
    case 'right': return '"}}"';
    case 'rparen': return '")"';
    case 'lparen': return '"("';
    case 'pipe': return '"|"';
    case 'declare': return '":="';
    case 'assign': return '"="';
    case 'comma': return '","';
    case 'keyword': return `<${t.value}>`;
    case 'text': return `text ${JSON.stringify(t.value)}`;
    default: return `${JSON.stringify(t.value)}`;
  }
}
