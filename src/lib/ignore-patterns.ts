// .dockerignore patterns with Docker's semantics (moby/patternmatcher + docker/cli
// ReadExclusions), shared by the builder and the CLI's context tar: one pattern a line, `#`
// comments, `!` exceptions, patterns cleaned and made relative (a leading `/` is dropped),
// `*` and `?` within one path element, `**` across elements, `[...]` classes, `\` escapes.
// A path is excluded when the last pattern that matches it or one of its parent directories
// is not an exception. Pure.
import { posix } from 'node:path';

export interface IgnorePattern { re: RegExp; exclusion: boolean; dirs: string[] }

export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  for (let line of text.split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    line = line.trim();
    if (line === '') continue;
    let invert = false;
    if (line.startsWith('!')) { invert = true; line = line.slice(1).trim(); }
    if (line.length > 0) {
      line = posix.normalize(line).replace(/\/+$/, '');
      if (line !== '/') line = line.replace(/^\/+/, '');
      if (line === '') line = '.';
    }
    out.push(invert ? '!' + line : line);
  }
  return out;
}

function toRegex(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        while (pattern[i + 1] === '*') i++;
        if (i + 1 >= pattern.length) re += '.*';
        else if (pattern[i + 1] === '/') { re += '(.*/)?'; i++; }
        else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(re + '$');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export class IgnoreMatcher {
  readonly patterns: IgnorePattern[];
  constructor(lines: readonly string[]) {
    this.patterns = lines.map((l) => {
      const exclusion = l.startsWith('!');
      const p = exclusion ? l.slice(1) : l;
      return { re: toRegex(p), exclusion, dirs: p.split('/') };
    });
  }

  get empty(): boolean { return this.patterns.length === 0; }

  /** True when `path` (relative, `/`-separated) is excluded from the context. */
  excludes(path: string): boolean {
    const rel = posix.normalize(path).replace(/^\/+/, '');
    const parents: string[] = [];
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue; // cannot change the result
      let hit = p.re.test(rel);
      if (!hit) {
        for (const parent of parents) {
          if (p.re.test(parent)) { hit = true; break; }
        }
      }
      if (hit) matched = !p.exclusion;
    }
    return matched;
  }

  /** Whether a directory may hold re-included files (an exception pattern below it). */
  mayIncludeBelow(dir: string): boolean {
    return this.patterns.some((p) => p.exclusion && (p.dirs[0]!.includes('*') || p.dirs.join('/').startsWith(dir + '/')));
  }
}
