// What the container operations need from the volume service, declared by its consumer
// (STYLE.md §7.2); daemon/wire.ts passes the VolumeService.
export interface VolumeProvider {
  /** The named volume (made if missing) or a new anonymous one (name null), now referenced by the container. */
  acquire(name: string | null, containerId: string, o: { driver?: string; driverOpts?: Record<string, string> | null; labels?: Record<string, string> | null }): Promise<string>;
  /** Drops the container's reference; with removeAnonymous an unused anonymous volume is removed. */
  release(name: string, containerId: string, removeAnonymous: boolean): Promise<void>;
  /** A running container uses the volume (mounted if it has driver options); returns its host path. */
  mount(name: string, containerId: string, attrs: Record<string, string>): Promise<string>;
  unmount(name: string, containerId: string): Promise<void>;
  restoreRef(name: string, containerId: string): void;
  restoreActive(name: string, containerId: string): void;
  unmountIdle(): Promise<void>;
  dataPath(name: string): string;
}
