// A view of a container's filesystem for cp/archive/export (moby daemon/containerfs_linux.go
// openContainerFS, done with descriptors instead of a private mount namespace, which Node
// cannot enter: LIBRARIES.md, setns). A running container is seen through /proc/<pid>/root,
// its own mount namespace, so volumes, binds and even tmpfs mounts show what the container
// sees. A stopped one has its rootfs mounted for the time of the operation (under the
// container's lock, so a start cannot stack a second mount underneath) with its volumes
// and binds grafted at their destinations (scoped-path.ts). Every path is resolved by
// ScopedRoot: nothing a container plants can lead the daemon outside its root.
import type { ContainerContext } from './context.ts';
import type { Container } from './record.ts';
import { ScopedRoot, type ScopedMount } from './scoped-path.ts';

const LIVE: ReadonlySet<string> = new Set(['running', 'paused', 'restarting']);

export interface FsView {
  c: Container;
  root: ScopedRoot;
  /** The view is the running container's own mount namespace. */
  live: boolean;
  close(): Promise<void>;
}

export function isLive(c: Container): boolean {
  return LIVE.has(c.state.status) && c.state.pid > 0;
}

async function openLive(c: Container): Promise<FsView | null> {
  if (!isLive(c)) return null;
  const root = await ScopedRoot.open(`/proc/${c.state.pid}/root`).catch(() => null);
  if (root === null) return null;
  if (!isLive(c)) { await root.close(); return null; }
  return { c, root, live: true, close: () => root.close() };
}

/** Takes the container's lock and keeps it until the returned function is called. */
function holdLock(ctx: ContainerContext, id: string): Promise<() => void> {
  return new Promise((resolve, reject) => {
    ctx.lock(id, () => new Promise<void>((release) => resolve(release))).catch(reject);
  });
}

/**
 * Opens the view; `rootfsOnly` (export) leaves out every mount and, for a running
 * container, reads its mounted rootfs instead of its namespace.
 */
export async function openFsView(ctx: ContainerContext, ref: string, o: { rootfsOnly?: boolean } = {}): Promise<FsView> {
  const c = ctx.store.get(ref);
  const id = c.config.id;
  if (o.rootfsOnly) {
    const merged = isLive(c) ? ctx.layers.mountedRW(id) : null;
    if (merged !== null) {
      const root = await ScopedRoot.open(merged);
      return { c, root, live: true, close: () => root.close() };
    }
  } else {
    const live = await openLive(c);
    if (live) return live;
  }
  const release = await holdLock(ctx, id);
  const volumes: string[] = [];
  let mounted = false;
  const undo = async (): Promise<void> => {
    for (const v of volumes) await ctx.volumes.unmount(v, id).catch(() => undefined);
    if (mounted) await ctx.layers.unmountRW(id).catch(() => undefined);
    release();
  };
  try {
    // Started while this waited for the lock: use the running container's view.
    if (!o.rootfsOnly && isLive(c)) {
      const live = await openLive(c);
      if (live) { release(); return live; }
    }
    const rootfs = o.rootfsOnly && isLive(c) ? ctx.layers.mountedRW(id) ?? await ctx.layers.mountRW(id, c.config.imageTopLayer, true) : await ctx.layers.mountRW(id, c.config.imageTopLayer, true);
    mounted = !isLive(c);
    const mounts: ScopedMount[] = [];
    for (const m of o.rootfsOnly ? [] : c.config.mounts ?? []) {
      if (m.type === 'bind') mounts.push({ destination: m.destination, source: m.source });
      if (m.type !== 'volume') continue;
      const path = await ctx.volumes.mount(m.name, id, { destination: m.destination, propagation: m.propagation, 'read/write': String(m.rw) });
      volumes.push(m.name);
      mounts.push({ destination: m.destination, source: path });
    }
    const root = await ScopedRoot.open(rootfs, mounts);
    return { c, root, live: false, close: async () => { await root.close(); await undo(); } };
  } catch (err) {
    await undo();
    throw err;
  }
}
