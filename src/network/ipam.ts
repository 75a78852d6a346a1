// IPAM for one subnet of one network: hands out addresses in order after the last one given
// (as libnetwork's bitmap does), so a released address is not reused at once. The set of
// addresses in use is rebuilt at daemon start from the containers' endpoint records, which
// are written before any address is configured, so an address is never given out twice,
// also across daemon restarts and crashes.
import { ConflictError, InvalidArgumentError } from '../lib/index.ts';
import { contains, formatIp, last, parseIp, type Cidr } from './cidr.ts';

export interface PoolSpec {
  subnet: Cidr;
  /** --ip-range: dynamic addresses come from here (static ones may be anywhere in the subnet). */
  range?: Cidr;
  gateway: bigint;
  /** --aux-address values: never handed out. */
  reserved?: bigint[];
}

export class AddressPool {
  readonly #spec: PoolSpec;
  readonly #used = new Set<bigint>();
  #cursor: bigint;

  constructor(spec: PoolSpec) {
    this.#spec = spec;
    this.#cursor = (spec.range ?? spec.subnet).base;
  }

  get family(): 4 | 6 { return this.#spec.subnet.family; }

  /** Takes the given address (static --ip), or the next free one. Returns the address as text. */
  allocate(preferred?: string): string {
    const fam = this.#spec.subnet.family;
    if (preferred) {
      const { family, value } = parseIp(preferred);
      if (family !== fam || !contains(this.#spec.subnet, family, value)) {
        throw new InvalidArgumentError(`no configured subnet or ip-range contain the IP address ${preferred}`);
      }
      if (this.#used.has(value) || this.#excluded(value)) throw new ConflictError('Address already in use');
      this.#used.add(value);
      return formatIp(fam, value);
    }
    const range = this.#spec.range ?? this.#spec.subnet;
    const first = range.base;
    const end = last(range);
    const span = end - first + 1n;
    for (let i = 0n; i < span; i++) {
      let v = this.#cursor + i;
      if (v > end) v = first + (v - end - 1n);
      if (this.#used.has(v) || this.#excluded(v)) continue;
      this.#used.add(v);
      this.#cursor = v + 1n > end ? first : v + 1n;
      return formatIp(fam, v);
    }
    throw new ConflictError(`no available IPv${fam} addresses on this network's address pools`);
  }

  /** Records an address already in use (rebuilding from endpoint records). */
  markUsed(ip: string): void {
    const { value } = parseIp(ip);
    this.#used.add(value);
  }

  release(ip: string): void {
    try { this.#used.delete(parseIp(ip).value); } catch { /* not an address: nothing held */ }
  }

  inUse(): number { return this.#used.size; }

  #excluded(v: bigint): boolean {
    const s = this.#spec;
    if (v === s.gateway) return true;
    if (s.reserved?.includes(v)) return true;
    // The subnet's own address, and for IPv4 its broadcast address, are never hosts.
    if (v === s.subnet.base && s.subnet.prefix < (s.subnet.family === 4 ? 31 : 127)) return true;
    if (s.subnet.family === 4 && v === last(s.subnet) && s.subnet.prefix < 31) return true;
    return false;
  }
}
