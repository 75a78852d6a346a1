// berth: the CLI entrypoint. Runs the command and exits with its code.
import { main } from '../src/cli/index.ts';

/**
 * Node writes to a piped stdout asynchronously on Linux (measured: 8 MiB written, 64 KiB
 * through before process.exit), so exiting at once truncates a big output read slowly
 * (`berth export | tar -t`, `berth save | …`). An empty write's callback runs once every
 * queued write before it is done.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => { stream.write('', () => resolve()); });
}

const code = await main();
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
