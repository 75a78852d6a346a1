// Declares one CLI verb on commander the way docker's cobra commands behave: a usage line
// ("berth stop [OPTIONS] CONTAINER [CONTAINER...]"), argument-count checks with docker's
// messages, `-h` free for commands that use it (run/create --hostname), flag values that
// fail to parse reported with the usage line and exit 125.
import { Command, Option } from 'commander';
import type { EngineApi, TlsFlags } from '../client/index.ts';
import type { CliContext } from './cli-context.ts';
import { FlagValueError } from './opts/flag-value-error.ts';
import { UsageError } from './status-error.ts';

export interface ArgCount {
  min?: number;
  max?: number;
}

/** What an action gets: the context, the positional arguments, parsed options, a client. */
export interface VerbCall<O> {
  ctx: CliContext;
  args: string[];
  opts: O;
  client: () => EngineApi;
  /** "berth stop", "berth container stop": the command path for messages. */
  path: string;
  /** Exits like a usage error ("berth: <message>", usage line, exit 125). */
  usageError(message: string): UsageError;
  /** Where an option's value came from ('cli' when given on the command line). */
  source(option: string): string | undefined;
}

export interface VerbSpec<O> {
  name: string;
  aliases?: string[];
  /** The part after the command path: "[OPTIONS] CONTAINER [CONTAINER...]". */
  usage: string;
  description: string;
  args: ArgCount;
  /** run/create/exec: options after the first argument belong to the container command. */
  passThrough?: boolean;
  /** Use `--help` only, leaving `-h` for a flag (docker run -h HOSTNAME). */
  helpLongOnly?: boolean;
  options?: (cmd: Command) => void;
  action: (call: VerbCall<O>) => Promise<void>;
}

/** Repeatable flag values collect into a list (`-e A -e B`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `-x, --long <v>` repeated into a list. */
export function listOption(flags: string, description: string): Option {
  return new Option(flags, description).argParser(collect).default([]);
}

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function usageLine(cmd: Command): string {
  const usage = cmd.usage();
  return usage === '' ? commandPath(cmd) : `${commandPath(cmd)} ${usage}`;
}

function plural(n: number): string {
  return n === 1 ? 'argument' : 'arguments';
}

/** docker/cli cli/required.go messages. */
export function checkArgCount(cmd: Command, count: ArgCount, n: number, bin: string): UsageError | null {
  const path = commandPath(cmd);
  const tail = (see: string): string => `\n\nUsage:  ${usageLine(cmd)}\n\n${see} '${path} --help' for more information`;
  const { min = 0, max } = count;
  if (max === 0 && n > 0) return new UsageError(1, `${bin}: '${path}' accepts no arguments${tail('Run')}`);
  if (min === max && n !== min) return new UsageError(1, `${bin}: '${path}' requires ${min} ${plural(min)}${tail('Run')}`);
  if (n < min) return new UsageError(1, `${bin}: '${path}' requires at least ${min} ${plural(min)}${tail('See')}`);
  if (max !== undefined && n > max) return new UsageError(1, `${bin}: '${path}' requires at most ${max} ${plural(max)}${tail('Run')}`);
  return null;
}

/** FlagErrorFunc: the flag error, the usage line, exit 125. */
export function flagError(cmd: Command, message: string): UsageError {
  return new UsageError(125, `${message}\n\nUsage:  ${usageLine(cmd)}\n\nRun '${commandPath(cmd)} --help' for more information`);
}

/** Commands whose arguments after the first belong to the container (run, create, exec, top). */
const passThroughCommands = new WeakSet<Command>();

export function isPassThrough(cmd: Command): boolean {
  return passThroughCommands.has(cmd);
}

export function addVerb<O>(parent: Command, ctx: CliContext, spec: VerbSpec<O>): Command {
  const cmd = new Command(spec.name)
    .description(spec.description)
    .usage(spec.usage)
    .argument('[args...]')
    .allowExcessArguments(true);
  if (spec.aliases) cmd.aliases(spec.aliases);
  cmd.helpOption(spec.helpLongOnly ? '--help' : '-h, --help', 'Print usage');
  if (spec.passThrough) {
    cmd.passThroughOptions();
    passThroughCommands.add(cmd);
  }
  spec.options?.(cmd);
  cmd.action(async (args: string[], opts: O, self: Command) => {
    const bad = checkArgCount(self, spec.args, args.length, ctx.name);
    if (bad) throw bad;
    let api: EngineApi | null = null;
    const globals = self.optsWithGlobals<{ host?: string } & TlsFlags>();
    const call: VerbCall<O> = {
      ctx,
      args,
      opts,
      client: () => (api ??= ctx.connect(globals.host, tlsFlagsOf(globals))),
      path: commandPath(self),
      usageError: (message) => new UsageError(125, `${ctx.name}: ${message}\n\nRun '${commandPath(self)} --help' for more information`),
      source: (option) => self.getOptionValueSource(option),
    };
    try {
      await spec.action(call);
    } catch (e) {
      if (e instanceof FlagValueError) throw flagError(self, e.message);
      throw e;
    }
  });
  parent.addCommand(cmd);
  return cmd;
}

/** The global TLS flags commander parsed (only those given). */
function tlsFlagsOf(g: TlsFlags): TlsFlags {
  const out: TlsFlags = {};
  if (g.tls) out.tls = true;
  if (g.tlsverify) out.tlsverify = true;
  if (g.tlscacert) out.tlscacert = g.tlscacert;
  if (g.tlscert) out.tlscert = g.tlscert;
  if (g.tlskey) out.tlskey = g.tlskey;
  return out;
}
