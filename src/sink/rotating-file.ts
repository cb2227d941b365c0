import { createWriteStream, existsSync, openSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';

export interface RotationOptions {
  /** Rotate when the current file would grow past this many bytes (0: never). */
  maxBytes: number;
  /** Rotated files kept beside the current one (FILE.1 is the newest). */
  keep: number;
  /** Start the file empty (a replay's output) rather than append to it (a long-running sensor's). */
  truncate?: boolean;
}

/**
 * An append-only text file rotated by size, like logrotate's numbered scheme: FILE is being
 * written, FILE.1 is the previous one, up to FILE.<keep>; older ones are deleted. A rotation
 * never splits a line: the caller writes whole lines and the check happens before a write.
 * Writes go through a stream, so the disk work happens off the main thread (a synchronous
 * write per batch cost a replay 6-9 µs per event). Renaming a file that still has writes
 * queued is safe: they land in the renamed file, where they belong.
 */
export class RotatingFile {
  private stream: WriteStream;
  private size: number;
  private closing: Promise<void>[] = [];
  rotations = 0;

  constructor(
    readonly path: string,
    private readonly opts: RotationOptions,
  ) {
    // Opened here, synchronously: the file exists (and a bad path fails) before the first write.
    this.stream = createWriteStream(path, { fd: openSync(path, opts.truncate ? 'w' : 'a') });
    this.size = opts.truncate ? 0 : existsSync(path) ? statSync(path).size : 0;
  }

  /** Write whole lines; false when the stream wants the caller to wait for `drain()`. */
  write(text: string | Uint8Array): boolean {
    const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    if (this.opts.maxBytes > 0 && this.size > 0 && this.size + bytes > this.opts.maxBytes) this.rotate();
    this.size += bytes;
    return this.stream.write(text);
  }

  /** Resolves when the stream written last can take more, or has been ended by a rotation. */
  drain(): Promise<void> {
    const s = this.stream;
    return new Promise((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('finish', done);
        resolve();
      };
      s.once('drain', done);
      s.once('finish', done);
    });
  }

  private rotate(): void {
    const old = this.stream;
    this.closing.push(new Promise<void>((resolve) => old.end(() => resolve())));
    if (this.opts.keep <= 0) rmSync(this.path, { force: true });
    else {
      rmSync(`${this.path}.${this.opts.keep}`, { force: true });
      for (let i = this.opts.keep - 1; i >= 1; i--) {
        if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.stream = createWriteStream(this.path, { fd: openSync(this.path, 'a') });
    this.size = 0;
    this.rotations++;
  }

  async close(): Promise<void> {
    const s = this.stream;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.end(() => resolve());
    });
    await Promise.all(this.closing);
  }
}
