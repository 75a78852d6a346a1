// go-units RAMInBytes, for --memory, --memory-swap, --shm-size: "512m", "1.5g", "1024"
// (binary multiples; the "b"/"ib" suffix is optional).
import { InvalidArgumentError } from '../../lib/index.ts';

const MULT: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

export function ramInBytes(input: string): number {
  const m = /^(.*[0-9. ])([^0-9. ]*)$/.exec(input);
  if (!m) throw new InvalidArgumentError(`invalid size: '${input}'`);
  const num = m[1]!.endsWith(' ') ? m[1]!.slice(0, -1) : m[1]!;
  let sfx = m[2]!;
  const size = Number(num);
  if (num.trim() === '' || Number.isNaN(size)) {
    throw new InvalidArgumentError(`strconv.ParseFloat: parsing ${JSON.stringify(num)}: invalid syntax`);
  }
  if (size < 0) throw new InvalidArgumentError(`invalid size: '${input}'`);
  if (sfx === '') return Math.trunc(size);
  const bad = (): InvalidArgumentError => new InvalidArgumentError(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(size);
  }
  const mul = MULT[sfx[0]!];
  if (mul === undefined) throw bad();
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return Math.trunc(size * mul);
}

/** opts.ParseCPUs: "1.5" → 1500000000 nano CPUs. */
export function parseCpus(input: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(input.trim()) && !/^\d+\/\d+$/.test(input)) {
    throw new InvalidArgumentError(`failed to parse ${input} as a rational number`);
  }
  const [a, b] = input.split('/');
  const value = b === undefined ? Number(a) : Number(a) / Number(b);
  const nano = value * 1e9;
  if (Math.abs(nano - Math.round(nano)) > 1e-6) throw new InvalidArgumentError('value is too precise');
  return Math.round(nano);
}
