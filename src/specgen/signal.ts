// Signal names as Docker accepts them for StopSignal and kill (moby/sys/signal ParseSignal,
// signal_linux.go SignalMap): a number, or a name with or without "SIG", any case,
// including RTMIN+n and RTMAX-n.
import { InvalidSignalError } from './errors.ts';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

const SIGNALS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>(Object.entries({
    HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
    SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CLD: 17, CONT: 18,
    STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27,
    WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
  }));
  m.set('RTMIN', SIGRTMIN);
  for (let i = 1; i <= 15; i++) m.set(`RTMIN+${i}`, SIGRTMIN + i);
  for (let i = 14; i >= 1; i--) m.set(`RTMAX-${i}`, SIGRTMAX - i);
  m.set('RTMAX', SIGRTMAX);
  return m;
})();

/** The signal number of "SIGTERM", "term", "15", "SIGRTMIN+3", …; InvalidSignalError otherwise. */
export function parseSignal(name: string): number {
  if (/^[0-9]+$/.test(name)) {
    const n = Number(name);
    // moby accepts any non-zero number; numbers past SIGRTMAX cannot be delivered, so refuse them here.
    if (n < 1 || n > SIGRTMAX) throw new InvalidSignalError(name);
    return n;
  }
  const upper = name.toUpperCase();
  const n = SIGNALS.get(upper.startsWith('SIG') ? upper.slice(3) : upper);
  if (n === undefined) throw new InvalidSignalError(name);
  return n;
}
