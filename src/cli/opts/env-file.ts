// --env-file and --label-file parsing (docker/cli opts/file.go): one KEY=value per line,
// `#` comments and blank lines skipped, leading white space trimmed, values passed through
// untouched; a bare KEY takes its value from the CLI's environment when set there.
import { InvalidArgumentError } from '../../lib/index.ts';

const WHITESPACE = /[ \t]/;

/** `lookup` resolves a bare KEY (env files) or is absent (label files keep "KEY"). */
export function parseKeyValueFile(
  filename: string, content: Buffer | string, lookup?: (key: string) => string | undefined,
): string[] {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const lines: string[] = [];
  let lineNo = 0;
  for (let raw of splitLines(buf)) {
    if (lineNo === 0 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) raw = raw.subarray(3);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new InvalidArgumentError(`env file ${filename} contains invalid utf8 bytes at line ${lineNo + 1}: [${[...raw].join(' ')}]`);
    }
    lineNo++;
    const line = text.replace(/^\s+/u, '');
    if (line.length === 0 || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const variable = (eq >= 0 ? line.slice(0, eq) : line).replace(/^[ \t]+/, '');
    if (WHITESPACE.test(variable)) {
      throw new InvalidArgumentError(`poorly formatted environment: variable '${variable}' contains whitespaces`);
    }
    if (variable.length === 0) {
      throw new InvalidArgumentError(`poorly formatted environment: no variable name on line '${line}'`);
    }
    if (eq >= 0) {
      lines.push(`${variable}=${line.slice(eq + 1)}`);
      continue;
    }
    const value = lookup?.(line.trim());
    lines.push(value === undefined ? line.trim() : `${line.trim()}=${value}`);
  }
  return lines;
}

/** bufio.Scanner's ScanLines: splits on \n and drops one trailing \r. */
function splitLines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    if (i === buf.length || buf[i] === 0x0a) {
      if (i === buf.length && start === i) break;
      let line = buf.subarray(start, i);
      if (line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      out.push(line);
      start = i + 1;
    }
  }
  return out;
}
