// What the shipper needs of a driver.
import type { CaptureRecord } from './record.ts';

export interface Driver {
  /** Takes one record; must not keep `r` (its buffer is reused). */
  record(r: CaptureRecord): void;
  /** Called after each batch of records: file drivers write; remote drivers wait for room in blocking mode. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
