import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

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
 * Synchronous writes: the sink batches, so a write is one system call per 64 KiB.
 */
export class RotatingFile {
  private fd: number;
  private size: number;
  rotations = 0;

  constructor(
    readonly path: string,
    private readonly opts: RotationOptions,
  ) {
    this.fd = openSync(path, opts.truncate ? 'w' : 'a');
    this.size = statSync(path).size;
  }

  write(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.opts.maxBytes > 0 && this.size > 0 && this.size + bytes > this.opts.maxBytes) this.rotate();
    writeSync(this.fd, text);
    this.size += bytes;
  }

  private rotate(): void {
    closeSync(this.fd);
    if (this.opts.keep <= 0) rmSync(this.path, { force: true });
    else {
      rmSync(`${this.path}.${this.opts.keep}`, { force: true });
      for (let i = this.opts.keep - 1; i >= 1; i--) {
        if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.fd = openSync(this.path, 'a');
    this.size = 0;
    this.rotations++;
  }

  close(): void {
    closeSync(this.fd);
  }
}
