// berth registry …: runs berth's registry server (serve, gc, htpasswd) from its own bundle,
// dist/berth-registry.js, so the CLI bundle carries no server code.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { StatusError } from '../../status-error.ts';

export function registryBundle(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, 'berth-registry.js'), join(here, '../../../../dist/berth-registry.js')]) if (existsSync(p)) return p;
  return null;
}

export function registryCommand(): Command {
  const cmd = new Command('registry').description('Run berth\'s own OCI registry (serve, gc, htpasswd)')
    .usage('COMMAND').helpOption(false).allowUnknownOption().allowExcessArguments().passThroughOptions()
    .argument('[args...]');
  cmd.action(async (args: string[]) => {
    const bundle = registryBundle();
    if (!bundle) throw new StatusError(1, 'berth registry: dist/berth-registry.js not found (build it: node scripts/build.mjs)');
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [bundle, ...args], { stdio: 'inherit' });
      const fwd = (s: NodeJS.Signals): void => { child.kill(s); };
      process.on('SIGINT', fwd); process.on('SIGTERM', fwd);
      child.on('close', (c, sig) => { process.off('SIGINT', fwd); process.off('SIGTERM', fwd); resolve(c ?? (sig ? 128 : 1)); });
    });
    if (code !== 0) throw new StatusError(code, '');
  });
  return cmd;
}
