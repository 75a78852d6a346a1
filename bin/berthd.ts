// berthd entrypoint.
import { main } from '../src/daemon/index.ts';

await main(process.argv.slice(2));
