// htpasswd files as distribution's htpasswd auth reads them (registry/auth/htpasswd):
// "user:hash" lines, bcrypt hashes only ($2y$/$2a$/$2b$), '#' comments and blank lines
// skipped. Verification is bcryptjs (pure JS, no native build; LIBRARIES.md).
import bcrypt from 'bcryptjs';

export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const hash = line.slice(i + 1).trim();
    if (!/^\$2[aby]\$\d\d\$/.test(hash)) continue; // distribution accepts bcrypt only
    users.set(line.slice(0, i), hash);
  }
  return users;
}

/** Parses "Authorization: Basic …"; null when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  if (!header) return null;
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return null;
  return { user: text.slice(0, i), password: text.slice(i + 1) };
}

/**
 * Checks credentials against the users; successful checks are cached by a hash of the
 * pair so a push of many blobs does not pay bcrypt's cost per request.
 */
export class HtpasswdAuth {
  #ok = new Set<string>();
  constructor(private readonly users: Map<string, string>) {}

  async verify(user: string, password: string): Promise<boolean> {
    const hash = this.users.get(user);
    if (!hash) return false;
    const key = `${user}\0${password}`;
    if (this.#ok.has(key)) return true;
    const ok = await bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
    if (ok) this.#ok.add(key);
    return ok;
  }
}

export function bcryptHash(password: string, rounds = 10): string {
  return bcrypt.hashSync(password, rounds);
}
