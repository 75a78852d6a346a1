// Volume names (moby daemon/names RestrictedNamePattern, used by the local driver because the
// name becomes a directory under <data-root>/volumes): at least two characters, the first
// alphanumeric, then [a-zA-Z0-9_.-]. So no "/", no "..", nothing that leaves the directory.

export const VOLUME_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's message for a bad name, or null when the name is valid. */
export function volumeNameProblem(name: string): string | null {
  if (name.length === 1) return 'volume name is too short, names should be at least two alphanumeric characters';
  if (!VOLUME_NAME_RE.test(name)) {
    return `${JSON.stringify(name)} includes invalid characters for a local volume name, only ${JSON.stringify(VOLUME_NAME_CHARS)} are allowed. If you intended to pass a host directory, use absolute path`;
  }
  return null;
}
