// linux.sysctl (moby WithCommonOptions, setLinuxDomainname, WithSysctls): the NIS domain name
// through kernel.domainname (no runtime support needed), two network defaults for a
// container with its own network namespace (ping without CAP_NET_RAW, ports < 1024 without
// CAP_NET_BIND_SERVICE), then HostConfig.Sysctls, which win.
import { compareKernelVersions, parseKernelVersion } from '../security/index.ts';
import type { SpecInput } from './spec-input.ts';

function ownsNetworkNamespace(input: SpecInput): boolean {
  if (input.netns === 'host') return false;
  return !(input.hostConfig.NetworkMode ?? '').startsWith('container:');
}

export function buildSysctls(input: SpecInput, sharesHostUts: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (!sharesHostUts && input.domainname !== undefined && input.domainname !== '') {
    out['kernel.domainname'] = input.domainname;
  }
  // In a user namespace the runtime cannot write the sysctls of a network namespace owned by
  // the host's (moby skips ping_group_range there); the caller sets them from the host.
  if (ownsNetworkNamespace(input) && input.idMappings === undefined) {
    out['net.ipv4.ping_group_range'] = '0 2147483647';
    // moby checks /proc/sys for it; the knob exists from Linux 4.11.
    if (compareKernelVersions(parseKernelVersion(input.host.kernel), { major: 4, minor: 11, patch: 0 }) >= 0) {
      out['net.ipv4.ip_unprivileged_port_start'] = '0';
    }
  }
  return { ...out, ...(input.hostConfig.Sysctls ?? {}) };
}
