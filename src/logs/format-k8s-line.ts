// Writes one k8s-file record the way conmon does, for tests, fixtures and benchmarks.
import { InvalidArgumentError } from '../lib/index.ts';
import type { LogStream } from './parse-k8s-line.ts';

/**
 * `<time> <stream> <F|P> <payload>\n`. A Date is written like conmon writes UTC
 * (`2026-11-27T17:14:43.345000000+00:00`); a string is taken verbatim, so tests can use full
 * nanoseconds and other offsets.
 */
export function formatK8sLine(time: Date | string, stream: LogStream, partial: boolean, payload: string | Uint8Array): Buffer {
  const stamp = typeof time === 'string' ? time : conmonTime(time);
  if (stamp.length === 0 || stamp.includes(' ') || stamp.includes('\n')) {
    throw new InvalidArgumentError(`invalid log timestamp ${JSON.stringify(stamp)}`);
  }
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (body.includes(0x0a)) throw new InvalidArgumentError('log payload contains a newline: split it into records');
  const head = Buffer.from(`${stamp} ${stream} ${partial ? 'P' : 'F'} `, 'latin1');
  return Buffer.concat([head, body, Buffer.from('\n')]);
}

function conmonTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('invalid log timestamp: invalid Date');
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return `${iso.slice(0, 23)}000000+00:00`;
}
