// Process helpers for the bench: run a command and time it, read the process table and PSS
// from /proc. No dependencies beyond node: builtins, so the bench runs before `npm ci`.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

let devNullFd = -1;
function devNull() {
  if (devNullFd < 0) devNullFd = openSync('/dev/null', 'w');
  return devNullFd;
}

/** Children started by run(), so an abort can kill whatever is still in flight. */
export const inFlight = new Set();

/**
 * Runs a command and measures wall time from spawn to 'close' (all stdio drained).
 * stdout: 'capture' (default) keeps the text, 'devnull' points fd 1 at /dev/null (what a shell
 * `> /dev/null` does), 'count' pipes it and only counts the bytes.
 */
export function run(cmd, args, { env, stdout = 'capture', timeoutMs = 120_000, cwd } = {}) {
  return new Promise((resolve) => {
    const out = stdout === 'devnull' ? devNull() : 'pipe';
    const t0 = performance.now();
    let child;
    try {
      child = spawn(cmd, args, { env, cwd, stdio: ['ignore', out, 'pipe'] });
    } catch (err) {
      resolve({ code: -1, signal: null, stdout: '', stderr: String(err), bytes: 0, ms: 0 });
      return;
    }
    inFlight.add(child);
    const chunks = [];
    let bytes = 0;
    let stderr = '';
    let timedOut = false;
    if (child.stdout) {
      child.stdout.on('data', (c) => {
        bytes += c.length;
        if (stdout === 'capture') chunks.push(c);
      });
    }
    child.stderr.on('data', (c) => {
      if (stderr.length < 16_384) stderr += c.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      stderr += String(err);
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      inFlight.delete(child);
      if (timedOut) stderr += `\n(timed out after ${timeoutMs} ms)`;
      resolve({ code: code ?? -1, signal, stdout: Buffer.concat(chunks).toString(), stderr, bytes, ms });
    });
  });
}

export class CommandError extends Error {}

/** Throws with the command's stderr when it did not exit 0. */
export function must(res, what) {
  if (res.code === 0) return res;
  const msg = (res.stderr || res.stdout || '').trim().split('\n').slice(-3).join(' | ');
  throw new CommandError(`${what}: exit ${res.code}${res.signal ? ` (${res.signal})` : ''}: ${msg}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs fn(i) for i in [0, n) with at most `width` in flight. Rejects with the first error. */
export async function pool(n, width, fn) {
  let next = 0;
  let failed = null;
  const results = new Array(n);
  async function worker() {
    while (next < n && !failed) {
      const i = next++;
      try {
        results[i] = await fn(i);
      } catch (err) {
        failed ??= err;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  if (failed) throw failed;
  return results;
}

const selfPidNs = readlinkSync('/proc/self/ns/pid');

/** A snapshot of every process: pid, ppid, comm, cmdline, and whether it is in the host pid ns. */
export function processTable() {
  const rows = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
      let hostNs = true;
      try {
        hostNs = readlinkSync(`/proc/${name}/ns/pid`) === selfPidNs;
      } catch {
        // a zombie or kernel thread has no readable ns link; treat it as the host's
      }
      rows.push({ pid: Number(name), ppid: Number(fields[1]), state: fields[0], comm, cmdline, hostNs });
    } catch {
      // the process exited while we read it
    }
  }
  return rows;
}

/** pid plus all its descendants in the table. */
export function descendants(table, pid) {
  const kids = new Map();
  for (const p of table) {
    if (!kids.has(p.ppid)) kids.set(p.ppid, []);
    kids.get(p.ppid).push(p);
  }
  const out = [];
  const stack = [pid];
  const seen = new Set();
  while (stack.length) {
    const cur = stack.pop();
    if (seen.has(cur)) continue;
    seen.add(cur);
    for (const k of kids.get(cur) ?? []) {
      out.push(k);
      stack.push(k.pid);
    }
  }
  return out;
}

/** Proportional set size of a process in KiB (0 when it is gone). */
export function pssKiB(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function pidAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // a zombie is not alive for our purposes
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function loadavg() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
