// One k8s-file record as values, for tests and for code that handles single lines; the
// read path itself never builds these (see record-encoder.ts).
import { scanK8sRecord, newRecordFields, STDOUT } from './scan-k8s-record.ts';

export type LogStream = 'stdout' | 'stderr';

export interface K8sLine {
  /** The timestamp as written (conmon: local time with offset, 9 fraction digits). */
  time: string;
  stream: LogStream;
  /** Tag P: no newline yet, the next chunk of this stream continues the line. */
  partial: boolean;
  /** The bytes the container wrote, without the record's LF. A view into `line`. */
  payload: Buffer;
}

/** Parses one record, with or without its LF; undefined if it is not a k8s-file record. */
export function parseK8sLine(line: Buffer): K8sLine | undefined {
  const end = line.length > 0 && line[line.length - 1] === 0x0a ? line.length - 1 : line.length;
  const fields = newRecordFields();
  if (!scanK8sRecord(line, 0, end, fields)) return undefined;
  return {
    time: line.toString('latin1', 0, fields.timeEnd),
    stream: fields.stream === STDOUT ? 'stdout' : 'stderr',
    partial: fields.partial,
    payload: line.subarray(fields.payloadStart, end),
  };
}
