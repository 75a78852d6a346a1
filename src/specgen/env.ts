// Environment variables as Docker builds them: the image's env merged with the request's at
// create time (moby daemon/commit.go merge), then the daemon's defaults overlaid at start
// (container.CreateDaemonEnvironment + ReplaceOrAppendEnvValues).

/** PATH a container gets when neither the image nor the request sets one (moby oci.DefaultPathEnv). */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function keyOf(entry: string): string {
  const i = entry.indexOf('=');
  return i < 0 ? entry : entry.slice(0, i);
}

/**
 * Create-time merge: the request's entries first, in order, then each image entry whose
 * key the request does not set.
 */
export function mergeEnv(imageEnv: readonly string[], requestEnv: readonly string[]): string[] {
  if (requestEnv.length === 0) return [...imageEnv];
  const requestKeys = new Set(requestEnv.map(keyOf));
  return [...requestEnv, ...imageEnv.filter((e) => !requestKeys.has(keyOf(e)))];
}

/**
 * moby ReplaceOrAppendEnvValues: an override "K=V" replaces the default with key K in place
 * or is appended; an override "K" without "=" removes the default K.
 */
export function replaceOrAppendEnv(defaults: readonly string[], overrides: readonly string[]): string[] {
  const out: (string | null)[] = [...defaults];
  const index = new Map<string, number>();
  defaults.forEach((e, i) => index.set(keyOf(e), i));
  for (const o of overrides) {
    const at = index.get(keyOf(o));
    if (!o.includes('=')) {
      if (at !== undefined) out[at] = null;
      continue;
    }
    if (at !== undefined) out[at] = o;
    else out.push(o);
  }
  return out.filter((e): e is string => e !== null);
}

/** process.env of the spec: PATH, HOSTNAME, TERM=xterm (tty only), then the container's env. */
export function processEnv(env: readonly string[], hostname: string, tty: boolean): string[] {
  const defaults = [DEFAULT_PATH_ENV, `HOSTNAME=${hostname}`];
  if (tty) defaults.push('TERM=xterm');
  return replaceOrAppendEnv(defaults, env);
}
