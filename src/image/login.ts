// docker login (POST /auth) and GET /distribution/{name}/json, on the registry client.
import { createHash } from 'node:crypto';
import { InvalidArgumentError, UnauthorizedError, NotFoundError } from '../lib/index.ts';
import { parseManifest, type Platform } from '../oci/index.ts';
import { RegistryClient, parseRemoteReference, type AuthConfig } from '../distribution/index.ts';
import { clientFor, translatePullError, type DistributionDeps } from './pull.ts';

/** "https://index.docker.io/v1/" → registry-1.docker.io; "http://127.0.0.1:5000" → 127.0.0.1:5000. */
export function loginHost(serveraddress: string | undefined): string {
  if (!serveraddress) return 'registry-1.docker.io';
  const bare = serveraddress.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (bare === 'index.docker.io' || bare === 'docker.io' || bare === 'registry-1.docker.io') return 'registry-1.docker.io';
  return bare;
}

export async function login(deps: DistributionDeps, auth: AuthConfig): Promise<{ Status: string; IdentityToken?: string }> {
  const host = loginHost(auth.serveraddress);
  if (!auth.username && !auth.identitytoken) throw new InvalidArgumentError('Username and password required');
  const client = new RegistryClient({ host, path: '', auth, insecure: deps.registries.isInsecure(host), log: deps.log, certsDir: deps.registries.opts.certsDir, retries: 1 });
  const res = await client.send('GET', '/v2/');
  await res.body.dump();
  if (res.statusCode === 401) {
    throw new UnauthorizedError(`login attempt to ${await client.base()}/v2/ failed with status: 401 Unauthorized`);
  }
  if (res.statusCode !== 200) throw new UnauthorizedError(`login attempt to ${await client.base()}/v2/ failed with status: ${res.statusCode}`);
  return { Status: 'Login Succeeded', IdentityToken: '' };
}

export async function inspectDistribution(deps: DistributionDeps, name: string, auth: AuthConfig): Promise<unknown> {
  let r;
  try { r = parseRemoteReference(name); } catch (err) { throw new InvalidArgumentError(`invalid reference format: ${name}`, { cause: err }); }
  const client = clientFor(deps, r, auth, 'pull');
  try {
    const m = await client.getManifest(r.digest ?? r.tag ?? 'latest');
    const digest = `sha256:${createHash('sha256').update(m.bytes).digest('hex')}`;
    const p = parseManifest(m.bytes, m.mediaType);
    let platforms: Platform[] = [];
    if (p.kind === 'index') platforms = p.index.manifests.map((d) => d.platform).filter((x): x is Platform => !!x);
    else {
      const cfg = JSON.parse((await client.getBlobBytes(p.manifest.config.digest)).toString('utf8')) as Platform;
      platforms = [{ architecture: cfg.architecture, os: cfg.os, ...(cfg.variant ? { variant: cfg.variant } : {}) }];
    }
    return { Descriptor: { mediaType: p.mediaType, digest, size: m.bytes.length }, Platforms: platforms };
  } catch (err) {
    const t = translatePullError(err, name);
    if (t instanceof NotFoundError) throw t;
    throw t;
  }
}
