// POST /build: the classic builder's options as the route reads them from the query, and the
// JSON messages of its output stream (shared by the route and the builder).

export interface BuildRequest {
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target: string;
  noCache: boolean;
  rm: boolean;
  forceRm: boolean;
  quiet: boolean;
  networkMode?: string | undefined;
  extraHosts: string[];
  cacheFrom: string[];
  pull: boolean;
  platform?: string | undefined;
  /** berth: ids of the build secrets sent as the context's .berth-secrets/<i> files (RUN --mount=type=secret). */
  secrets?: string[] | undefined;
  /** berth: ids of the ssh agents the client forwards over its build session (RUN --mount=type=ssh). */
  ssh?: string[] | undefined;
  /** berth: the build session (POST /session/build) that carries the forwarded ssh agents. */
  session?: string | undefined;
  /** X-Registry-Config: the client's credentials by registry (base64url JSON), for FROM pulls. */
  registryConfig?: string | undefined;
}

export interface BuildMessage {
  stream?: string;
  /** Pull progress of a FROM image (--pull or an image not there yet), as /images/create sends it. */
  status?: string | undefined;
  id?: string | undefined;
  progress?: string | undefined;
  progressDetail?: { current?: number; total?: number } | undefined;
  aux?: { ID: string };
  error?: string;
  errorDetail?: { message: string; code?: number };
}
