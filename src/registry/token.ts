// Token auth mode of `berth registry serve --token`: the registry is its own token server
// (the Docker registry token protocol, distribution's docs/spec/auth/token.md). A 401 names
// realm=<this registry>/token; the client asks there with Basic credentials (checked against
// the htpasswd file) for a scope; the answer is a short-lived HS256 JWT whose `access` claim
// lists the granted repository actions. Self-issued, so node:crypto HMAC is enough (no jose).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Access { type: string; name: string; actions: string[] }

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class TokenIssuer {
  readonly #key: Buffer;
  constructor(readonly service = 'berth-registry', key?: Buffer, readonly ttlSeconds = 300) {
    this.#key = key ?? randomBytes(32);
  }

  issue(subject: string, access: Access[], now = Date.now()): { token: string; expiresIn: number; issuedAt: string } {
    const iat = Math.floor(now / 1000);
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const claims = b64url(JSON.stringify({ iss: this.service, sub: subject, aud: this.service, iat, nbf: iat - 5, exp: iat + this.ttlSeconds, jti: randomBytes(8).toString('hex'), access }));
    const sig = b64url(createHmac('sha256', this.#key).update(`${header}.${claims}`).digest());
    return { token: `${header}.${claims}.${sig}`, expiresIn: this.ttlSeconds, issuedAt: new Date(now).toISOString() };
  }

  /** The token's access list, or null when the signature, audience or lifetime is wrong. */
  verify(token: string, now = Date.now()): Access[] | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const want = createHmac('sha256', this.#key).update(`${parts[0]}.${parts[1]}`).digest();
    const got = Buffer.from(parts[2]!, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
    let claims: { exp?: number; nbf?: number; aud?: string; access?: Access[] };
    try { claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims; } catch { return null; }
    const t = Math.floor(now / 1000);
    if (claims.aud !== this.service || (claims.exp ?? 0) < t || (claims.nbf ?? 0) > t) return null;
    return Array.isArray(claims.access) ? claims.access : [];
  }
}

/** "repository:a/b:pull,push" → Access (null for anything else). */
export function parseScope(scope: string): Access | null {
  const m = /^([a-z]+):(.+):([a-z*,]+)$/.exec(scope);
  if (!m) return null;
  return { type: m[1]!, name: m[2]!, actions: m[3]!.split(',').filter(Boolean) };
}

export function allows(access: Access[], repo: string, action: string): boolean {
  return access.some((a) => a.type === 'repository' && a.name === repo && (a.actions.includes(action) || a.actions.includes('*')));
}
