// RUN: the command a step runs (shell form through the stage's SHELL, exec form as is,
// heredocs as a script or as the shell's own here-documents) and the history line Docker
// writes for it ("|N K=V … cmd" when build args are in scope). Pure.
import type { RunInstr } from '../dockerfile/index.ts';
import { BuildError } from '../errors.ts';

const HEREDOC_ONLY = /^<<-?["']?[a-zA-Z_][a-zA-Z0-9_]*["']?$/;

export function runCommand(ins: RunInstr, shell: readonly string[]): string[] {
  if (ins.json) return ins.cmd;
  const line = ins.cmd[0] ?? '';
  if (ins.heredocs.length === 1 && HEREDOC_ONLY.test(line.trim())) return [...shell, ins.heredocs[0]!.content];
  if (ins.heredocs.length) return [...shell, `${line}\n${ins.heredocs.map((h) => `${h.content}${h.name}\n`).join('')}`];
  return [...shell, line];
}

export function runCreatedBy(cmd: readonly string[], argEnv: readonly string[]): string {
  return (argEnv.length ? `|${argEnv.length} ${argEnv.join(' ')} ` : '') + cmd.join(' ');
}

/** RUN flags the classic builder cannot honour, refused with a clear message. */
export function checkRunFlags(ins: RunInstr): void {
  if (ins.security !== null && ins.security !== 'sandbox') throw new BuildError(`RUN --security=${ins.security} is not allowed: berth grants no security.insecure entitlement`);
  if (ins.network !== null && !['default', 'none', 'host'].includes(ins.network)) throw new BuildError(`unsupported network mode ${JSON.stringify(ins.network)}: RUN --network takes default, none or host`);
}
