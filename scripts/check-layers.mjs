#!/usr/bin/env node
// Import-direction lint (STYLE.md §7.2). Every relative import in src/ and bin/ is checked
// against the table below: a module may import only itself and the modules it lists, and
// only through their index.ts (no deep imports into another module's files).
// Kept as a small script rather than an ESLint plugin: the rule is one table and a regex.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');

const SERVER_ALL = ['lib', 'oci', 'api/types', 'security', 'specgen', 'storage/content', 'storage/metadata',
  'events', 'layer', 'image', 'distribution', 'runtime', 'network', 'volume', 'logs', 'logdriver', 'stats', 'container',
  'build', 'api/server', 'metrics', 'alerts'];
const ALLOWED = {
  'lib': [],
  'oci': ['lib'],
  'api/types': ['lib'],
  'security': ['lib', 'oci'],
  'specgen': ['lib', 'oci', 'api/types', 'security'],
  'storage/content': ['lib', 'oci'],
  'storage/metadata': ['lib', 'oci'],
  'events': ['lib'],
  'layer': ['lib', 'oci', 'storage/content', 'storage/metadata'],
  'distribution': ['lib', 'oci', 'storage/content'],
  'image': ['lib', 'oci', 'api/types', 'storage/content', 'storage/metadata', 'layer', 'distribution', 'events'],
  'runtime': ['lib', 'oci'],
  'network': ['lib', 'oci', 'storage/metadata', 'events'],
  'volume': ['lib', 'oci', 'api/types', 'storage/metadata', 'events'],
  'logs': ['lib', 'oci', 'storage/metadata', 'events'],
  'logdriver': ['lib', 'logs'],
  'stats': ['lib', 'oci', 'api/types', 'storage/metadata', 'events'],
  'container': ['lib', 'oci', 'api/types', 'specgen', 'security', 'storage/content', 'storage/metadata', 'layer',
    'runtime', 'network', 'volume', 'logs', 'logdriver', 'stats', 'events'],
  'build': ['lib', 'oci', 'api/types', 'storage/content', 'storage/metadata', 'layer', 'image', 'events'],
  'registry': ['lib', 'oci'],
  'metrics': ['lib'],
  'alerts': ['lib', 'api/types'],
  'api/server': ['lib', 'api/types'],
  'daemon': SERVER_ALL,
  'client': ['lib', 'api/types', 'oci'],
  'cli': ['lib', 'api/types', 'oci', 'client'],
  'compose': ['lib', 'api/types', 'oci', 'client'],
};
const MODULES = Object.keys(ALLOWED).sort((a, b) => b.length - a.length);

function moduleOf(file) {
  const rel = relative(src, file).split(sep).join('/');
  if (rel.startsWith('..')) return null;
  return MODULES.find((m) => rel === m || rel.startsWith(m + '/')) ?? '?';
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

const problems = [];
const files = [...walk(src)];
const binDir = join(root, 'bin');
try { files.push(...walk(binDir)); } catch { /* no bin yet */ }
const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const from = moduleOf(file);
  const isTest = file.endsWith('.test.ts');
  if (from === '?') problems.push(`${relative(root, file)}: file is outside every known module`);
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (!spec || !spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    const to = moduleOf(target);
    if (to === null || to === '?') {
      if (!target.startsWith(src)) continue; // e.g. bin -> dist, tests -> fixtures
      problems.push(`${relative(root, file)}: imports ${spec}, which is outside every module`);
      continue;
    }
    if (from === null) {
      // bin/ entrypoints may import daemon, cli (their public faces only)
      if (!target.endsWith(`${to}/index.ts`)) problems.push(`${relative(root, file)}: deep import ${spec}`);
      continue;
    }
    if (to === from) continue;
    if (from === '?' ) continue;
    if (!ALLOWED[from].includes(to) && !(isTest && to === 'lib')) {
      problems.push(`${relative(root, file)}: module '${from}' must not import '${to}' (${spec})`);
    } else if (!target.endsWith(join(to, 'index.ts')) && !target.endsWith(to + '/index.ts')) {
      problems.push(`${relative(root, file)}: deep import into '${to}' (${spec}); import its index.ts`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`layer check: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`layer check: ${files.length} files, imports point down the layers`);
