// A minimal Docker Engine API client over a unix socket (node:http with socketPath), the same
// wire path any client takes. One keep-alive agent per engine, like the docker CLI's.
import http from 'node:http';

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export class Api {
  #socketPath;
  #agent;
  #prefix = '';

  constructor(socketPath) {
    this.#socketPath = socketPath;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  /** Low-level request; resolves with status, headers and the body as text. */
  raw(method, path, body, { timeoutMs = 60_000 } = {}) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          socketPath: this.#socketPath,
          agent: this.#agent,
          method,
          path: this.#prefix + path,
          headers: {
            Host: 'localhost',
            ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new ApiError(`${method} ${path}: timed out after ${timeoutMs} ms`, 0)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** JSON request; throws ApiError on a non-2xx status, with the engine's message. */
  async call(method, path, body, opts) {
    const res = await this.raw(method, path, body, opts);
    if (res.status < 200 || res.status > 299) {
      let msg = res.text.trim();
      try {
        msg = JSON.parse(res.text).message ?? msg;
      } catch {
        // not JSON; keep the text
      }
      throw new ApiError(`${method} ${path}: HTTP ${res.status}: ${msg.slice(0, 300)}`, res.status);
    }
    if (!res.text) return null;
    try {
      return JSON.parse(res.text);
    } catch {
      return res.text;
    }
  }

  /** Pings and pins the API version the engine advertises (as the CLI negotiates). */
  async negotiate() {
    const res = await this.raw('GET', '/_ping', undefined, { timeoutMs: 2_000 });
    if (res.status !== 200) throw new ApiError(`/_ping: HTTP ${res.status}`, res.status);
    const v = res.headers['api-version'];
    this.#prefix = typeof v === 'string' && /^\d+\.\d+$/.test(v) ? `/v${v}` : '';
    return v;
  }

  async create(config, name) {
    const q = name ? `?name=${encodeURIComponent(name)}` : '';
    const res = await this.call('POST', `/containers/create${q}`, config);
    if (!res || typeof res.Id !== 'string') throw new ApiError(`create: no Id in response`, 0);
    return res.Id;
  }

  start(id) {
    return this.call('POST', `/containers/${id}/start`);
  }

  async wait(id, timeoutMs = 300_000) {
    const res = await this.call('POST', `/containers/${id}/wait`, undefined, { timeoutMs });
    return res?.StatusCode;
  }

  remove(id, force = false) {
    return this.call('DELETE', `/containers/${id}?v=1${force ? '&force=1' : ''}`);
  }

  async list(all = true) {
    return (await this.call('GET', `/containers/json?all=${all ? 1 : 0}`)) ?? [];
  }

  close() {
    this.#agent.destroy();
  }
}
