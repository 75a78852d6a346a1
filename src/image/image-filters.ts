// GET /images/json filters (moby daemon/images/images.go): reference (glob on repo[:tag]),
// dangling, label, before, since. Pure: takes the summaries and a resolver.
import { InvalidArgumentError, untilCutoff } from '../lib/index.ts';
import type { ImageSummary } from '../api/types/index.ts';

const KNOWN = new Set(['reference', 'dangling', 'label', 'label!', 'before', 'since', 'until']);

/** path.Match-style glob: * and ? do not cross '/'. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function referenceMatches(tag: string, patterns: string[]): boolean {
  const repo = tag.slice(0, tag.lastIndexOf(':'));
  return patterns.some((p) => { const re = globToRegExp(p); return re.test(tag) || re.test(repo); });
}

export function filterImages(list: ImageSummary[], filters: Record<string, string[]>, resolveCreated: (ref: string) => number): ImageSummary[] {
  for (const k of Object.keys(filters)) if (!KNOWN.has(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  let out = list;
  const f = filters;
  if (f.dangling?.length) {
    const v = f.dangling[0]!.toLowerCase();
    if (!['true', 'false', '1', '0'].includes(v)) throw new InvalidArgumentError(`invalid filter 'dangling=${f.dangling[0]}'`);
    const want = v === 'true' || v === '1';
    out = out.filter((i) => (i.RepoTags.length === 0) === want);
  }
  // Docker keeps only the matching tags of each image it lists for a reference filter.
  if (f.reference?.length) {
    out = out.map((i) => ({ ...i, RepoTags: i.RepoTags.filter((t) => referenceMatches(t, f.reference!)) })).filter((i) => i.RepoTags.length > 0);
  }
  if (f.label?.length) {
    out = out.filter((i) => f.label!.every((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? l in i.Labels : i.Labels[l.slice(0, eq)] === l.slice(eq + 1);
    }));
  }
  if (f['label!']?.length) {
    out = out.filter((i) => !f['label!']!.some((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? l in i.Labels : i.Labels[l.slice(0, eq)] === l.slice(eq + 1);
    }));
  }
  if (f.until?.length) { const t = Math.min(...f.until.map((u) => untilCutoff(u))); out = out.filter((i) => i.Created * 1000 < t); }
  if (f.before?.length) { const t = resolveCreated(f.before[0]!); out = out.filter((i) => i.Created < t); }
  if (f.since?.length) { const t = resolveCreated(f.since[0]!); out = out.filter((i) => i.Created > t); }
  return out;
}
