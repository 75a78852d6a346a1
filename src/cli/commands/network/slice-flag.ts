// pflag's StringSlice/IPSlice flags: each occurrence may hold several comma-separated
// values ("--subnet 10.1.0.0/16,10.2.0.0/16"); empty occurrences add nothing.

export function sliceValues(occurrences: readonly string[]): string[] {
  return occurrences.flatMap((v) => (v === '' ? [] : v.split(',').map((s) => s.trim())));
}
