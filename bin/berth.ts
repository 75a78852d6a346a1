// berth: the CLI entrypoint. Runs the command and exits with its code.
import { main } from '../src/cli/index.ts';

const code = await main();
process.exit(code);
