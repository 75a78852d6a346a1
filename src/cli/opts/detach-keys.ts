// --detach-keys (moby/term ToBytes): "ctrl-p,ctrl-q" → [0x10, 0x11]. Docker's default
// sequence is ctrl-p ctrl-q.
import { InvalidArgumentError } from '../../lib/index.ts';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL = ['ctrl-@', ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c) => `ctrl-${c}`), 'ctrl-[', 'ctrl-\\', 'ctrl-]', 'ctrl-^', 'ctrl-_'];

export function detachKeysToBytes(keys: string): number[] {
  const codes: number[] = [];
  for (const key of keys.split(',')) {
    if (Buffer.byteLength(key) === 1) {
      codes.push(Buffer.from(key)[0]!);
      continue;
    }
    const code = CTRL.indexOf(key);
    if (code >= 0) codes.push(code);
    else if (key === 'DEL') codes.push(127);
    else throw new InvalidArgumentError(`Unknown character: '${key}'`);
  }
  return codes;
}
