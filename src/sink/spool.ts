import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/** One spooled message: where it goes and what it is. */
export interface SpoolRecord {
  topic: string;
  key: string | null;
  value: string;
}

export interface SpoolOptions {
  dir: string;
  /** The spool never holds more than this many bytes on disk; beyond, records are refused. */
  maxBytes: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes: number;
}

export interface SpoolStats {
  /** Records appended since start. */
  appended: number;
  /** Records refused because the spool was full. */
  refusedFull: number;
  /** Records found damaged on recovery (a torn last write, a bad checksum) and skipped. */
  corrupt: number;
  /** Records handed back out and acknowledged. */
  drained: number;
}

/**
 * A disk queue for events the broker could not take: append-only segment files
 * (`<seq>.seg`), each record `[u32 length][u32 crc32][JSON {topic,key,value}]`, little
 * endian. Writes go straight to the file (a SIGKILL loses nothing written: the page cache
 * outlives the process). Reading takes whole segments oldest first; a segment is deleted
 * once everything in it was acknowledged, and the position inside the oldest segment is
 * kept in `cursor` so a restart does not resend what was already sent (a crash between a
 * send and the cursor update can repeat at most one batch). On start-up the existing
 * segments are checked: a damaged or torn record ends its segment's readable part.
 */
export class Spool {
  private segments: number[] = [];
  private writeFd = -1;
  private writeSeq = 0;
  private writeSize = 0;
  private totalBytes = 0;
  /** Records of the oldest segment already acknowledged. */
  private cursor = 0;
  readonly stats: SpoolStats = { appended: 0, refusedFull: 0, corrupt: 0, drained: 0 };

  constructor(private readonly opts: SpoolOptions) {
    mkdirSync(opts.dir, { recursive: true });
    for (const f of readdirSync(opts.dir)) {
      const m = /^(\d{12})\.seg$/.exec(f);
      if (!m) continue;
      this.segments.push(Number(m[1]));
      this.totalBytes += statSync(path.join(opts.dir, f)).size;
    }
    this.segments.sort((a, b) => a - b);
    this.writeSeq = this.segments.length > 0 ? this.segments[this.segments.length - 1] + 1 : 1;
    try {
      this.cursor = Number(readFileSync(this.cursorPath, 'utf8')) || 0;
    } catch {
      this.cursor = 0;
    }
  }

  private get cursorPath(): string {
    return path.join(this.opts.dir, 'cursor');
  }

  private segPath(seq: number): string {
    return path.join(this.opts.dir, `${String(seq).padStart(12, '0')}.seg`);
  }

  /** Whether anything waits on disk. */
  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Append records in order; returns how many fit (the rest were refused: spool full). */
  append(records: readonly SpoolRecord[]): number {
    let n = 0;
    for (const r of records) {
      const body = Buffer.from(JSON.stringify(r));
      const rec = Buffer.allocUnsafe(8 + body.length);
      rec.writeUInt32LE(body.length, 0);
      rec.writeUInt32LE(crc32(body), 4);
      body.copy(rec, 8);
      if (this.totalBytes + rec.length > this.opts.maxBytes) {
        this.stats.refusedFull += records.length - n;
        break;
      }
      if (this.writeFd < 0 || this.writeSize + rec.length > this.opts.segmentBytes) this.openSegment();
      writeSync(this.writeFd, rec);
      this.writeSize += rec.length;
      this.totalBytes += rec.length;
      n++;
    }
    this.stats.appended += n;
    return n;
  }

  private openSegment(): void {
    if (this.writeFd >= 0) closeSync(this.writeFd);
    const seq = this.writeSeq++;
    this.writeFd = openSync(this.segPath(seq), 'a');
    this.writeSize = 0;
    this.segments.push(seq);
  }

  /**
   * The oldest unacknowledged records, up to `max`, from the oldest segment only (so an ack
   * can free it). The segment being written is closed first, so its records are all readable.
   */
  peek(max: number): SpoolRecord[] {
    if (this.segments.length === 0) return [];
    if (this.segments.length === 1 && this.writeFd >= 0) {
      closeSync(this.writeFd);
      this.writeFd = -1;
    }
    const seq = this.segments[0];
    const all = this.readSegment(seq);
    return all.slice(this.cursor, this.cursor + max);
  }

  /** The first `n` records of the last peek were delivered. */
  ack(n: number): void {
    if (this.segments.length === 0 || n <= 0) return;
    const seq = this.segments[0];
    const total = this.readSegment(seq).length;
    this.cursor += n;
    this.stats.drained += n;
    if (this.cursor >= total) {
      const p = this.segPath(seq);
      this.totalBytes -= statSync(p).size;
      rmSync(p, { force: true });
      this.segments.shift();
      this.cursor = 0;
      this.cache = undefined;
    }
    writeFileSync(this.cursorPath, String(this.cursor));
  }

  private cache: { seq: number; records: SpoolRecord[] } | undefined;

  private readSegment(seq: number): SpoolRecord[] {
    if (this.cache?.seq === seq) return this.cache.records;
    const buf = readFileSync(this.segPath(seq));
    const records: SpoolRecord[] = [];
    let off = 0;
    while (off + 8 <= buf.length) {
      const len = buf.readUInt32LE(off);
      const sum = buf.readUInt32LE(off + 4);
      if (off + 8 + len > buf.length) {
        this.stats.corrupt++; // torn last write
        break;
      }
      const body = buf.subarray(off + 8, off + 8 + len);
      if (crc32(body) !== sum) {
        this.stats.corrupt++;
        break;
      }
      try {
        records.push(JSON.parse(body.toString('utf8')) as SpoolRecord);
      } catch {
        this.stats.corrupt++;
        break;
      }
      off += 8 + len;
    }
    this.cache = { seq, records };
    return records;
  }

  close(): void {
    if (this.writeFd >= 0) closeSync(this.writeFd);
    this.writeFd = -1;
  }
}
