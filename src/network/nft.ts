// nftables through libnftables (the library behind the nft tool) in-process via koffi: a
// transaction costs well under a millisecond of work instead of a 10–25 ms `nft` spawn
// (PLATFORM.md §4.4). Calls run on the libuv pool, one at a time. Falls back to `nft -f -`
// when the library cannot be loaded.
import { createRequire } from 'node:module';
import { execTool } from '../lib/index.ts';

type KoffiFn = ((...args: unknown[]) => unknown) & { async(...args: unknown[]): void };

interface Lib {
  ctx: unknown;
  run: KoffiFn;
  getOut: KoffiFn;
  getErr: KoffiFn;
  setFlags: KoffiFn;
}

const NFT_CTX_OUTPUT_JSON = 1 << 4;

let lib: Lib | null | undefined;

function load(): Lib | null {
  if (lib !== undefined) return lib;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as { load(name: string): { func(decl: string): KoffiFn } };
    const l = koffi.load('libnftables.so.1');
    const ctx = l.func('void *nft_ctx_new(uint32_t flags)')(0);
    l.func('int nft_ctx_buffer_output(void *ctx)')(ctx);
    l.func('int nft_ctx_buffer_error(void *ctx)')(ctx);
    lib = {
      ctx,
      run: l.func('int nft_run_cmd_from_buffer(void *ctx, const char *buf)'),
      getOut: l.func('const char *nft_ctx_get_output_buffer(void *ctx)'),
      getErr: l.func('const char *nft_ctx_get_error_buffer(void *ctx)'),
      setFlags: l.func('void nft_ctx_output_set_flags(void *ctx, uint32_t flags)'),
    };
  } catch {
    lib = null;
  }
  return lib;
}

export class NftError extends Error {}

/** Runs nft commands; one call at a time (libnftables contexts are not thread-safe). */
export class Nft {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs a script as one transaction; returns nft's output (JSON when asked). */
  run(script: string, opts: { json?: boolean } = {}): Promise<string> {
    const next = this.#tail.then(() => this.#run(script, opts.json ?? false));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #run(script: string, json: boolean): Promise<string> {
    const l = load();
    if (!l) {
      const args = json ? ['-j', '-f', '-'] : ['-f', '-'];
      const r = await execTool('nft', args, { input: script }).catch((e: Error) => { throw new NftError(e.message); });
      return r.stdout;
    }
    l.setFlags(l.ctx, json ? NFT_CTX_OUTPUT_JSON : 0);
    const rc = await new Promise<number>((resolve, reject) => {
      l.run.async(l.ctx, script, (err: Error | null, v: number) => (err ? reject(err) : resolve(v)));
    });
    const out = String(l.getOut(l.ctx) ?? '');
    if (rc !== 0) throw new NftError(String(l.getErr(l.ctx) ?? `nft failed (${rc})`).trim());
    return out;
  }
}
