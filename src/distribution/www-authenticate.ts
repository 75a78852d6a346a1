// WWW-Authenticate challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"` or
// `Basic realm="…"`. Several challenges may share one header.

export interface Challenge { scheme: string; params: Record<string, string> }

export function parseWwwAuthenticate(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = (): void => { while (i < s.length && /[\s,]/.test(s[i]!)) i++; };
  while (i < s.length) {
    skipWs();
    const m = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(s.slice(i));
    if (!m) break;
    const scheme = m[0].toLowerCase();
    i += m[0].length;
    const params: Record<string, string> = {};
    for (;;) {
      while (i < s.length && /\s/.test(s[i]!)) i++;
      const km = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(s.slice(i));
      if (!km) break;
      i += km[0].length;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        const vm = /^[^\s,]*/.exec(s.slice(i))!;
        value = vm[0];
        i += vm[0].length;
      }
      params[km[1]!.toLowerCase()] = value;
      while (i < s.length && /\s/.test(s[i]!)) i++;
      if (s[i] === ',') i++;
    }
    out.push({ scheme, params });
  }
  return out;
}
