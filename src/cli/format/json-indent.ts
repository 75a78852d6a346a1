// encoding/json.Indent: re-indents JSON text without decoding it, so numbers, escapes and
// key order stay exactly as the daemon sent them (docker inspect prints raw API bodies this
// way, with four-space indentation). Empty objects and arrays stay `{}` and `[]`.

export function indentJson(src: string, indent = '    ', prefix = ''): string {
  let out = '';
  let depth = 0;
  let needIndent = false;
  let inString = false;
  const newline = (): string => '\n' + prefix + indent.repeat(depth);
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (inString) {
      out += c;
      if (c === '\\') { out += src[++i] ?? ''; continue; }
      if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== ']' && c !== '}') {
      needIndent = false;
      depth++;
      out += newline();
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[':
        needIndent = true;
        out += c;
        break;
      case ',':
        out += c + newline();
        break;
      case ':':
        out += ': ';
        break;
      case '}':
      case ']':
        if (needIndent) {
          needIndent = false;
        } else {
          depth--;
          out += newline();
        }
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}
