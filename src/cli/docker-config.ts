// Registry credentials in the docker CLI's config file ($DOCKER_CONFIG/config.json, else
// ~/.docker/config.json), as docker/cli's configfile and credentials packages keep them:
// `auths` entries ({"auth": base64(user:password)}), a `credsStore` for all registries or
// `credHelpers` per registry, both run as `docker-credential-<name> get|store|erase` with the
// server address on stdin. Docker Hub's key is "https://index.docker.io/v1/".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { splitReference } from '../oci/index.ts';

export interface Credentials { username: string; password: string; serveraddress: string }

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [k: string]: unknown;
}

export const HUB_KEY = 'https://index.docker.io/v1/';

export function configPath(env: Readonly<Record<string, string | undefined>>): string {
  const dir = env.DOCKER_CONFIG || join(env.HOME || '/root', '.docker');
  return join(dir, 'config.json');
}

function load(path: string): ConfigFile {
  try { return JSON.parse(readFileSync(path, 'utf8')) as ConfigFile; } catch { return {}; }
}

function save(path: string, cfg: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(cfg, null, '\t') + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

/** The registry key of an image reference: its domain, or Docker Hub's index address. */
export function registryKeyOf(image: string): string {
  const { name } = splitReference(image);
  const first = name.split('/')[0]!;
  const domain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
  return domain === 'docker.io' || domain === 'index.docker.io' ? HUB_KEY : domain;
}

/** "http://x:5000/" → "x:5000"; Hub's names → HUB_KEY. */
export function normalizeServer(server: string | undefined): string {
  if (!server) return HUB_KEY;
  const bare = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(bare)) return HUB_KEY;
  return bare;
}

function helper(name: string, action: string, input: string): { ok: boolean; out: string } {
  const r = spawnSync(`docker-credential-${name}`, [action], { input, encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, out: (r.stdout ?? '') + (r.status !== 0 ? r.stderr ?? '' : '') };
}

export function getCredentials(env: Readonly<Record<string, string | undefined>>, server: string): Credentials | null {
  const cfg = load(configPath(env));
  const h = cfg.credHelpers?.[server] ?? cfg.credsStore;
  if (h) {
    const r = helper(h, 'get', server);
    if (r.ok) {
      try {
        const v = JSON.parse(r.out) as { Username?: string; Secret?: string };
        if (v.Username || v.Secret) return { username: v.Username ?? '', password: v.Secret ?? '', serveraddress: server };
      } catch { /* fall through */ }
    }
  }
  const a = cfg.auths?.[server] ?? cfg.auths?.[`http://${server}`] ?? cfg.auths?.[`https://${server}`];
  if (!a?.auth) return null;
  const text = Buffer.from(a.auth, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? null : { username: text.slice(0, i), password: text.slice(i + 1), serveraddress: server };
}

export function storeCredentials(env: Readonly<Record<string, string | undefined>>, c: Credentials): void {
  const path = configPath(env);
  const cfg = load(path);
  const h = cfg.credHelpers?.[c.serveraddress] ?? cfg.credsStore;
  cfg.auths ??= {};
  if (h) {
    const r = helper(h, 'store', JSON.stringify({ ServerURL: c.serveraddress, Username: c.username, Secret: c.password }));
    if (!r.ok) throw new Error(`error storing credentials - err: ${r.out.trim()}`);
    cfg.auths[c.serveraddress] = {};
  } else {
    cfg.auths[c.serveraddress] = { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') };
  }
  save(path, cfg);
}

/** Returns false when there were no credentials for the server. */
export function eraseCredentials(env: Readonly<Record<string, string | undefined>>, server: string): boolean {
  const path = configPath(env);
  const cfg = load(path);
  const h = cfg.credHelpers?.[server] ?? cfg.credsStore;
  let found = false;
  if (h) found = helper(h, 'erase', server).ok;
  if (cfg.auths && server in cfg.auths) { delete cfg.auths[server]; found = true; }
  if (found) save(path, cfg);
  return found;
}

/** The X-Registry-Auth header value: base64url of the auth config JSON ({} when none). */
export function encodeRegistryAuth(c: Credentials | null): string {
  const json = JSON.stringify(c ?? {});
  return Buffer.from(json).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
