// A parsed Go text/template with docker's function set (docker/cli templates.Parse):
// `Template.parse(src)` then `execute(data)`. Execution can swap functions, as docker does
// with HeaderFunctions when it renders the header row of a table.
import { executeTemplate, type MissingKey } from './template-exec.ts';
import { BUILTIN_FUNCS, DOCKER_FUNCS, type FuncMap } from './template-funcs.ts';
import { parseTemplate, type TemplateNode } from './template-parser.ts';

export interface ExecuteOptions {
  funcs?: FuncMap;
  missingKey?: MissingKey;
}

export class Template {
  readonly source: string;
  readonly #nodes: TemplateNode[];
  readonly #funcs: FuncMap;

  private constructor(source: string, nodes: TemplateNode[], funcs: FuncMap) {
    this.source = source;
    this.#nodes = nodes;
    this.#funcs = funcs;
  }

  /** Parses `src`; throws TemplateSyntaxError (`template: :1: function "x" not defined`). */
  static parse(src: string, extraFuncs: FuncMap = {}): Template {
    const funcs: FuncMap = { ...BUILTIN_FUNCS, ...DOCKER_FUNCS, ...extraFuncs };
    return new Template(src, parseTemplate(src, new Set(Object.keys(funcs))), funcs);
  }

  /**
   * Renders the template; throws TemplateExecError on a failed evaluation. `funcs` replaces
   * functions (HeaderFunctions); `missingKey: 'error'` is Go's Option("missingkey=error").
   */
  execute(data: unknown, opts: ExecuteOptions = {}): string {
    return executeTemplate(this.source, this.#nodes, data, { ...this.#funcs, ...opts.funcs }, opts.missingKey ?? 'default');
  }
}
