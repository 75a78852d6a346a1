// `docker logs --details`: each message is prefixed with the entry's attrs (json-file's
// "attrs": the labels, env and tag the log options asked for) as `k=v,k2=v2 ` — moby
// api/server/httputils WriteLogStream / attrsByteSlice: keys sorted, key and value
// url.QueryEscape'd, the space always there (an entry without attrs gets just " "),
// after the time stamp of --timestamps.

/** Go's url.QueryEscape: unreserved A-Z a-z 0-9 - _ . ~ stay, space → '+', the rest %XX (UTF-8). */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The --details prefix of one entry: its attrs (an object of strings, or absent), then a space. */
export function detailsPrefix(attrs: unknown): string {
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) return ' ';
  const keys = Object.keys(attrs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  for (const k of keys) {
    const v = (attrs as Record<string, unknown>)[k];
    parts.push(`${goQueryEscape(k)}=${goQueryEscape(typeof v === 'string' ? v : String(v))}`);
  }
  return parts.join(',') + ' ';
}
