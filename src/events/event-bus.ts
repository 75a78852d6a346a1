// The engine's event bus: services publish, GET /events subscribes. Subscribers get a
// bounded queue each; a subscriber that falls more than `maxQueue` events behind is dropped
// (its stream ends) rather than letting memory grow (ANCHORS.md pain point 2). A ring
// buffer of recent events answers `since`.

export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

export type EventListener = (ev: EngineEvent) => void;

export class EventBus {
  #listeners = new Set<EventListener>();
  #ring: EngineEvent[] = [];
  constructor(private readonly ringSize = 1024) {}

  publish(type: string, action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
    const nowNs = BigInt(Date.now()) * 1_000_000n + BigInt(process.hrtime.bigint() % 1_000_000n);
    const ev: EngineEvent = {
      Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local',
      time: Number(nowNs / 1_000_000_000n), timeNano: Number(nowNs),
    };
    this.#ring.push(ev);
    if (this.#ring.length > this.ringSize) this.#ring.shift();
    for (const l of this.#listeners) l(ev);
    return ev;
  }

  /** Past events with time in [sinceSec, untilSec]. */
  history(sinceSec: number, untilSec = Infinity): EngineEvent[] {
    return this.#ring.filter((e) => e.timeNano / 1e9 >= sinceSec && e.timeNano / 1e9 <= untilSec);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }
}
