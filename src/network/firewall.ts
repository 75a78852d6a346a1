// Keeps berth's nftables table equal to the desired state. Changes are coalesced: callers ask
// for a sync and wait for the next transaction that includes their change, so many starts at
// once cost one transaction. A watch compares the table with what it should hold every few
// seconds and rewrites it when someone flushed or edited it (the user chain excepted).
import type { Logger } from '../lib/index.ts';
import { expectedShape, forwardAcceptScript, syncScript, USER_CHAIN, type FwState } from './nft-ruleset.ts';
import type { Nft } from './nft.ts';

interface NftJsonItem {
  set?: { name: string; table: string; family: string; elem?: unknown[] };
  map?: { name: string; table: string; family: string; elem?: unknown[] };
  rule?: { chain: string; table: string; family: string; handle: number; comment?: string };
  chain?: { name: string };
}

export class Firewall {
  #running: Promise<void> | null = null;
  #queued: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #acceptFor = '';

  constructor(
    private readonly nft: Nft,
    readonly table: string,
    private readonly state: () => FwState,
    private readonly log: Logger,
  ) {}

  get comment(): string { return `berth:${this.table}`; }

  /** Resolves once a transaction that started after this call has been applied. */
  sync(): Promise<void> {
    if (this.#queued) return this.#queued;
    const after = this.#running ?? Promise.resolve();
    const next = after.catch(() => undefined).then(() => {
      this.#queued = null;
      this.#running = next;
      return this.#apply();
    }).finally(() => { if (this.#running === next) this.#running = null; });
    this.#queued = next;
    return next;
  }

  async #apply(): Promise<void> {
    const st = this.state();
    await this.nft.run(syncScript(this.table, st));
    const bridges = st.networks.map((n) => n.bridge).sort().join(',');
    if (bridges !== this.#acceptFor) {
      await this.#syncForwardAccept(st.networks.map((n) => n.bridge));
      this.#acceptFor = bridges;
    }
  }

  /** Docker's iptables FORWARD policy DROP would drop berth's traffic: accept our bridges there. */
  async #syncForwardAccept(bridges: string[]): Promise<void> {
    let items: NftJsonItem[];
    try {
      items = await this.#list('list chain ip filter FORWARD');
    } catch {
      return; // no iptables filter table: nothing drops forwarded traffic
    }
    const ours = items.filter((i) => i.rule && i.rule.comment === this.comment).map((i) => i.rule!.handle);
    const script = ours.map((h) => `delete rule ip filter FORWARD handle ${h}`).join('\n') + '\n' + forwardAcceptScript(bridges, this.comment);
    await this.nft.run(script);
  }

  /** Starts the periodic check (restores the table when someone flushed or changed it). */
  watch(intervalMs = 3000): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => { void this.check().catch((err: Error) => this.log.warn({ err: err.message }, 'firewall check failed')); }, intervalMs);
    this.#timer.unref();
  }

  stopWatch(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** true when the table was found as it should be; otherwise it is rewritten. */
  async check(): Promise<boolean> {
    if (this.#running) return true;
    const want = expectedShape(this.state());
    let ok = false;
    try {
      const items = await this.#list(`list table inet ${this.table}`);
      const rules = items.filter((i) => i.rule && i.rule.chain !== USER_CHAIN).length;
      const elements = items.reduce((n, i) => n + ((i.set ?? i.map)?.elem?.length ?? 0), 0);
      ok = rules === want.rules && elements === want.elements;
      if (ok && this.state().networks.length > 0) {
        const fwd = await this.#list('list chain ip filter FORWARD').catch(() => null);
        if (fwd && fwd.filter((i) => i.rule?.comment === this.comment).length !== this.state().networks.length * 2) {
          ok = false;
          this.#acceptFor = '';
        }
      }
    } catch { /* table gone */ }
    if (!ok) {
      this.log.warn({ table: this.table }, 'firewall rules were changed from outside berth: restoring them');
      this.#acceptFor = '';
      await this.sync();
    }
    return ok;
  }

  /** Removes the table and the FORWARD accept rules (used when berth's networking is torn down). */
  async removeAll(): Promise<void> {
    this.stopWatch();
    await this.nft.run(`delete table inet ${this.table}`).catch(() => undefined);
    await this.#syncForwardAccept([]).catch(() => undefined);
    this.#acceptFor = '';
  }

  async #list(cmd: string): Promise<NftJsonItem[]> {
    const out = await this.nft.run(cmd, { json: true });
    return (JSON.parse(out) as { nftables: NftJsonItem[] }).nftables;
  }
}
