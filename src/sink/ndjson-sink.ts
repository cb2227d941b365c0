import type { Writable } from 'node:stream';
import { eventJsonPieces } from '../event/event-json.js';
import { RotatingFile, type RotationOptions } from './rotating-file.js';
import type { EventSink } from './sink.js';

/** Bytes gathered before a write; the buffer has room for a batch plus one typical event. */
const BATCH = 64 * 1024;
const CAPACITY = 128 * 1024;

export interface NdjsonOptions {
  /** Event datasets this sink takes (`tlsscope.handshake` …); all when absent. */
  datasets?: ReadonlySet<string>;
  /** Rendering applied to each event before serialisation (GELF, OCSF …); as built when absent. */
  render?: (event: Record<string, unknown>) => Record<string, unknown>;
}

/** Where the text goes: a stream, or a file rotated by size; both with backpressure. */
type Output = { kind: 'stream'; out: Writable } | { kind: 'file'; file: RotatingFile };

/**
 * NDJSON to stdout or a file. Lines are encoded straight into a byte batch before writing:
 * one write call per event would dominate a fast replay, and a batch kept as a string would
 * be flattened and encoded again by the stream (measured: ~4 µs per event on bench
 * handshakes). When a stream reports backpressure, the next write returns a promise so the
 * reader pauses instead of buffering without bound.
 */
export class NdjsonSink implements EventSink {
  private batch: Buffer = Buffer.allocUnsafe(CAPACITY);
  private used = 0;
  /** An event's leading pieces (event-json.ts), written one after another. */
  private readonly pieces: string[] = [];
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
    // ECS events as built get the fast serialiser; a rendering (GELF, OCSF) is a new object.
    const out = render ? render(event) : event;
    const pieces = this.pieces;
    const json = out === event ? eventJsonPieces(event, pieces) : JSON.stringify(out);
    this.written++;
    let length = json.length;
    for (let i = 0; i < pieces.length; i++) length += pieces[i].length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room for that, or the batch goes first.
    const worst = length * 3 + 1;
    let waited: void | Promise<void> = undefined;
    if (this.used + worst > CAPACITY && this.used > 0) waited = this.flushStream();
    if (worst > CAPACITY) {
      // A line larger than a batch (a hostile chain's certificates) goes on its own.
      const p = this.send(Buffer.from(pieces.join('') + json + '\n'));
      if (pieces.length > 0) pieces.length = 0;
      return waited ?? p;
    }
    if (pieces.length > 0) {
      for (let i = 0; i < pieces.length; i++) this.used += this.batch.write(pieces[i], this.used);
      pieces.length = 0;
    }
    this.used += this.batch.write(json, this.used);
    this.batch[this.used++] = 0x0a;
    if (this.used < BATCH) return waited;
    return this.flushStream() ?? waited;
  }

  flush(): void | Promise<void> {
    if (this.used > 0) return this.flushStream();
  }

  private flushStream(): void | Promise<void> {
    // The stream keeps the bytes until they are written: a fresh batch for what follows.
    const chunk = this.batch.subarray(0, this.used);
    this.batch = Buffer.allocUnsafe(CAPACITY);
    this.used = 0;
    return this.send(chunk);
  }

  private send(chunk: Buffer): void | Promise<void> {
    const o = this.output;
    // Whole lines per write, so a file rotation never cuts one; batching keeps writes few.
    const ok = o.kind === 'file' ? o.file.write(chunk) : o.out.write(chunk);
    if (ok) return;
    this.waiting ??= (o.kind === 'file' ? o.file.drain() : new Promise<void>((resolve) => o.out.once('drain', () => resolve()))).then(() => {
      this.waiting = null;
    });
    return this.waiting;
  }

  async close(): Promise<void> {
    if (this.used > 0) await this.flushStream();
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
