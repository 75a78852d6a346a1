// Registry credentials as the Engine API carries them: the X-Registry-Auth header is
// base64url(JSON) of {username, password, serveraddress, identitytoken, registrytoken}
// (moby api/types/registry/authconfig.go DecodeAuthConfig; padding optional).

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export function decodeRegistryAuth(header: string | undefined | null): AuthConfig {
  if (!header) return {};
  try {
    const json = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const v = JSON.parse(json) as AuthConfig & Record<string, unknown>;
    if (typeof v !== 'object' || v === null) return {};
    const out: AuthConfig = {};
    for (const k of ['username', 'password', 'auth', 'serveraddress', 'identitytoken', 'registrytoken'] as const) {
      if (typeof v[k] === 'string' && v[k] !== '') out[k] = v[k] as string;
    }
    if (out.auth && !out.username) {
      const t = Buffer.from(out.auth, 'base64').toString('utf8');
      const i = t.indexOf(':');
      if (i > 0) { out.username = t.slice(0, i); out.password = t.slice(i + 1); }
    }
    return out;
  } catch {
    return {};
  }
}
