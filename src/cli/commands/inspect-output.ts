// docker's inspect output (cli/command/inspect): without --format the raw API bodies as
// one JSON array indented by four spaces; with --format one template result per object,
// run on the decoded JSON with missingkey=error (docker's raw fallback). A bad template
// exits 64; objects that fail are reported together at the end with exit 1.
import { messageOf } from '../../lib/index.ts';
import type { CliContext } from '../cli-context.ts';
import { describeError } from '../describe-error.ts';
import { parseFormat } from '../format/formatter.ts';
import { indentJson } from '../format/json-indent.ts';
import type { Template } from '../format/template.ts';
import { StatusError } from '../status-error.ts';
import { writeOut } from '../write-out.ts';

/** Finds one object; returns its raw JSON text. */
export type InspectLookup = (ref: string) => Promise<string>;

export async function inspectObjects(ctx: CliContext, refs: readonly string[], format: string | undefined, lookup: InspectLookup): Promise<void> {
  let tmpl: Template | null = null;
  if (format !== undefined && format !== '') {
    try {
      tmpl = parseFormat(format === 'json' ? '{{json .}}' : format);
    } catch (e) {
      throw new StatusError(64, messageOf(e));
    }
  }
  const raws: string[] = [];
  const errors: string[] = [];
  let out = '';
  for (const ref of refs) {
    let raw: string;
    try {
      raw = await lookup(ref);
    } catch (e) {
      errors.push(describeError(e));
      continue;
    }
    if (tmpl === null) {
      raws.push(raw.trim());
      continue;
    }
    try {
      out += `${tmpl.execute(JSON.parse(raw), { missingKey: 'error' })}\n`;
    } catch (e) {
      errors.push(`template parsing error: ${messageOf(e)}`);
    }
  }
  if (tmpl === null) out = raws.length === 0 ? '[]\n' : `${indentJson(`[${raws.join(',')}]`)}\n`;
  // docker's TemplateInspector.Flush writes a lone newline when nothing was rendered.
  else if (out === '') out = '\n';
  await writeOut(ctx.out, out);
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
}
