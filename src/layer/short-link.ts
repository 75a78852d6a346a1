// Short names for layer directories (Docker overlay2's l/<26 chars>): the overlay mount
// option string is cut at 4095 bytes, so lowerdir uses l/<short> links relative to the
// driver root instead of absolute paths (PLATFORM.md §3.2: 139 layers instead of 43).
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function newShortLink(): string {
  const bytes = randomBytes(26);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % 32];
  return s;
}
