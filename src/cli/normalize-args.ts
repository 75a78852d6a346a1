// Go-style boolean flags on commander: pflag accepts `--rm=false` and `--sig-proxy=false`,
// commander only `--rm` / `--no-sig-proxy`. Before parsing, `--flag=true|false` tokens are
// rewritten for boolean options of the command being parsed, up to the first positional
// argument of a pass-through command (run/create/exec), after which the tokens belong to
// the container's command line.
import type { Command, Option } from 'commander';

function findOption(cmd: Command, flag: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((opt) => opt.long === flag || opt.short === flag);
    if (o) return o;
  }
  return undefined;
}

function takesValue(o: Option): boolean {
  return o.required || o.optional;
}

export function normalizeBoolFlags(program: Command, argv: readonly string[], isPassThrough: (cmd: Command) => boolean): string[] {
  const out: string[] = [];
  let cmd = program;
  let i = 0;
  for (; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') break;
    if (tok.startsWith('--')) {
      const m = /^(--[^=]+)=(true|false)$/i.exec(tok);
      const o = m ? findOption(cmd, m[1]!) : undefined;
      if (m && o && !takesValue(o) && !o.negate) {
        if (m[2]!.toLowerCase() === 'true') out.push(m[1]!);
        else if (findOption(cmd, `--no-${m[1]!.slice(2)}`)) out.push(`--no-${m[1]!.slice(2)}`);
        continue;
      }
      const opt = findOption(cmd, tok);
      out.push(tok);
      if (opt && takesValue(opt) && !tok.includes('=') && i + 1 < argv.length) out.push(argv[++i]!);
      continue;
    }
    const shortBool = /^(-[A-Za-z])=(true|false)$/i.exec(tok);
    const shortOpt = shortBool ? findOption(cmd, shortBool[1]!) : undefined;
    if (shortBool && shortOpt && !takesValue(shortOpt) && !shortOpt.negate) {
      // pflag's "-H=false": the long form's negation, or nothing when false is the default.
      const long = shortOpt.long ?? '';
      if (shortBool[2]!.toLowerCase() === 'true') out.push(shortBool[1]!);
      else if (long !== '' && findOption(cmd, `--no-${long.slice(2)}`)) out.push(`--no-${long.slice(2)}`);
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1) {
      out.push(tok);
      // A lone short option taking a value ("-e", "-p") consumes the next token.
      const opt = tok.length === 2 ? findOption(cmd, tok) : undefined;
      if (opt && takesValue(opt) && i + 1 < argv.length) out.push(argv[++i]!);
      else if (tok.length > 2 && !tok.startsWith('--')) {
        // Bundled shorts ("-it", "-dp"): the last one may take the next token as its value.
        const last = findOption(cmd, `-${tok[tok.length - 1]}`);
        const allShort = [...tok.slice(1)].every((ch) => findOption(cmd, `-${ch}`));
        if (allShort && last && takesValue(last) && i + 1 < argv.length) out.push(argv[++i]!);
      }
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === tok || c.aliases().includes(tok));
    out.push(tok);
    if (sub) {
      cmd = sub;
      continue;
    }
    if (isPassThrough(cmd)) {
      i++;
      break;
    }
  }
  return [...out, ...argv.slice(i)];
}
