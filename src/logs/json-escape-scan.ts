// Finding the bytes of a JSON string that are not plain text: < 0x20 (must be escaped), '"'
// (the end of the string) and '\\' (an escape). The json-file writer (logdriver) looks for
// them to know what to escape, the json-file reader to find where a "log" value ends and
// whether it has escapes. Both run it on every log line, so it checks four bytes at a time.
//
// Each user has its own scanner: the word view is cached per buffer, and a writer and a
// reader sharing one cache would make a new view on every call when both are busy.

/**
 * firstToEscape for a buffer whose memory `words` views as 32-bit words (b.byteOffset 0):
 * for hot loops over one buffer, without the per-call lookups of the scanner's cache.
 */
export function firstSpecial(b: Uint8Array, words: Int32Array<ArrayBufferLike>, i: number, end: number): number {
  for (; (i & 3) !== 0; i++) {
    if (i >= end) return end;
    const c = b[i]!;
    if (c < 0x20 || c === 0x22 || c === 0x5c) return i;
  }
  let wi = i >> 2;
  const wEnd = end >> 2;
  for (; wi < wEnd; wi++) {
    const x = words[wi]!;
    const q = x ^ 0x22222222;
    const s = x ^ 0x5c5c5c5c;
    if (((((x - 0x20202020) | 0) & ~x) | (((q - 0x01010101) | 0) & ~q) | (((s - 0x01010101) | 0) & ~s)) & 0x80808080) break;
  }
  for (i = wi << 2; i < end; i++) {
    const c = b[i]!;
    if (c < 0x20 || c === 0x22 || c === 0x5c) return i;
  }
  return end;
}

export class EscapeScanner {
  #wordsOf: ArrayBufferLike | null = null;
  #words: Int32Array<ArrayBufferLike> = new Int32Array(0);

  /**
   * The index of the first byte in src[start, end) that is < 0x20, '"' or '\\', or end.
   * SWAR: a word has a byte < 0x20 iff (x − 0x20202020) & ~x & 0x80808080, a byte equal to
   * b iff that test for 1 holds for x ^ b…b. A byte-at-a-time loop was the writer's hot spot.
   */
  firstToEscape(src: Uint8Array, start: number, end: number): number {
    let i = start;
    const base = src.byteOffset;
    // Byte by byte up to a word boundary (and for short runs).
    while (i < end && ((base + i) & 3) !== 0) {
      const c = src[i]!;
      if (c < 0x20 || c === 0x22 || c === 0x5c) return i;
      i++;
    }
    if (end - i >= 8) {
      if (this.#wordsOf !== src.buffer) {
        this.#wordsOf = src.buffer;
        this.#words = new Int32Array(src.buffer, 0, src.buffer.byteLength >> 2);
      }
      const words = this.#words;
      let w = (base + i) >> 2;
      const wEnd = (base + end) >> 2;
      for (; w < wEnd; w++) {
        const x = words[w]!;
        const q = x ^ 0x22222222;
        const s = x ^ 0x5c5c5c5c;
        if (((((x - 0x20202020) | 0) & ~x) | (((q - 0x01010101) | 0) & ~q) | (((s - 0x01010101) | 0) & ~s)) & 0x80808080) break;
      }
      i = (w << 2) - base;
    }
    for (; i < end; i++) {
      const c = src[i]!;
      if (c < 0x20 || c === 0x22 || c === 0x5c) return i;
    }
    return end;
  }
}
