// The graph driver: where the files of each layer live (moby daemon/graphdriver). Two kinds:
//   'overlay'  (overlay2) a layer's dir holds only its own changes, in overlay format
//              (whiteouts are 0:0 character devices, opaque dirs carry trusted.overlay.opaque=y);
//              a container's root is an overlay mount of its chain.
//   'snapshot' (vfs, btrfs) a layer's dir is the whole tree: a copy (vfs) or a subvolume
//              snapshot (btrfs) of its parent with the layer applied on top; a container's
//              root is its dir itself.
// The layer store speaks one interchange format with every driver: an "upper dir" in overlay
// format (a layer tar extracted and converted, a build step's or a commit's changes).
// Cache ids are the names of layer dirs (64 hex characters; a container's layer uses its id).

export type DriverName = 'overlay2' | 'vfs' | 'btrfs';
export const DRIVER_NAMES: readonly DriverName[] = ['overlay2', 'vfs', 'btrfs'];

export interface GraphDriver {
  readonly name: DriverName;
  readonly kind: 'overlay' | 'snapshot';
  /** <data-root>/<name> */
  readonly root: string;
  init(): Promise<void>;
  /** Makes a new empty layer dir on `parentCacheIds` (nearest first); `mountable` for containers. */
  create(cacheId: string, parentCacheIds: readonly string[], mountable: boolean): Promise<void>;
  /**
   * Makes a layer from an upper dir (overlay format) on the same filesystem; the dir is
   * consumed (renamed in or applied and deleted).
   */
  createFromUpper(cacheId: string, parentCacheIds: readonly string[], upperDir: string): Promise<void>;
  /** A new empty dir to extract a layer tar into before its parents are known (parallel pulls). */
  createStaged(id: string): Promise<string>;
  /** Turns a staged dir into the layer `id` on `parentCacheIds`. */
  commitStaged(id: string, parentCacheIds: readonly string[]): Promise<void>;
  discardStaged(id: string): Promise<void>;
  /** overlay: the layer's own changes; snapshot: the layer's whole tree. */
  diffPath(cacheId: string): string;
  /** Where a container's root is once mounted. */
  mergedPath(cacheId: string): string;
  /**
   * Mounts a container layer on its parents (nearest first; overlay2 reads a legacy `lower`
   * record when omitted). `engineMounts`: the engine's mount points under it (init-lower.ts).
   */
  mount(cacheId: string, parentCacheIds?: readonly string[], engineMounts?: boolean): Promise<string>;
  unmount(cacheId: string): Promise<void>;
  remove(cacheId: string): Promise<void>;
  exists(cacheId: string): Promise<boolean>;
  /** Layer dirs present (cache ids), staged ones and bookkeeping left out. */
  list(): Promise<string[]>;
  mountedIds(): string[];
  /** Bytes a container changed (`ps -s` SizeRw). */
  diffSize(cacheId: string): Promise<number>;
  /**
   * A container's changes as an upper dir in overlay format (commit, build, diff). overlay:
   * the upper dir itself; snapshot: made by comparing the dir with its parent, rebuilt at
   * each call and deleted with the layer.
   */
  upperDir(cacheId: string): Promise<string>;
  /** Frees what upperDir made (nothing for overlay: the upper dir is the layer itself). */
  releaseUpperDir(cacheId: string): Promise<void>;
  /** `docker info` DriverStatus. */
  status(): Promise<[string, string][] | null>;
  /** inspect's GraphDriver.Data for a layer on `parentCacheIds` (nearest first). */
  metadata(cacheId: string, parentCacheIds: readonly string[]): Record<string, string> | null;
}

/** statfs f_type magic numbers -> Docker's backing filesystem names (moby daemon/graphdriver/driver_linux.go). */
const FS_MAGIC: Record<number, string> = {
  0xef53: 'extfs', 0x9123683e: 'btrfs', 0x58465342: 'xfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs',
  0x6969: 'nfs', 0x2fc12fc1: 'zfs', 0xf2f52010: 'f2fs', 0x65735546: 'fuseblk', 0x52654973: 'reiserfs',
  0x9fa0: 'proc', 0x858458f6: 'ramfs', 0x73717368: 'squashfs', 0x5346544e: 'ntfs', 0x4d44: 'msdos',
  0x3153464a: 'jfs', 0x24051905: 'ubifs', 0xff534d42: 'cifs', 0xca451a4e: 'ecryptfs', 0x61756673: 'aufs',
};

export function backingFsName(magic: number): string {
  return FS_MAGIC[magic >>> 0] ?? `<unknown> (0x${(magic >>> 0).toString(16)})`;
}

/**
 * Which driver a daemon uses. `requested` is --storage-driver ('' = not given); `recorded`
 * the driver the data root was made with (null = new data root); `backingFs` the data root's
 * filesystem. A data root is never switched to another driver: its layers would be read as
 * the wrong format.
 */
export function chooseDriver(requested: string, recorded: DriverName | null, backingFs: string, dataRoot: string): DriverName {
  if (requested !== '' && !DRIVER_NAMES.includes(requested as DriverName)) {
    throw new Error(`error initializing graphdriver: driver not supported: ${requested}`);
  }
  if (recorded !== null) {
    if (requested !== '' && requested !== recorded) {
      throw new Error(`data root ${dataRoot} holds the layers of storage driver ${recorded}; it cannot be used with --storage-driver ${requested}: `
        + `start berthd with --storage-driver ${recorded}, or give another --data-root`);
    }
    if (recorded === 'btrfs' && backingFs !== 'btrfs') throw new Error('error initializing graphdriver: prerequisites for driver not satisfied (wrong filesystem?)');
    return recorded;
  }
  if (requested === 'btrfs' && backingFs !== 'btrfs') throw new Error('error initializing graphdriver: prerequisites for driver not satisfied (wrong filesystem?)');
  if (requested === 'overlay2' && backingFs === 'overlayfs') {
    throw new Error(`error initializing graphdriver: overlay2 is not supported over ${backingFs}: use --storage-driver vfs`);
  }
  if (requested !== '') return requested as DriverName;
  if (backingFs === 'btrfs') return 'btrfs';
  // Overlay cannot use an overlay filesystem for its upper dirs: fall back to copies.
  if (backingFs === 'overlayfs') return 'vfs';
  return 'overlay2';
}
