// Which registries may be spoken to over plain HTTP, and mirrors: daemon.json's
// `insecure-registries` (host[:port] or CIDR) and `registry-mirrors`. Loopback hosts are
// insecure by default, as dockerd treats 127.0.0.0/8.
import { isLoopbackHost } from './reference.ts';

export interface RegistryConfigOptions { insecureRegistries?: string[]; mirrors?: string[]; certsDir?: string }

export class RegistryConfig {
  constructor(readonly opts: RegistryConfigOptions = {}) {}

  isInsecure(host: string): boolean {
    if (isLoopbackHost(host)) return true;
    const bare = host.replace(/:\d+$/, '');
    for (const entry of this.opts.insecureRegistries ?? []) {
      const e = entry.replace(/^https?:\/\//, '').replace(/\/$/, '');
      if (e === host || e === bare) return true;
      if (e.includes('/') && ipInCidr(bare, e)) return true;
    }
    return false;
  }
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bitsRaw] = cidr.split('/');
  const toNum = (s: string): number | null => {
    const p = s.split('.').map(Number);
    if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return null;
    return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
  };
  const a = toNum(ip); const b = toNum(net ?? ''); const bits = Number(bitsRaw);
  if (a === null || b === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}
