// berth-registry entrypoint: `berth registry …` execs this bundle, so the CLI bundle
// carries no server code.
import { registryMain } from '../src/registry/index.ts';

process.exitCode = await registryMain(process.argv.slice(2));
