// Shortening as docker's formatter does it: TruncateID (12 hex digits, algorithm prefix
// dropped) and Ellipsis (cut to a display width, ending in "…").
import { displayWidth } from './display-width.ts';

/** stringid.TruncateID: "sha256:0123…" → "0123456789ab". */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  const hex = colon >= 0 ? id.slice(colon + 1) : id;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** formatter.Ellipsis: fits `s` into `max` columns, the last one being "…". */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return '';
  const chars = [...s];
  if (max === 1) return chars[0] ?? '';
  if (displayWidth(s) <= max) return s;
  let out = '';
  let width = 0;
  for (const ch of chars) {
    const w = displayWidth(ch);
    if (width + w > max - 1) break;
    out += ch;
    width += w;
  }
  return out + '…';
}
