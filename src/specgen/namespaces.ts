// linux.namespaces from the namespace modes of HostConfig (moby daemon/oci_linux.go
// WithNamespaces). Order as moby's default spec: mount, network, uts, pid, ipc, then cgroup.
//   network  the prepared netns path, "private" (new, empty), or "host" (omitted)
//   uts      "" → new; "host" → shared (and no hostname)
//   pid      "" → new; "host" → shared; "container:<id>" → the path the caller resolved
//   ipc      ""/private/shareable/none → new; "host" → shared; "container:<id>" → path
//   cgroup   "private" → new; "host" → shared; "" → new on cgroup v2, the host's on v1 (Docker's defaults)
//   user     "" or "host"; a new one when the caller gives idMappings (--userns-remap)
import type { OciNamespace } from '../oci/index.ts';
import { InvalidSpecInputError } from './errors.ts';
import type { SpecInput } from './spec-input.ts';

const CONTAINER_MODE = /^container:.+$/;

function joined(kind: 'pid' | 'ipc', mode: string, path: string | undefined): OciNamespace {
  if (path === undefined || path === '') {
    throw new InvalidSpecInputError(`invalid ${kind.toUpperCase()} mode: ${mode}: namespace path not resolved`);
  }
  return { type: kind, path };
}

function pidNamespace(input: SpecInput): OciNamespace | null {
  const mode = input.hostConfig.PidMode ?? '';
  if (mode === '') return { type: 'pid' };
  if (mode === 'host') return null;
  if (CONTAINER_MODE.test(mode)) return joined('pid', mode, input.namespacePaths?.pid);
  throw new InvalidSpecInputError(`invalid PID mode: ${mode}`);
}

function ipcNamespace(input: SpecInput): OciNamespace | null {
  const mode = input.hostConfig.IpcMode ?? '';
  if (mode === '' || mode === 'private' || mode === 'shareable' || mode === 'none') return { type: 'ipc' };
  if (mode === 'host') return null;
  if (CONTAINER_MODE.test(mode)) return joined('ipc', mode, input.namespacePaths?.ipc);
  throw new InvalidSpecInputError(`invalid IPC mode: ${mode}`);
}

/** True when the container shares the host's UTS namespace (then it has no hostname of its own). */
export function sharesHostUts(input: SpecInput): boolean {
  const mode = input.hostConfig.UTSMode ?? '';
  if (mode === 'host') return true;
  if (mode === '') return false;
  throw new InvalidSpecInputError(`invalid UTS mode: ${mode}`);
}

/** True when the container shares the host's PID namespace or another container's. */
export function hasOwnPidNamespace(input: SpecInput): boolean {
  return (input.hostConfig.PidMode ?? '') === '';
}

function cgroupNamespace(input: SpecInput): boolean {
  const mode = input.hostConfig.CgroupnsMode ?? '';
  if (mode === 'private') return true;
  if (mode === 'host') return false;
  if (mode === '') return input.host.cgroupVersion === 2;
  throw new InvalidSpecInputError(`invalid cgroup namespace mode: ${mode}`);
}

function checkUserNamespace(input: SpecInput): void {
  const mode = input.hostConfig.UsernsMode ?? '';
  if (mode !== '' && mode !== 'host') throw new InvalidSpecInputError(`invalid USER mode: ${mode}`);
}

export function buildNamespaces(input: SpecInput): OciNamespace[] {
  const out: OciNamespace[] = [{ type: 'mount' }];
  if (input.netns === 'private') out.push({ type: 'network' });
  else if (input.netns !== 'host') out.push({ type: 'network', path: input.netns });
  if (!sharesHostUts(input)) out.push({ type: 'uts' });
  const pid = pidNamespace(input);
  if (pid !== null) out.push(pid);
  const ipc = ipcNamespace(input);
  if (ipc !== null) out.push(ipc);
  if (cgroupNamespace(input)) out.push({ type: 'cgroup' });
  checkUserNamespace(input);
  if (input.idMappings !== undefined) out.push({ type: 'user' });
  return out;
}
