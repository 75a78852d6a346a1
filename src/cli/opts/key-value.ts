// The KEY=value flags of docker run: -e (ValidateEnv), -l (ValidateLabel), and the
// conversion of label lists to the Labels map (ConvertKVStringsToMap).
import { InvalidArgumentError } from '../../lib/index.ts';

/** opts.ValidateEnv: a bare KEY takes the CLI's value for KEY when it has one. */
export function validateEnv(value: string, lookup: (key: string) => string | undefined): string {
  const eq = value.indexOf('=');
  const key = eq >= 0 ? value.slice(0, eq) : value;
  if (key === '') throw new InvalidArgumentError(`invalid environment variable: ${value}`);
  if (eq >= 0) return value;
  const found = lookup(key);
  return found === undefined ? value : `${key}=${found}`;
}

/** opts.ValidateLabel: a non-empty key without white space; the value is optional. */
export function validateLabel(value: string): string {
  const eq = value.indexOf('=');
  const key = (eq >= 0 ? value.slice(0, eq) : value).replace(/^[ \t]+/, '');
  if (key === '') throw new InvalidArgumentError(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new InvalidArgumentError(`label '${key}' contains whitespaces`);
  return value;
}

/** ["k=v", "k2"] → { k: "v", k2: "" } (later keys win). */
export function keyValueMap(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq >= 0) out[v.slice(0, eq)] = v.slice(eq + 1);
    else out[v] = '';
  }
  return out;
}
