import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { EventSink } from './sink.js';

const BATCH = 64 * 1024;

/**
 * NDJSON to stdout or a file. Lines are gathered into batches before writing: one write
 * call per event would dominate a fast replay. When the stream reports backpressure, the
 * next write returns a promise so the reader pauses instead of buffering without bound.
 */
export class NdjsonSink implements EventSink {
  private buf = '';
  private waiting: Promise<void> | null = null;

  constructor(private readonly out: Writable) {}

  static toFile(path: string): NdjsonSink {
    return new NdjsonSink(createWriteStream(path, { flags: 'w' }));
  }

  write(event: object): void | Promise<void> {
    this.buf += JSON.stringify(event) + '\n';
    if (this.buf.length < BATCH) return;
    return this.flushBatch();
  }

  private flushBatch(): void | Promise<void> {
    const ok = this.out.write(this.buf);
    this.buf = '';
    if (ok) return;
    this.waiting ??= new Promise<void>((resolve) =>
      this.out.once('drain', () => {
        this.waiting = null;
        resolve();
      }),
    );
    return this.waiting;
  }

  async close(): Promise<void> {
    if (this.buf.length > 0) await this.flushBatch();
    if (this.waiting) await this.waiting;
    if (this.out === process.stdout) {
      await new Promise<void>((resolve) => (process.stdout.write('', () => resolve()) ? undefined : undefined));
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }
}
