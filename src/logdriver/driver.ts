// What the shipper needs of a driver.
import type { CaptureRecord } from './record.ts';

export interface Driver {
  /** Takes one record; must not keep `r` (its buffer is reused). */
  record(r: CaptureRecord): void;
  /**
   * Optional fast path: encodes the plain records at the start of buf[at, end) (whole F
   * records of conmon's usual shape) in one loop; returns where it stopped: the end of what
   * it took, at a record it leaves to record(), or at an incomplete line. buf[at, end) must
   * not change until the next flush() (the driver may keep a copy of it till then).
   */
  records?(buf: Buffer, at: number, end: number): number;
  /** Optional: the container has been quiet for a while; give back buffers grown for a burst. */
  trim?(): void;
  /** Called after each batch of records: file drivers write; remote drivers wait for room in blocking mode. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
