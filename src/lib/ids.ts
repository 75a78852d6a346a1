// Object ids: 64 lowercase hex characters like Docker's, shown truncated to 12.
import { randomBytes } from 'node:crypto';

export function newId(): string {
  return randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

export const FULL_ID_RE = /^[0-9a-f]{64}$/;
