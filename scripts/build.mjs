// Bundles the two entrypoints with esbuild: one file each, so every `berth` invocation
// loads one module instead of resolving hundreds (Node start-up is the CLI's fixed cost).
// npm packages stay external (node-unix-socket ships a native addon).
import { build } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';

const entries = [['bin/berthd.ts', 'dist/berthd.js'], ['bin/berth.ts', 'dist/berth.js'], ['bin/berth-registry.ts', 'dist/berth-registry.js']];
for (const [entry, outfile] of entries) {
  if (!existsSync(entry)) continue;
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: 'linked',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
}
console.log('build: dist/ written');
