// Evaluator for the parsed Go template tree (Go's text/template/exec.go semantics): dot,
// variables with block scope, pipelines passing the previous result as the last argument,
// field chains on maps (missing key → "<no value>") and on GoStructs (unknown field → error,
// functions are methods), `if`/`with`/`range` with `else`, `break`/`continue`.
import { GoMap, GoStruct, isPlainObject, isTrue, printValue, type MethodFn } from './go-value.ts';
import { goTypeName } from './go-printf.ts';
import { TemplateArgTypeError, TemplateFuncError, type FuncMap } from './template-funcs.ts';
import type { Arg, Command, Pipe, TemplateNode } from './template-parser.ts';

/** An execution error worded like Go's: `template: :1:2: executing "" at <.Foo>: …`. */
export class TemplateExecError extends Error {
  /** What the template wrote before it failed (Go leaves it in the output buffer). */
  partial = '';

  constructor(message: string) {
    super(message);
    this.name = 'TemplateExecError';
  }
}

class BreakSignal {}
class ContinueSignal {}

const NONE = Symbol('no final value');
type Final = unknown | typeof NONE;

interface Variable { name: string; value: unknown }

/** Go's missingkey option: 'default' prints "<no value>", 'error' fails the execution. */
export type MissingKey = 'default' | 'error';

export function executeTemplate(src: string, nodes: TemplateNode[], data: unknown, funcs: FuncMap, missingKey: MissingKey = 'default'): string {
  return new Exec(src, funcs, data, missingKey).run(nodes);
}

class Exec {
  #src: string;
  #funcs: FuncMap;
  #vars: Variable[];
  #missingKey: MissingKey;
  #out = '';

  constructor(src: string, funcs: FuncMap, data: unknown, missingKey: MissingKey) {
    this.#src = src;
    this.#funcs = funcs;
    this.#vars = [{ name: '$', value: data }];
    this.#missingKey = missingKey;
  }

  run(nodes: TemplateNode[]): string {
    try {
      this.#walkList(this.#vars[0]!.value, nodes);
    } catch (e) {
      if (e instanceof TemplateExecError) e.partial = this.#out;
      throw e;
    }
    return this.#out;
  }

  #walkList(dot: unknown, nodes: TemplateNode[]): void {
    for (const node of nodes) this.#walk(dot, node);
  }

  #walk(dot: unknown, node: TemplateNode): void {
    switch (node.kind) {
      case 'text':
        this.#out += node.text;
        return;
      case 'action': {
        const v = this.#evalPipe(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.#out += printValue(v);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.#vars.length;
        const v = this.#evalPipe(dot, node.pipe);
        if (isTrue(v)) this.#walkList(node.kind === 'with' ? v : dot, node.list);
        else if (node.elseList) this.#walkList(dot, node.elseList);
        this.#vars.length = mark;
        return;
      }
      case 'range':
        this.#walkRange(dot, node.pipe, node.list, node.elseList);
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  #walkRange(dot: unknown, pipe: Pipe, list: TemplateNode[], elseList: TemplateNode[] | null): void {
    const mark = this.#vars.length;
    const val = this.#evalPipe(dot, { ...pipe, decl: [] });
    let entries: [unknown, unknown][];
    if (Array.isArray(val)) entries = val.map((v, i) => [i, v]);
    else if (isPlainObject(val)) entries = Object.keys(val).sort().map((k) => [k, val[k]]);
    else if (typeof val === 'number' && Number.isInteger(val)) entries = Array.from({ length: Math.max(0, val) }, (_, i) => [i, i]);
    else if (val === null || val === undefined) entries = [];
    else throw this.#error(pipe.pos, pipeText(pipe), `range can't iterate over ${printValue(val)}`);
    for (const [key, elem] of entries) {
      const iterMark = this.#vars.length;
      if (pipe.decl.length === 1) this.#vars.push({ name: pipe.decl[0]!, value: elem });
      if (pipe.decl.length === 2) {
        this.#vars.push({ name: pipe.decl[0]!, value: key }, { name: pipe.decl[1]!, value: elem });
      }
      try {
        this.#walkList(elem, list);
      } catch (e) {
        if (e instanceof BreakSignal) { this.#vars.length = iterMark; break; }
        if (!(e instanceof ContinueSignal)) throw e;
      }
      this.#vars.length = iterMark;
    }
    if (entries.length === 0 && elseList) this.#walkList(dot, elseList);
    this.#vars.length = mark;
  }

  #evalPipe(dot: unknown, pipe: Pipe): unknown {
    let value: Final = NONE;
    for (const cmd of pipe.cmds) value = this.#evalCommand(dot, cmd, value);
    const result = value === NONE ? undefined : value;
    if (pipe.isAssign) {
      for (const name of pipe.decl) this.#setVar(name, result);
    } else {
      for (const name of pipe.decl) this.#vars.push({ name, value: result });
    }
    return result;
  }

  #evalCommand(dot: unknown, cmd: Command, final: Final): unknown {
    const first = cmd.args[0]!;
    const rest = cmd.args.slice(1);
    switch (first.kind) {
      case 'field':
        return this.#evalChain(dot, dot, first, first.names, rest, final);
      case 'variable': {
        const v = this.#lookup(first.name);
        if (first.names.length > 0) return this.#evalChain(dot, v, first, first.names, rest, final);
        this.#notAFunction(first, rest, final);
        return v;
      }
      case 'pipe': {
        const v = this.#evalPipe(dot, first.pipe);
        if (first.names.length > 0) return this.#evalChain(dot, v, first, first.names, rest, final);
        this.#notAFunction(first, rest, final);
        return v;
      }
      case 'identifier':
        return this.#evalFunction(dot, cmd, first.name, rest, final);
      case 'nil':
        throw this.#error(first.pos, 'nil', 'nil is not a command');
      default:
        this.#notAFunction(first, rest, final);
        return this.#evalArg(dot, first);
    }
  }

  #notAFunction(arg: Arg, rest: Arg[], final: Final): void {
    if (rest.length > 0 || final !== NONE) {
      throw this.#error(arg.pos, argText(arg), `can't give argument to non-function ${argText(arg)}`);
    }
  }

  #evalChain(dot: unknown, receiver: unknown, node: Arg, names: string[], args: Arg[], final: Final): unknown {
    let cur = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      cur = this.#evalField(dot, cur, name, node, last ? args : [], last ? final : NONE);
    });
    return cur;
  }

  #evalField(dot: unknown, receiver: unknown, name: string, node: Arg, args: Arg[], final: Final): unknown {
    const hasArgs = args.length > 0 || final !== NONE;
    if (receiver === undefined || receiver === null) {
      if (this.#missingKey === 'error') throw this.#error(node.pos, argText(node), `nil data; no entry for key "${name}"`);
      return undefined;
    }
    if (receiver instanceof GoStruct) {
      if (!receiver.has(name)) {
        if (receiver instanceof GoMap && !hasArgs) return this.#missing(node, name);
        throw this.#error(node.pos, argText(node), `can't evaluate field ${name} in type ${receiver.typeName}`);
      }
      const member = receiver.members[name];
      if (typeof member === 'function') {
        const fn = member as MethodFn;
        const argv = args.map((a) => this.#evalArg(dot, a));
        if (final !== NONE) argv.push(final);
        if (argv.length !== fn.length) {
          throw this.#error(node.pos, argText(node), `wrong number of args for ${name}: want ${fn.length} got ${argv.length}`);
        }
        return this.#call(node, argText(node), name, fn, argv);
      }
      if (hasArgs) {
        const why = receiver instanceof GoMap ? 'is not a method but has arguments' : 'has arguments but cannot be invoked as function';
        throw this.#error(node.pos, argText(node), `${name} ${why}`);
      }
      return member;
    }
    if (isPlainObject(receiver)) {
      if (hasArgs) throw this.#error(node.pos, argText(node), `${name} is not a method but has arguments`);
      if (Object.prototype.hasOwnProperty.call(receiver, name)) return receiver[name];
      return this.#missing(node, name);
    }
    throw this.#error(node.pos, argText(node), `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  #missing(node: Arg, name: string): undefined {
    if (this.#missingKey === 'error') throw this.#error(node.pos, argText(node), `map has no entry for key "${name}"`);
    return undefined;
  }

  #evalFunction(dot: unknown, cmd: Command, name: string, args: Arg[], final: Final): unknown {
    const text = commandText(cmd);
    if (name === 'and' || name === 'or') {
      // Go 1.18+: evaluation stops at the first argument that decides the result.
      const all: (() => unknown)[] = args.map((a) => () => this.#evalArg(dot, a));
      if (final !== NONE) all.push(() => final);
      if (all.length === 0) throw this.#error(cmd.pos, text, `wrong number of args for ${name}: want at least 1 got 0`);
      let v: unknown;
      for (const get of all) {
        v = get();
        if (name === 'and' ? !isTrue(v) : isTrue(v)) return v;
      }
      return v;
    }
    const fn = this.#funcs[name];
    if (!fn) throw this.#error(cmd.pos, text, `"${name}" is not a defined function`);
    const argv = args.map((a) => this.#evalArg(dot, a));
    if (final !== NONE) argv.push(final);
    return this.#call(cmd.args[0]!, text, name, fn, argv);
  }

  #call(node: Arg, text: string, name: string, fn: MethodFn, argv: unknown[]): unknown {
    try {
      return fn(...argv);
    } catch (e) {
      if (e instanceof TemplateArgTypeError) throw this.#error(node.pos, text, e.message);
      if (e instanceof TemplateFuncError) throw this.#error(node.pos, text, `error calling ${name}: ${e.message}`);
      throw e;
    }
  }

  #evalArg(dot: unknown, arg: Arg): unknown {
    switch (arg.kind) {
      case 'dot': return dot;
      case 'nil': return null;
      case 'string': return arg.value;
      case 'number': return arg.value;
      case 'bool': return arg.value;
      case 'field': return this.#evalChain(dot, dot, arg, arg.names, [], NONE);
      case 'variable': return this.#evalChain(dot, this.#lookup(arg.name), arg, arg.names, [], NONE);
      case 'pipe': return this.#evalChain(dot, this.#evalPipe(dot, arg.pipe), arg, arg.names, [], NONE);
      case 'identifier': {
        const cmd: Command = { args: [arg], line: 0, pos: arg.pos };
        return this.#evalFunction(dot, cmd, arg.name, [], NONE);
      }
    }
  }

  #lookup(name: string): unknown {
    for (let i = this.#vars.length - 1; i >= 0; i--) if (this.#vars[i]!.name === name) return this.#vars[i]!.value;
    throw new TemplateExecError(`template: undefined variable: ${name}`);
  }

  #setVar(name: string, value: unknown): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i]!.name === name) { this.#vars[i]!.value = value; return; }
    }
    throw new TemplateExecError(`template: undefined variable: ${name}`);
  }

  #error(pos: number, at: string, detail: string): TemplateExecError {
    const before = this.#src.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - (before.lastIndexOf('\n') + 1);
    return new TemplateExecError(`template: :${line}:${col}: executing "" at <${at}>: ${detail}`);
  }
}

function argText(arg: Arg): string {
  const chain = (names: string[]): string => names.map((n) => `.${n}`).join('');
  switch (arg.kind) {
    case 'field': return chain(arg.names);
    case 'dot': return '.';
    case 'variable': return arg.name + chain(arg.names);
    case 'identifier': return arg.name;
    case 'string': return JSON.stringify(arg.value);
    case 'number': return arg.text;
    case 'bool': return String(arg.value);
    case 'nil': return 'nil';
    case 'pipe': return `(${pipeText(arg.pipe)})${chain(arg.names)}`;
  }
}

function commandText(cmd: Command): string {
  return cmd.args.map(argText).join(' ');
}

function pipeText(pipe: Pipe): string {
  const decl = pipe.decl.length > 0 ? `${pipe.decl.join(', ')} ${pipe.isAssign ? '=' : ':='} ` : '';
  return decl + pipe.cmds.map(commandText).join(' | ');
}
