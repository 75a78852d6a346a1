// `berth registry gc`: mark every blob a repository's manifests reference (manifests,
// configs, layers, an index's children), then delete the rest. Like distribution's
// garbage-collect it is meant for a registry that takes no writes (stopped or
// --read-only); as a second guard, blobs younger than `graceMs` are kept, so a push in
// flight (blobs uploaded, manifest not yet put) never loses its blobs.
import { parseManifest } from '../oci/index.ts';
import { RegistryStorage } from './storage.ts';

export interface GcOptions { dryRun?: boolean; graceMs?: number; deleteUntagged?: boolean }
export interface GcResult { marked: number; deleted: string[]; freedBytes: number; uploadsPurged: number }

export async function garbageCollect(root: string, opts: GcOptions = {}): Promise<GcResult> {
  const s = new RegistryStorage(root);
  await s.init();
  const marked = new Set<string>();
  for (const repo of await s.repositories()) {
    const tagged = new Set<string>();
    for (const t of await s.tags(repo)) { const d = await s.tagDigest(repo, t); if (d) tagged.add(d); }
    const roots = opts.deleteUntagged ? [...tagged] : await s.revisions(repo);
    if (opts.deleteUntagged && !opts.dryRun) {
      // Untagged revisions that no tagged index names are removed first (distribution's -m).
      const keep = new Set<string>();
      const walk = async (d: string): Promise<void> => {
        if (keep.has(d)) return;
        keep.add(d);
        const m = await s.getManifest(repo, d);
        if (!m) return;
        try { const p = parseManifest(m.bytes, m.mediaType); if (p.kind === 'index') for (const c of p.index.manifests) await walk(c.digest); } catch { /* unparsable */ }
      };
      for (const d of tagged) await walk(d);
      for (const d of await s.revisions(repo)) if (!keep.has(d)) await s.deleteManifest(repo, d);
    }
    const mark = async (d: string): Promise<void> => {
      if (marked.has(d)) return;
      marked.add(d);
      const m = await s.getManifest(repo, d);
      if (!m) return;
      let p;
      try { p = parseManifest(m.bytes, m.mediaType); } catch { return; }
      if (p.kind === 'index') { for (const c of p.index.manifests) await mark(c.digest); return; }
      marked.add(p.manifest.config.digest);
      for (const l of p.manifest.layers) marked.add(l.digest);
    };
    for (const d of roots) await mark(d);
  }
  const now = Date.now();
  const grace = opts.graceMs ?? 10 * 60_000;
  const deleted: string[] = [];
  let freed = 0;
  for (const b of await s.allBlobs()) {
    if (marked.has(b.digest) || now - b.mtimeMs < grace) continue;
    deleted.push(b.digest);
    freed += b.size;
    if (!opts.dryRun) await s.removeBlob(b.digest);
  }
  // Upload sessions idle for a day are abandoned (distribution's uploadpurging default: 168h).
  const uploadsPurged = opts.dryRun ? 0 : await s.purgeUploads(Math.max(grace, 24 * 3600_000));
  return { marked: marked.size, deleted, freedBytes: freed, uploadsPurged };
}
