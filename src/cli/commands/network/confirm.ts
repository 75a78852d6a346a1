// docker's prompt.Confirm: prints "<message> [y/N] " and reads one line from stdin; only
// "y" or "Y" (surrounding blanks ignored) confirms. End of input is a no.
import type { CliContext } from '../../cli-context.ts';
import { writeOut } from '../../write-out.ts';

function readLine(ctx: CliContext): Promise<string | null> {
  const stdin = ctx.stdin;
  return new Promise((resolve) => {
    let buf = '';
    const done = (line: string | null): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onEnd);
      stdin.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
    };
    const onEnd = (): void => done(buf === '' ? null : buf);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onEnd);
    stdin.resume();
  });
}

export async function confirm(ctx: CliContext, message: string): Promise<boolean> {
  await writeOut(ctx.out, `${message} [y/N] `);
  const line = await readLine(ctx);
  return line !== null && line.trim().toLowerCase() === 'y';
}
