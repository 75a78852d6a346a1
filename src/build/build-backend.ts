// What the builder needs from the container side, declared by its consumer (STYLE.md §7.2:
// build must not import container/; daemon/wire.ts implements this with the ContainerService,
// as moby's builder declares its ExecBackend).

export interface RunSpec {
  /** Image id (sha256:…) the container starts from: an image or a build step's image. */
  image: string;
  cmd: string[];
  env: string[];
  user: string;
  workingDir: string;
  networkMode?: string | undefined;
  extraHosts?: string[] | undefined;
  /** RUN --mount: host paths bound in (cache dirs, secrets, context or stage paths) and tmpfs. */
  mounts?: RunMountSpec[] | undefined;
}

export interface RunMountSpec {
  type: 'bind' | 'tmpfs';
  /** bind: the host path; tmpfs: ''. */
  source: string;
  /** Absolute path in the container. */
  target: string;
  readOnly: boolean;
  /** tmpfs: size limit in bytes. */
  size?: number | null | undefined;
}

export interface RunCallbacks {
  /** The container exists (before it starts): the builder prints "Running in <id>". */
  created(containerId: string): void;
  /** Output as it comes, stdout and stderr together; a promise asks to wait (slow client). */
  output(chunk: Buffer): void | Promise<void>;
}

export interface BuildBackend {
  /**
   * Creates and starts a container for a RUN step, passes its output (stdout and stderr as
   * they come) to `onOutput`, and resolves when it exited. The container is left stopped
   * (its read-write layer unmounted) for the builder to take its changes.
   */
  run(spec: RunSpec, on: RunCallbacks, signal: AbortSignal): Promise<{ containerId: string; exitCode: number }>;
  /** Removes a stopped (or, if need be, running) build container and its read-write layer. */
  remove(containerId: string): Promise<void>;
}
