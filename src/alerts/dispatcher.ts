// Delivers matching events to the rules' webhooks: a POST of {"rule", "event"} as JSON, with a
// timeout, retried with exponential back-off (0.5 s, 1 s, 2 s, … up to 30 s). Deliveries never
// block the event bus or a container: they run in the background from a bounded queue (the
// oldest pending delivery is dropped, and counted, when it is full).
import type { Logger } from '../lib/index.ts';
import type { EventMessage } from '../api/types/index.ts';
import { RuleMatcher, type AlertRule } from './rules.ts';

export type DeliveryResult = 'delivered' | 'failed' | 'dropped';

export interface DispatcherOptions {
  rules: AlertRule[];
  log: Logger;
  /** Told of every finished delivery (metrics). */
  onResult?: (rule: string, result: DeliveryResult) => void;
  maxPending?: number;
  /** Base of the back-off (tests shorten it). */
  backoffMs?: number;
}

interface Delivery { rule: AlertRule; body: string }

export class AlertDispatcher {
  readonly #matchers: RuleMatcher[];
  readonly #queue: Delivery[] = [];
  #active = 0;
  #closed = false;

  constructor(private readonly o: DispatcherOptions) {
    this.#matchers = o.rules.map((r) => new RuleMatcher(r));
  }

  get ruleCount(): number { return this.#matchers.length; }

  /** Called for every engine event. */
  onEvent(e: EventMessage): void {
    if (this.#closed) return;
    for (const m of this.#matchers) {
      if (!m.match(e)) continue;
      if (this.#queue.length >= (this.o.maxPending ?? 1000)) {
        const dropped = this.#queue.shift()!;
        this.o.onResult?.(dropped.rule.name, 'dropped');
      }
      this.#queue.push({ rule: m.rule, body: JSON.stringify({ rule: m.rule.name, event: e }) });
    }
    this.#pump();
  }

  close(): void { this.#closed = true; this.#queue.length = 0; }

  #pump(): void {
    while (this.#active < 4 && this.#queue.length > 0) {
      const d = this.#queue.shift()!;
      this.#active++;
      void this.#deliver(d).finally(() => { this.#active--; this.#pump(); });
    }
  }

  async #deliver(d: Delivery): Promise<void> {
    const base = this.o.backoffMs ?? 500;
    let last = '';
    for (let attempt = 0; attempt <= d.rule.maxRetries && !this.#closed; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(30_000, base * 2 ** (attempt - 1))).unref());
      try {
        const res = await fetch(d.rule.webhook, {
          method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': 'berthd-alerts' }, body: d.body,
          signal: AbortSignal.timeout(d.rule.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) { this.o.onResult?.(d.rule.name, 'delivered'); return; }
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    this.o.log.warn({ rule: d.rule.name, webhook: d.rule.webhook, reason: last }, 'alert delivery failed');
    this.o.onResult?.(d.rule.name, 'failed');
  }
}
