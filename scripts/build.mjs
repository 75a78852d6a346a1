// Bundles the two entrypoints with esbuild: one file each, so every `berth` invocation
// loads one module instead of resolving hundreds (Node start-up is the CLI's fixed cost).
// npm packages stay external (node-unix-socket ships a native addon).
import { build } from 'esbuild';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

const entries = [['bin/berthd.ts', 'dist/berthd.js'], ['bin/berth.ts', 'dist/berth.js'], ['bin/berth-registry.ts', 'dist/berth-registry.js'],
  // The layer-apply worker thread berthd starts (src/layer/tar-worker.ts finds it beside the bundle).
  ['src/layer/apply-worker.ts', 'dist/layer-apply-worker.js']];
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
    // Non-ASCII in strings and templates becomes escapes: see latin1Only below.
    charset: 'ascii',
  });
  latin1Only(outfile);
  chmodSync(outfile, 0o755);
}

/**
 * V8 keeps a script's source in memory for its whole life, one byte per character only if every
 * character is Latin-1; one arrow in a comment doubles it (berthd's 0.8 MB bundle held 1.6 MB).
 * esbuild escapes strings (charset ascii) but keeps comments and regex literals as written, so
 * what is left above U+00FF becomes a \uXXXX escape: valid in a regex, inert in a comment.
 */
function latin1Only(file) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(/[^\x00-\xff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (fixed !== text) writeFileSync(file, fixed);
}
console.log('build: dist/ written');
