// docker's formatter.Context.Write: renders a list with a `--format` value. "table …" puts a
// header row (the template run on the column titles with HeaderFunctions) above the rows
// and aligns them with a tabwriter (min width 10, padding 3); "json" is `{{json .}}`;
// anything else is a plain template, one line per item. `\t` and `\n` in the format are
// escapes, as docker's preFormat replaces them.
import { messageOf } from '../../lib/index.ts';
import { TabWriter } from './tab-writer.ts';
import { Template } from './template.ts';
import { HEADER_FUNCS } from './template-funcs.ts';
import { TemplateExecError } from './template-exec.ts';
import { GoMap } from './go-value.ts';

export const TABLE_FORMAT_KEY = 'table';
export const JSON_FORMAT_KEY = 'json';

/** Raised for a bad --format; main prints it like docker ("template parsing error: …"). */
export class FormatError extends Error {}

export function isTableFormat(format: string): boolean {
  return format.startsWith(TABLE_FORMAT_KEY);
}

/** The template text docker actually parses for a --format value. */
export function preFormat(format: string): string {
  let f = format;
  if (isTableFormat(f)) f = f.slice(TABLE_FORMAT_KEY.length);
  else if (f === JSON_FORMAT_KEY) f = '{{json .}}';
  return f.trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
}

/** Parses a --format value; errors become FormatError("template parsing error: …"). */
export function parseFormat(format: string): Template {
  try {
    return Template.parse(preFormat(format));
  } catch (e) {
    throw new FormatError(`template parsing error: ${messageOf(e)}`);
  }
}

export interface RenderOptions {
  format: string;
  /** Column titles by field name, e.g. { ID: 'CONTAINER ID', Names: 'NAMES' }. */
  header: Record<string, string>;
  items: readonly unknown[];
}

/** Renders the items; returns the text to write to stdout. */
export function renderList(opts: RenderOptions): string {
  const tmpl = parseFormat(opts.format);
  let body = '';
  for (const item of opts.items) {
    try {
      body += tmpl.execute(item) + '\n';
    } catch (e) {
      throw new FormatError(`template parsing error: ${messageOf(e)}`);
    }
  }
  if (!isTableFormat(opts.format)) return body;
  let header = '';
  try {
    header = tmpl.execute(headerContext(opts.header), { funcs: HEADER_FUNCS });
  } catch (e) {
    // docker ignores errors here and keeps whatever the header template wrote: a method
    // call with arguments (`.Label "x"`) cannot run on the header map.
    if (e instanceof TemplateExecError) header = e.partial;
  }
  const w = new TabWriter({ minWidth: 10, tabWidth: 1, padding: 3 });
  w.write(header);
  w.write('\n');
  w.write(body);
  return w.flush();
}

/**
 * docker's SubHeaderContext: a map of column titles whose Label method names a label
 * column after the label key's last dotted part ("com.example.app-name" → "app name").
 */
function headerContext(titles: Record<string, string>): GoMap {
  return new GoMap('formatter.SubHeaderContext', {
    ...titles,
    Label: (name: unknown) => (String(name).split('.').pop() ?? '').replace(/[-_]/g, ' '),
  });
}
