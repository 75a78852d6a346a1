// docker's command.PromptForConfirmation (the prune commands' prompt): the warning, then
// "Are you sure you want to continue? [y/N] "; one line from stdin, "y"/"Y" confirms; an
// empty answer ends the prompt line as docker does.
import type { CliContext } from '../cli-context.ts';
import { writeOut } from '../write-out.ts';

export async function promptForConfirmation(ctx: CliContext, message: string): Promise<boolean> {
  await writeOut(ctx.out, `${message}\nAre you sure you want to continue? [y/N] `);
  let line = '';
  for await (const chunk of ctx.stdin) {
    line += chunk.toString();
    if (line.includes('\n')) break;
  }
  const answer = line.split('\n')[0]!.trim();
  if (answer === '') await writeOut(ctx.out, '\n');
  return answer === 'y' || answer === 'Y';
}
