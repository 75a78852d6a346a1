// Writing to a FIFO that someone may or may not read: conmon's control FIFO (<bundle>/ctl:
// "1 <rows> <cols>\n" resizes the terminal, "2 0 0\n" reopens the log) and crun's exec FIFO.
// Opened non-blocking: a plain open(2) of a FIFO whose reader (conmon) is
// gone blocks forever, and a blocked open holds a libuv pool thread; four of them stall
// every file operation in berthd. ENXIO (no reader) just means the process is gone.
import { open } from 'node:fs/promises';
import { constants } from 'node:fs';

export async function writeControl(path: string, message: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    await fh.write(message);
    return true;
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}

export function resizeMessage(rows: number, cols: number): string {
  return `1 ${rows} ${cols}\n`;
}
