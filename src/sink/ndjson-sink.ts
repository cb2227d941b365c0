import type { Writable } from 'node:stream';
import { RotatingFile, type RotationOptions } from './rotating-file.js';
import type { EventSink } from './sink.js';

const BATCH = 64 * 1024;

export interface NdjsonOptions {
  /** Event datasets this sink takes (`tlsscope.handshake` …); all when absent. */
  datasets?: ReadonlySet<string>;
  /** Rendering applied to each event before serialisation (GELF, OCSF …); as built when absent. */
  render?: (event: Record<string, unknown>) => Record<string, unknown>;
}

/** Where the text goes: a stream, or a file rotated by size; both with backpressure. */
type Output = { kind: 'stream'; out: Writable } | { kind: 'file'; file: RotatingFile };

/**
 * NDJSON to stdout or a file. Lines are gathered into batches before writing: one write
 * call per event would dominate a fast replay. When a stream reports backpressure, the
 * next write returns a promise so the reader pauses instead of buffering without bound.
 */
export class NdjsonSink implements EventSink {
  private buf = '';
  private waiting: Promise<void> | null = null;
  written = 0;

  private constructor(
    private readonly output: Output,
    private readonly opts: NdjsonOptions = {},
  ) {}

  static toStream(out: Writable, opts?: NdjsonOptions): NdjsonSink {
    return new NdjsonSink({ kind: 'stream', out }, opts);
  }

  /** A file, appended to, rotated by size (`rotation.maxBytes` 0: never). */
  static toFile(path: string, rotation: RotationOptions = { maxBytes: 0, keep: 0 }, opts?: NdjsonOptions): NdjsonSink {
    return new NdjsonSink({ kind: 'file', file: new RotatingFile(path, rotation) }, opts);
  }

  get rotations(): number {
    return this.output.kind === 'file' ? this.output.file.rotations : 0;
  }

  write(event: Record<string, unknown>): void | Promise<void> {
    const { datasets, render } = this.opts;
    if (datasets && !datasets.has((event.event as { dataset?: string } | undefined)?.dataset ?? '')) return;
    const line = JSON.stringify(render ? render(event) : event) + '\n';
    this.written++;
    this.buf += line;
    if (this.buf.length < BATCH) return;
    return this.flushStream();
  }

  flush(): void | Promise<void> {
    if (this.buf.length > 0) return this.flushStream();
  }

  private flushStream(): void | Promise<void> {
    const o = this.output;
    // Whole lines per write, so a file rotation never cuts one; batching keeps writes few.
    const ok = o.kind === 'file' ? o.file.write(this.buf) : o.out.write(this.buf);
    this.buf = '';
    if (ok) return;
    this.waiting ??= (o.kind === 'file' ? o.file.drain() : new Promise<void>((resolve) => o.out.once('drain', () => resolve()))).then(() => {
      this.waiting = null;
    });
    return this.waiting;
  }

  async close(): Promise<void> {
    if (this.buf.length > 0) await this.flushStream();
    if (this.waiting) await this.waiting;
    if (this.output.kind === 'file') {
      await this.output.file.close();
      return;
    }
    const out = this.output.out;
    if (out === process.stdout) {
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      return;
    }
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
  }
}
