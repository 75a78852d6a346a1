// Volume wire types (moby api/swagger.yaml "Volume", "VolumeCreateOptions", "VolumeListResponse",
// "MountPoint", "Mount") and the container-side mount types that refer to volumes.

/** A volume as GET /volumes/{name} returns it. */
export interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  /** RFC 3339, seconds precision (Go's time.RFC3339). */
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
  Scope: 'local' | 'global';
  Status?: Record<string, unknown>;
  /** Only in /system/df: Size -1 and RefCount -1 when not computed. */
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface VolumeCreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
  ClusterVolumeSpec?: unknown;
}

export interface VolumeListResponse { Volumes: Volume[]; Warnings: string[] | null }

export interface VolumePruneResponse { VolumesDeleted: string[] | null; SpaceReclaimed: number }

export type MountType = 'bind' | 'volume' | 'tmpfs' | 'image' | 'npipe' | 'cluster';

/** HostConfig.Mounts entries (docker run --mount). */
export interface Mount {
  Target?: string;
  Source?: string;
  Type?: MountType | string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean; ReadOnlyNonRecursive?: boolean; ReadOnlyForceRecursive?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null; Subpath?: string } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] | null } | null;
  ImageOptions?: unknown;
}

/** An entry of a container's `Mounts` (inspect and list). */
export interface MountPoint {
  Type: MountType;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}
