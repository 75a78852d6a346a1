// A client connection to conmon's attach socket. Packets from conmon start with one byte
// naming the stream (2 = stdout, 3 = stderr); bytes we send go to the container's stdin
// (or its pty). Ending our side (shutdown SHUT_WR) closes the container's stdin when it was
// started with StdinOnce.
import { SeqpacketSocket } from 'node-unix-socket';
import { EventEmitter } from 'node:events';

export type AttachStream = 'stdout' | 'stderr';

export class AttachConnection extends EventEmitter<{ data: [AttachStream, Buffer]; close: []; error: [Error] }> {
  #sock: SeqpacketSocket;
  #closed = false;

  private constructor(sock: SeqpacketSocket) {
    super();
    this.#sock = sock;
    sock.on('data', (buf: Buffer) => {
      if (buf.length < 1) return;
      const kind = buf[0];
      if (kind === 2 || kind === 3) this.emit('data', kind === 2 ? 'stdout' : 'stderr', buf.subarray(1));
    });
    sock.on('end', () => this.#finish());
    sock.on('close', () => this.#finish());
    sock.on('error', (e: Error) => { this.emit('error', e); this.#finish(); });
  }

  static connect(path: string): Promise<AttachConnection> {
    return new Promise((resolve, reject) => {
      const sock = new SeqpacketSocket();
      // conmon's STDIO_BUF_SIZE is 8192 plus one byte of stream prefix; a larger buffer is harmless.
      sock.setInternalReadBufferSize(65536);
      const onError = (e: Error): void => reject(e);
      sock.once('error', onError);
      try {
        sock.connect(path, () => {
          sock.off('error', onError);
          resolve(new AttachConnection(sock));
        });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  write(data: Buffer): void {
    if (!this.#closed) this.#sock.write(data);
  }

  /** Half-close: no more stdin. */
  endInput(): void {
    if (!this.#closed) this.#sock.end();
  }

  destroy(): void {
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    try { this.#sock.destroy(); } catch { /* already closed */ }
    this.emit('close');
  }
}
