// Sizes as docker prints them (go-units): decimal units with a given number of significant
// digits (`4.26MB`, `1kB`), and binary units for memory (`1.944GiB`).

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scale(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]!];
}

/** `%.Ng` without exponent form or trailing zeros, like Go's %g for these magnitudes. */
function significant(n: number, digits: number): string {
  return String(parseFloat(n.toPrecision(digits)));
}

/** units.HumanSizeWithPrecision: docker ps/images use precision 3 (`4.26MB`). */
export function humanSize(bytes: number, precision = 4): string {
  const [n, unit] = scale(bytes, 1000, DECIMAL);
  return significant(n, precision) + unit;
}

/** units.BytesSize: binary units with 4 significant digits (`1.944GiB`). */
export function bytesSize(bytes: number): string {
  const [n, unit] = scale(bytes, 1024, BINARY);
  return significant(n, 4) + unit;
}
