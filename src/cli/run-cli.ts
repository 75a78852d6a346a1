// Runs one CLI invocation: parses argv with commander, runs the verb, and turns every
// failure into docker's stderr wording and exit code. Returns the exit code; never exits
// the process itself (bin/berth.ts does).
import { CommanderError } from 'commander';
import type { CliContext } from './cli-context.ts';
import { describeError } from './describe-error.ts';
import { FormatError } from './format/formatter.ts';
import { normalizeBoolFlags } from './normalize-args.ts';
import { buildProgram } from './program.ts';
import { StatusError } from './status-error.ts';
import { commandPath, flagError, isPassThrough, usageLine } from './verb.ts';
import { writeOut } from './write-out.ts';

function commanderMessage(e: CommanderError): string {
  const unknown = /unknown option '([^']+)'/.exec(e.message);
  if (unknown) {
    const flag = unknown[1]!;
    return flag.startsWith('--') ? `unknown flag: ${flag}` : `unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`;
  }
  const missing = /option '([^']+)' argument missing/.exec(e.message);
  if (missing) {
    const long = /--[\w-]+/.exec(missing[1]!)?.[0];
    return `flag needs an argument: ${long ?? missing[1]}`;
  }
  return e.message.replace(/^error: /, '');
}

export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  let failing = program;
  // Remember the command commander was parsing, for the usage line of flag errors.
  program.hook('preSubcommand', (_parent, sub) => { failing = sub; });
  for (const group of program.commands) group.hook('preSubcommand', (_p, sub) => { failing = sub; });
  try {
    await program.parseAsync(normalizeBoolFlags(program, argv, isPassThrough), { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.unknownCommand') {
        const name = /unknown command '([^']+)'/.exec(e.message)?.[1] ?? '';
        const path = commandPath(failing);
        const usage = failing === program ? '' : `\n\nUsage:  ${usageLine(failing)}`;
        await writeOut(ctx.err, `${ctx.name}: unknown command: ${path} ${name}${usage}\n\nRun '${path} --help' for more information\n`);
        return 1;
      }
      await writeOut(ctx.err, `${flagError(failing, commanderMessage(e)).message}\n`);
      return 125;
    }
    if (e instanceof StatusError) {
      if (e.message !== '') await writeOut(ctx.err, `${e.message}\n`);
      return e.status === 0 ? 1 : e.status;
    }
    if (e instanceof FormatError) {
      await writeOut(ctx.err, `${e.message}\n`);
      return 1;
    }
    await writeOut(ctx.err, `${describeError(e)}\n`);
    return 1;
  }
}
