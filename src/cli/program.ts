// The command tree: docker's top-level verbs plus the `container` and `image` groups with
// their aliases (container ls|ps|list, container rm|remove, image ls|list, image rm|remove).
import { Command } from 'commander';
import type { CliContext } from './cli-context.ts';
import { attachVerb } from './commands/container/attach.ts';
import { createVerb } from './commands/container/create.ts';
import { execVerb } from './commands/container/exec.ts';
import { containerInspectVerb } from './commands/container/inspect.ts';
import { killVerb } from './commands/container/kill.ts';
import { logsVerb } from './commands/container/logs.ts';
import { pauseVerb, unpauseVerb } from './commands/container/pause.ts';
import { portVerb } from './commands/container/port.ts';
import { psVerb } from './commands/container/ps.ts';
import { renameVerb } from './commands/container/rename.ts';
import { rmVerb } from './commands/container/rm.ts';
import { runVerb } from './commands/container/run.ts';
import { startVerb } from './commands/container/start.ts';
import { statsVerb } from './commands/container/stats.ts';
import { updateVerb } from './commands/container/update.ts';
import { restartVerb, stopVerb } from './commands/container/stop.ts';
import { topVerb } from './commands/container/top.ts';
import { cpVerb } from './commands/container/cp.ts';
import { diffVerb } from './commands/container/diff.ts';
import { exportVerb } from './commands/container/export.ts';
import { waitVerb } from './commands/container/wait.ts';
import { buildVerb } from './commands/image/build.ts';
import { historyVerb } from './commands/image/history.ts';
import { commitVerb } from './commands/image/commit.ts';
import { imagePruneVerb } from './commands/image/prune.ts';
import { imagesVerb } from './commands/image/images.ts';
import { importVerb } from './commands/image/import.ts';
import { imageInspectVerb } from './commands/image/inspect.ts';
import { rmiVerb } from './commands/image/rmi.ts';
import { tagVerb } from './commands/image/tag.ts';
import { pullVerb } from './commands/image/pull.ts';
import { pushVerb } from './commands/image/push.ts';
import { saveVerb } from './commands/image/save.ts';
import { loadVerb } from './commands/image/load.ts';
import { loginVerb, logoutVerb } from './commands/registry/login.ts';
import { registryCommand } from './commands/registry/registry.ts';
import { networkConnectVerb, networkDisconnectVerb } from './commands/network/connect.ts';
import { networkCreateVerb } from './commands/network/create.ts';
import { networkInspectVerb } from './commands/network/inspect.ts';
import { networkLsVerb } from './commands/network/ls.ts';
import { networkPruneVerb } from './commands/network/prune.ts';
import { networkRmVerb } from './commands/network/rm.ts';
import { dfVerb } from './commands/system/df.ts';
import { eventsVerb } from './commands/system/events.ts';
import { infoVerb } from './commands/system/info.ts';
import { inspectVerb } from './commands/system/inspect.ts';
import { versionVerb } from './commands/system/version.ts';
import { volumeCreateVerb } from './commands/volume/create.ts';
import { volumeInspectVerb } from './commands/volume/inspect.ts';
import { volumeLsVerb } from './commands/volume/ls.ts';
import { volumePruneVerb } from './commands/volume/prune.ts';
import { volumeRmVerb } from './commands/volume/rm.ts';
import { writeOut } from './write-out.ts';
import { StatusError } from './status-error.ts';
import { addVerb, commandPath, type VerbSpec } from './verb.ts';
import { CLI_VERSION } from './version.ts';

function group(program: Command, name: string, description: string): Command {
  const cmd = new Command(name).description(description).usage('COMMAND').enablePositionalOptions();
  cmd.helpOption('-h, --help', 'Print usage');
  program.addCommand(cmd);
  return cmd;
}

/**
 * A command group run without a verb prints its help on stdout and exits 0 (as docker
 * does); an unknown verb is an error worded like docker's.
 */
function helpOrUnknown(cmd: Command, ctx: CliContext, usage: boolean): void {
  cmd.argument('[command...]').action((args: string[]) => {
    const path = commandPath(cmd);
    if (args.length > 0) {
      throw new StatusError(1, `${ctx.name}: unknown command: ${path} ${args[0]}${usage ? `\n\nUsage:  ${path} COMMAND` : ''}\n\nRun '${path} --help' for more information`);
    }
    cmd.help();
  });
}

/**
 * Every command throws instead of exiting, writes help to our streams, and leaves error
 * messages to run-cli.ts (which words them as docker does).
 */
function configureTree(cmd: Command, ctx: CliContext): void {
  cmd.exitOverride();
  cmd.configureHelp({ subcommandTerm: (c) => c.name(), sortSubcommands: true });
  cmd.configureOutput({
    writeOut: (s) => { void writeOut(ctx.out, s); },
    writeErr: (s) => { void writeOut(ctx.err, s); },
    outputError: () => {},
  });
  for (const sub of cmd.commands) configureTree(sub, ctx);
}

function renamed<O>(spec: VerbSpec<O>, name: string, aliases: string[] = []): VerbSpec<O> {
  return { ...spec, name, aliases };
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command(ctx.name)
    .usage('[OPTIONS] COMMAND')
    .description('A self-sufficient runtime for containers')
    .enablePositionalOptions()
    .option('-H, --host <list>', 'Daemon socket to connect to')
    .option('-D, --debug', 'Enable debug mode')
    .option('-l, --log-level <string>', 'Set the logging level ("debug", "info", "warn", "error", "fatal")', 'info')
    .option('--tls', 'Use TLS; implied by --tlsverify')
    .option('--tlscacert <string>', 'Trust certs signed only by this CA (default "~/.docker/ca.pem")')
    .option('--tlscert <string>', 'Path to TLS certificate file (default "~/.docker/cert.pem")')
    .option('--tlskey <string>', 'Path to TLS key file (default "~/.docker/key.pem")')
    .option('--tlsverify', 'Use TLS and verify the remote')
    .version(`${ctx.name} version ${CLI_VERSION}`, '-v, --version', 'Print version information and quit');
  program.helpOption('-h, --help', 'Print usage');

  const containerVerbs: VerbSpec<never>[] = [
    attachVerb(), createVerb(), execVerb(), killVerb(), logsVerb(), pauseVerb(), unpauseVerb(), portVerb(), renameVerb(),
    restartVerb(), runVerb(), startVerb(), stopVerb(), topVerb(), waitVerb(), statsVerb(), updateVerb(),
    cpVerb(), diffVerb(), exportVerb(),
  ];
  for (const v of containerVerbs) addVerb(program, ctx, v);
  addVerb(program, ctx, psVerb());
  addVerb(program, ctx, rmVerb());
  addVerb(program, ctx, inspectVerb());
  addVerb(program, ctx, imagesVerb());
  addVerb(program, ctx, rmiVerb());
  addVerb(program, ctx, tagVerb());
  addVerb(program, ctx, importVerb());
  addVerb(program, ctx, buildVerb());
  addVerb(program, ctx, historyVerb());
  addVerb(program, ctx, commitVerb());
  addVerb(program, ctx, versionVerb());
  addVerb(program, ctx, infoVerb());
  addVerb(program, ctx, eventsVerb());
  addVerb(program, ctx, pullVerb());
  addVerb(program, ctx, pushVerb());
  addVerb(program, ctx, saveVerb());
  addVerb(program, ctx, loadVerb());
  addVerb(program, ctx, loginVerb());
  addVerb(program, ctx, logoutVerb());
  program.addCommand(registryCommand());

  const container = group(program, 'container', 'Manage containers');
  for (const v of containerVerbs) addVerb(container, ctx, v);
  addVerb(container, ctx, renamed(psVerb(), 'ls', ['ps', 'list']));
  addVerb(container, ctx, renamed(rmVerb(), 'rm', ['remove']));
  addVerb(container, ctx, containerInspectVerb());
  addVerb(container, ctx, commitVerb());

  const image = group(program, 'image', 'Manage images');
  addVerb(image, ctx, renamed(imagesVerb(), 'ls', ['list']));
  addVerb(image, ctx, renamed(rmiVerb(), 'rm', ['remove']));
  addVerb(image, ctx, tagVerb());
  addVerb(image, ctx, importVerb());
  addVerb(image, ctx, buildVerb());
  addVerb(image, ctx, imageInspectVerb());
  addVerb(image, ctx, historyVerb());
  addVerb(image, ctx, pullVerb());
  addVerb(image, ctx, pushVerb());
  addVerb(image, ctx, imagePruneVerb());
  addVerb(image, ctx, saveVerb());
  addVerb(image, ctx, loadVerb());

  const network = group(program, 'network', 'Manage networks');
  for (const v of [networkConnectVerb(), networkCreateVerb(), networkDisconnectVerb(), networkInspectVerb(), networkLsVerb(), networkPruneVerb(), networkRmVerb()] as VerbSpec<never>[]) {
    addVerb(network, ctx, v);
  }
  const volume = group(program, 'volume', 'Manage volumes');
  const volumeVerbs: VerbSpec<never>[] = [volumeCreateVerb(), volumeInspectVerb(), volumeLsVerb(), volumePruneVerb(), volumeRmVerb()];
  for (const v of volumeVerbs) addVerb(volume, ctx, v);

  const system = group(program, 'system', 'Manage berth');
  addVerb(system, ctx, infoVerb());
  addVerb(system, ctx, eventsVerb());
  addVerb(system, ctx, dfVerb());
  helpOrUnknown(program, ctx, false);
  for (const g of [container, image, network, volume, system]) helpOrUnknown(g, ctx, true);
  configureTree(program, ctx);
  return program;
}
