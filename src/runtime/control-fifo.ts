// Writing to a FIFO that someone may or may not read: conmon's control FIFO (<bundle>/ctl:
// "1 <rows> <cols>\n" resizes the terminal, "2 0 0\n" reopens the log) and crun's exec FIFO.
// Opened non-blocking: a plain open(2) of a FIFO whose reader (conmon) is
// gone blocks forever, and a blocked open holds a libuv pool thread; four of them stall
// every file operation in berthd. ENXIO (no reader) just means the process is gone.
// Non-blocking, none of these calls can wait (a full FIFO is EAGAIN), so they run in place:
// three pool round trips were ~1 ms on the start path (the exec FIFO releases the process).
import { closeSync, constants, openSync, writeSync } from 'node:fs';

export async function writeControl(path: string, message: string): Promise<boolean> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    writeSync(fd, message);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

export function resizeMessage(rows: number, cols: number): string {
  return `1 ${rows} ${cols}\n`;
}
