// The detach key sequence on an interactive TTY (moby/term escapeProxy): bytes that could
// begin the sequence are held back; the whole sequence detaches without being sent; a
// partial match that breaks off is sent on unchanged.

export interface EscapeResult {
  /** Bytes to forward to the container. */
  data: Buffer;
  detached: boolean;
}

export class EscapeDetector {
  readonly #keys: readonly number[];
  #matched = 0;

  constructor(keys: readonly number[]) {
    this.#keys = keys;
  }

  feed(chunk: Buffer): EscapeResult {
    if (this.#keys.length === 0) return { data: chunk, detached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.#keys[this.#matched]) {
        this.#matched++;
        if (this.#matched === this.#keys.length) {
          this.#matched = 0;
          return { data: Buffer.from(out), detached: true };
        }
        continue;
      }
      // Broken match: release the held bytes, then look at this byte afresh.
      out.push(...this.#keys.slice(0, this.#matched));
      this.#matched = 0;
      if (byte === this.#keys[0]) this.#matched = 1;
      else out.push(byte);
    }
    return { data: Buffer.from(out), detached: false };
  }
}
