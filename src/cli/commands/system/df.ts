// berth system df [-v]: GET /system/df rendered as docker's formatter/disk_usage.go does: one
// row per type (Images, Containers, Local Volumes, Build Cache) with TOTAL, ACTIVE, SIZE and
// RECLAIMABLE, or with -v one table per type.
import type { ContainerSummary, DiskUsage, ImageSummary, Volume } from '../../../api/types/index.ts';
import { containerContext, CONTAINER_HEADER } from '../../format/container-context.ts';
import { renderList } from '../../format/formatter.ts';
import { GoStruct } from '../../format/go-value.ts';
import { humanSize } from '../../format/human-size.ts';
import { IMAGE_HEADER, imageRows } from '../../format/image-context.ts';
import { VOLUME_HEADER, volumeRow } from '../../format/volume-context.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface DfOptions { verbose?: boolean; format?: string }

const SUMMARY_HEADER = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
const SUMMARY_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const IMAGES_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const CONTAINERS_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const VOLUMES_TABLE = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';
const CACHE_TABLE = 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}';
const CACHE_HEADER = { ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED' };

/** "1.2MB (40%)", or the size alone when the total is 0. */
function reclaimable(amount: number, total: number): string {
  return total > 0 ? `${humanSize(amount)} (${Math.trunc((amount * 100) / total)}%)` : humanSize(amount);
}

function row(type: string, total: number, active: number, size: string, recl: string): GoStruct {
  return new GoStruct('*formatter.diskUsageContext', {
    Type: () => type, TotalCount: () => String(total), Active: () => String(active), Size: () => size, Reclaimable: () => recl,
  });
}

const isActive = (c: ContainerSummary): boolean => /running|paused|restarting/.test(c.State);

export function summaryRows(du: DiskUsage): GoStruct[] {
  const images: ImageSummary[] = du.Images ?? [];
  const containers: ContainerSummary[] = du.Containers ?? [];
  const volumes: Volume[] = du.Volumes ?? [];
  const layers = du.LayersSize ?? 0;
  let used = 0;
  for (const i of images) if (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1) used += i.Size - i.SharedSize;
  const cSize = containers.reduce((a, c) => a + (c.SizeRw ?? 0), 0);
  const cFree = containers.filter((c) => !isActive(c)).reduce((a, c) => a + (c.SizeRw ?? 0), 0);
  const vSize = (v: Volume): number => (v.UsageData && v.UsageData.Size !== -1 ? v.UsageData.Size : 0);
  const volSize = volumes.reduce((a, v) => a + vSize(v), 0);
  const volFree = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((a, v) => a + vSize(v), 0);
  return [
    row('Images', images.length, images.filter((i) => i.Containers > 0).length, humanSize(layers), reclaimable(layers - used, layers)),
    row('Containers', containers.length, containers.filter(isActive).length, humanSize(cSize), reclaimable(cFree, cSize)),
    row('Local Volumes', volumes.length, volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, humanSize(volSize), reclaimable(volFree, volSize)),
    row('Build Cache', 0, 0, humanSize(0), humanSize(0)),
  ];
}

export function verboseText(du: DiskUsage, now: Date): string {
  const images = imageRows(du.Images ?? [], { trunc: true, now, digest: false, formatHasDigest: false });
  // The df tables show the container's own layer only (SizeRw), not "(virtual …)".
  const containers = (du.Containers ?? []).map(({ SizeRootFs: _virtual, ...c }) => containerContext(c, { trunc: true, now }));
  let out = 'Images space usage:\n\n';
  out += renderList({ format: IMAGES_TABLE, header: IMAGE_HEADER, items: images });
  out += '\nContainers space usage:\n\n';
  out += renderList({ format: CONTAINERS_TABLE, header: CONTAINER_HEADER, items: containers });
  out += '\nLocal Volumes space usage:\n\n';
  out += renderList({ format: VOLUMES_TABLE, header: VOLUME_HEADER, items: (du.Volumes ?? []).map(volumeRow) });
  out += `\nBuild cache usage: ${humanSize(0)}\n\n`;
  out += renderList({ format: CACHE_TABLE, header: CACHE_HEADER, items: [] });
  return out;
}

export function dfVerb(): VerbSpec<DfOptions> {
  return {
    name: 'df',
    usage: '[OPTIONS]',
    description: 'Show berth disk usage',
    args: { max: 0 },
    options: (cmd) => cmd
      .option('--format <string>', 'Format output using a custom template')
      .option('-v, --verbose', 'Show detailed information on space usage'),
    action: async ({ ctx, opts, client, usageError }) => {
      const format = opts.format ?? '';
      if (opts.verbose && format !== '') throw usageError('the --format option is not supported together with --verbose by berth');
      const du = await client().volumes.diskUsage();
      if (opts.verbose) {
        await writeOut(ctx.out, verboseText(du, ctx.now()));
        return;
      }
      await writeOut(ctx.out, renderList({ format: format === '' || format === 'table' ? SUMMARY_TABLE : format, header: SUMMARY_HEADER, items: summaryRows(du) }));
    },
  };
}
