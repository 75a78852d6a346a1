// The rows and fields of `docker images` (formatter.ImageContext): one row per repository
// tag (dangling images show <none>), fields .ID .Repository .Tag .Digest .CreatedSince
// .CreatedAt .Size .Containers .VirtualSize .SharedSize .UniqueSize.
import type { ImageSummary } from '../../api/types/index.ts';
import { GoStruct } from './go-value.ts';
import { goTimeString } from './go-time.ts';
import { humanDuration } from './human-duration.ts';
import { humanSize } from './human-size.ts';
import { splitReference } from '../../oci/index.ts';
import { familiarName } from './image-ref.ts';
import { truncateId } from './short-text.ts';

export const IMAGE_HEADER: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT', Size: 'SIZE', Containers: 'CONTAINERS', VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
};

const DEFAULT_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const DIGEST_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

/** formatter.NewImageFormat. */
export function imageFormat(source: string, quiet: boolean, digest: boolean): string {
  if (source === 'table') return quiet ? '{{.ID}}' : digest ? DIGEST_TABLE : DEFAULT_TABLE;
  if (source === 'raw') {
    if (quiet) return 'image_id: {{.ID}}';
    return `repository: {{ .Repository }}\ntag: {{.Tag}}\n${digest ? 'digest: {{.Digest}}\n' : ''}`
      + 'image_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n';
  }
  if (source.startsWith('table') && digest && !source.includes('{{.Digest}}')) return `${source}\t{{.Digest}}`;
  return source;
}

export interface ImageRowsOptions {
  trunc: boolean;
  now: Date;
  /** --digests */
  digest: boolean;
  /** The format mentions {{.Digest}}. */
  formatHasDigest: boolean;
}

function isDangling(img: ImageSummary): boolean {
  const tags = img.RepoTags ?? [];
  const digests = img.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

/** formatter.imageFormat: expands each image into its display rows. */
export function imageRows(images: readonly ImageSummary[], opts: ImageRowsOptions): GoStruct[] {
  const rows: GoStruct[] = [];
  for (const img of images) {
    if (isDangling(img)) {
      rows.push(imageContext(img, '<none>', '<none>', '<none>', opts));
      continue;
    }
    const repoTags = new Map<string, string[]>();
    const repoDigests = new Map<string, string[]>();
    for (const ref of img.RepoTags ?? []) {
      const { name, tag } = splitReference(ref);
      if (tag === null) continue;
      const repo = familiarName(name);
      repoTags.set(repo, [...(repoTags.get(repo) ?? []), tag]);
    }
    for (const ref of img.RepoDigests ?? []) {
      const { name, digest } = splitReference(ref);
      if (digest === null) continue;
      const repo = familiarName(name);
      repoDigests.set(repo, [...(repoDigests.get(repo) ?? []), digest]);
    }
    for (const [repo, tags] of repoTags) {
      let digests = repoDigests.get(repo) ?? [];
      repoDigests.delete(repo);
      if (!opts.digest && !opts.formatHasDigest) digests = [];
      for (const tag of tags) {
        if (digests.length === 0) rows.push(imageContext(img, repo, tag, '<none>', opts));
        for (const d of digests) rows.push(imageContext(img, repo, tag, d, opts));
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (opts.digest) for (const d of digests) rows.push(imageContext(img, repo, '<none>', d, opts));
      else rows.push(imageContext(img, repo, '<none>', '', opts));
    }
  }
  return rows;
}

function imageContext(img: ImageSummary, repo: string, tag: string, digest: string, opts: ImageRowsOptions): GoStruct {
  return new GoStruct('*formatter.imageContext', {
    ID: () => (opts.trunc ? truncateId(img.Id) : img.Id),
    Repository: () => repo,
    Tag: () => tag,
    Digest: () => digest,
    CreatedSince: () => `${humanDuration(opts.now.getTime() - img.Created * 1000)} ago`,
    CreatedAt: () => goTimeString(new Date(img.Created * 1000)),
    Size: () => humanSize(img.Size, 3),
    Containers: () => (img.Containers === -1 ? 'N/A' : String(img.Containers)),
    VirtualSize: () => humanSize(img.Size),
    SharedSize: () => (img.SharedSize === -1 ? 'N/A' : humanSize(img.SharedSize)),
    UniqueSize: () => (img.Size === -1 || img.SharedSize === -1 ? 'N/A' : humanSize(img.Size - img.SharedSize)),
  });
}
