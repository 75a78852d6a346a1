// One connection to conmon's attach socket per container, held by berthd and shared by all
// attach sessions (as dockerd holds a container's stdio). A session that detaches only
// unsubscribes: the container's stdin stays open, so a later attach can type into it. The
// hub closes when conmon closes the socket (the container exited) or when berthd goes away.
import { AttachConnection, type AttachStream } from '../runtime/index.ts';

export interface HubSubscriber {
  data(stream: AttachStream, chunk: Buffer): void;
  end(): void;
}

export class AttachHub {
  #subs = new Set<HubSubscriber>();
  #closed = false;

  private constructor(private readonly conn: AttachConnection, onClose: () => void) {
    conn.on('data', (s, b) => { for (const sub of this.#subs) sub.data(s, b); });
    conn.on('error', () => undefined);
    conn.on('close', () => {
      this.#closed = true;
      onClose();
      for (const sub of [...this.#subs]) sub.end();
      this.#subs.clear();
    });
  }

  static async open(path: string, onClose: () => void): Promise<AttachHub> {
    return new AttachHub(await AttachConnection.connect(path), onClose);
  }

  get closed(): boolean {
    return this.#closed;
  }

  subscribe(sub: HubSubscriber): () => void {
    if (this.#closed) { sub.end(); return () => undefined; }
    this.#subs.add(sub);
    return () => { this.#subs.delete(sub); };
  }

  write(chunk: Buffer): void {
    this.conn.write(chunk);
  }

  /** EOF on the container's stdin (conmon closes it: StdinOnce containers). */
  endInput(): void {
    this.conn.endInput();
  }
}
