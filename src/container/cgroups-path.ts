// The container's linux.cgroupsPath: <cgroup parent>/<id>, where the parent is the
// container's HostConfig.CgroupParent (docker run --cgroup-parent) or the daemon's.
import type { HostConfig } from '../api/types/index.ts';
import { InvalidArgumentError } from '../lib/index.ts';

export function cgroupsPathOf(daemonParent: string, hc: HostConfig, id: string): string {
  const own = (hc.CgroupParent ?? '').trim();
  if (own === '') return `${daemonParent}/${id}`;
  if (own.split('/').includes('..')) throw new InvalidArgumentError(`invalid cgroup parent: ${own}`);
  return `${own.startsWith('/') ? '' : '/'}${own.replace(/\/+$/, '')}/${id}`;
}
