// OCI runtime-spec config.json types (owned by the specgen work; see src/specgen).
export interface OciSpec {
  ociVersion: string;
  [key: string]: unknown;
}
