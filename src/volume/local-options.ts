// Driver options of the `local` driver (moby daemon/volume/local/local_unix.go): `type`,
// `device` and `o` describe a mount(8) done on the volume's _data directory when a container
// first uses it (tmpfs, a bind of a host directory with type=none o=bind, a block device, nfs).
// `size` needs filesystem quotas, which berth does not manage: it is refused with Docker's
// wording for a host without quota support.

const VALID = new Set(['type', 'o', 'device', 'size']);
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  device: ['type'],
  type: ['device'],
  o: ['device', 'type'],
};

/** Docker's message for bad options, or null when they are valid. */
export function localOptionsProblem(opts: Readonly<Record<string, string>>): string | null {
  const keys = Object.keys(opts);
  for (const k of keys) if (!VALID.has(k)) return `invalid option: ${JSON.stringify(k)}`;
  if ('size' in opts) return 'quota size requested but no quota support';
  // moby iterates a map here, so which missing option it names first varies; check in a fixed order.
  for (const opt of ['device', 'type', 'o']) {
    if (!(opt in opts)) continue;
    for (const req of REQUIRED[opt] ?? []) if (!(req in opts)) return `missing required option: ${JSON.stringify(req)}`;
  }
  return null;
}

/** Whether the volume's _data must be mounted before use. */
export function needsMount(opts: Readonly<Record<string, string>> | null): boolean {
  return opts !== null && ((opts.device ?? '') !== '' || (opts.type ?? '') !== '');
}

/** mount(8) arguments for a volume with options: mount -t TYPE [-o O] DEVICE PATH. */
export function mountArgs(opts: Readonly<Record<string, string>>, path: string): string[] {
  const args = ['-t', opts.type ?? 'none'];
  if (opts.o) args.push('-o', opts.o);
  args.push(opts.device ?? 'none', path);
  return args;
}
