// What Docker's drivers add to each message about the container (moby logger.Info):
//   tag       the `tag` option, a Go template over the container (loggerutils.ParseLogTag);
//   attrs     `labels`/`labels-regex` (container labels) and `env`/`env-regex` (its
//             environment), named in the options (Info.ExtraAttributes): json-file writes
//             them as "attrs", gelf as _fields, fluentd in the record.
// Pure functions; validateAttrOptions runs at create so a bad template or regex is a 400.
import { InvalidArgumentError } from '../lib/index.ts';
import type { ContainerInfo } from './encoders.ts';

const FUNCS: Record<string, (s: string) => string> = {
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  title: (s) => s.replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
};

function fields(info: ContainerInfo): Record<string, string> {
  return {
    ID: info.id.slice(0, 12), FullID: info.id, Name: info.name.replace(/^\//, ''),
    ImageID: info.imageId.replace(/^sha256:/, '').slice(0, 12), ImageFullID: info.imageId, ImageName: info.imageName,
    DaemonName: info.daemonName, Command: info.command, Hostname: info.hostname,
  };
}

/** One {{…}} action: `.Field`, `.Field | fn | fn`, or `fn .Field`. */
function action(body: string, f: Record<string, string>): string {
  const stages = body.split('|').map((x) => x.trim());
  let value: string | null = null;
  for (const [i, stage] of stages.entries()) {
    const words = stage.split(/\s+/).filter(Boolean);
    if (i === 0 && words.length === 1 && words[0]!.startsWith('.')) { value = field(words[0]!, f); continue; }
    const [fn, arg, ...extra] = words;
    const impl = fn === undefined ? undefined : FUNCS[fn];
    if (impl === undefined) throw new InvalidArgumentError(`template: log-tag:1: function "${fn ?? ''}" not defined`);
    if (extra.length > 0 || (i === 0 && arg === undefined) || (i > 0 && arg !== undefined)) throw new InvalidArgumentError(`template: log-tag:1: wrong number of args for ${fn}`);
    value = impl(i === 0 ? field(arg!, f) : value!);
  }
  if (value === null) throw new InvalidArgumentError('template: log-tag:1: missing value for command');
  return value;
}

function field(ref: string, f: Record<string, string>): string {
  const v = ref.startsWith('.') ? f[ref.slice(1)] : undefined;
  if (v === undefined) throw new InvalidArgumentError(`template: log-tag:1: can't evaluate field ${ref.replace(/^\./, '')}`);
  return v;
}

/** The `tag` option rendered; `def` when unset or empty (moby: {{.ID}} for syslog/gelf/fluentd, none for json-file). */
export function renderTag(template: string | undefined, info: ContainerInfo, def = '{{.ID}}'): string {
  const t = template === undefined || template === '' ? def : template;
  let out = '';
  let at = 0;
  for (;;) {
    const open = t.indexOf('{{', at);
    if (open < 0) break;
    const close = t.indexOf('}}', open + 2);
    if (close < 0) throw new InvalidArgumentError('template: log-tag:1: unclosed action');
    out += t.slice(at, open) + action(t.slice(open + 2, close).replace(/^-\s|\s-$/g, ''), fields(info));
    at = close + 2;
  }
  return out + t.slice(at);
}

function envMap(env: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env) {
    const eq = e.indexOf('=');
    if (eq > 0) m.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return m;
}

function regex(src: string, key: string): RegExp {
  try {
    return new RegExp(src);
  } catch (err) {
    throw new InvalidArgumentError(`error parsing regexp in log opt '${key}': ${(err as Error).message}`);
  }
}

/** moby Info.ExtraAttributes: the labels and environment variables the options name. */
export function extraAttributes(opts: Record<string, string>, info: ContainerInfo): Record<string, string> {
  const extra: Record<string, string> = {};
  const labels = info.labels ?? {};
  if (opts.labels) for (const l of opts.labels.split(',')) if (Object.hasOwn(labels, l)) extra[l] = labels[l]!;
  if (opts['labels-regex']) {
    const re = regex(opts['labels-regex'], 'labels-regex');
    for (const [k, v] of Object.entries(labels)) if (re.test(k)) extra[k] = v;
  }
  const env = envMap(info.env ?? []);
  if (opts.env) for (const l of opts.env.split(',')) { const v = env.get(l); if (v !== undefined) extra[l] = v; }
  if (opts['env-regex']) {
    const re = regex(opts['env-regex'], 'env-regex');
    for (const [k, v] of env) if (re.test(k)) extra[k] = v;
  }
  return extra;
}

/** json-file's "attrs": the extra attributes and the tag if one was asked for, keys sorted (Go's json.Marshal of a map). */
export function jsonFileAttrs(opts: Record<string, string>, info: ContainerInfo): string | null {
  const attrs = extraAttributes(opts, info);
  const tag = renderTag(opts.tag, info, '');
  if (tag !== '') attrs.tag = tag;
  const keys = Object.keys(attrs).sort();
  if (keys.length === 0) return null;
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, attrs[k]])));
}

const PLACEHOLDER: ContainerInfo = { id: '0'.repeat(64), name: '/x', imageId: 'sha256:' + '0'.repeat(64), imageName: 'x', command: '', created: '', hostname: '', daemonName: '' };

/** At create: the tag template and the regexes compile. */
export function validateAttrOptions(opts: Record<string, string>): void {
  if (opts.tag !== undefined) renderTag(opts.tag, PLACEHOLDER);
  if (opts['labels-regex']) regex(opts['labels-regex'], 'labels-regex');
  if (opts['env-regex']) regex(opts['env-regex'], 'env-regex');
}
