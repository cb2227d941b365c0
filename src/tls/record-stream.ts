import { MAX_RECORD_BODY, RECORD_HEADER, looksLikeHelloRecord, looksLikeRecord } from '../../parsers/tls/record.js';
import { looksLikeSslv2ClientHello, sslv2RecordHeader } from '../../parsers/tls/sslv2.js';
import type { MemoryBudget } from '../flow/budget.js';

/** Receives the records of one direction, in order. Views are valid only during the call. */
export interface RecordSink {
  /** A TLS record. `buf[off, off+len)` is a view; copy what you keep. */
  record(contentType: number, version: number, buf: Uint8Array, off: number, len: number): void;
  /** An application-data record whose body was passed over unread (only its length is known). */
  skippedRecord(contentType: number, len: number): void;
  /** An SSL 2.0 record; the body starts at the message type byte. */
  sslv2Record(buf: Uint8Array, off: number, len: number): void;
  /** Bytes that cannot be a record where one must start: the stream is lost until resync. */
  desync(reason: string): void;
}

/**
 * Cuts one direction's reassembled byte stream into records. Records that lie wholly
 * inside a chunk are handed out as views (no copy); only a record split across chunks
 * is gathered, in a buffer bounded by the largest legal record. Application-data bodies
 * are passed over when `skipAppData` is set: only their lengths matter after the handshake.
 */
export class RecordStream {
  /** Whether the next byte is a record start we trust: false until a hello is seen, and after a gap. */
  synced = false;
  /** Accept SSL 2.0 framing (only while the connection is in its SSLv2 phase). */
  allowSslv2 = false;
  skipAppData = true;
  records = 0;

  private pending: Uint8Array | null = null; // header bytes, then the whole record once its length is known
  private pendingLen = 0;
  private head: Uint8Array | null = null; // allocated on the first record split inside its header
  private need = 0; // total length of the pending record; 0 while its header is incomplete
  private pendingHdr = 0;
  private skipping = 0;

  constructor(
    private readonly sink: RecordSink,
    private readonly budget: MemoryBudget,
  ) {}

  /** Forget partial state; wait for a chunk that starts a record. */
  lose(): void {
    this.synced = false;
    this.release();
    this.pendingLen = 0;
    this.need = 0;
    this.skipping = 0;
  }

  /** Whether a chunk may start the stream: a hello before the first sync, any record after a gap. */
  static startsRecord(buf: Uint8Array, off: number, len: number, helloOnly: boolean): boolean {
    if (helloOnly) return looksLikeHelloRecord(buf, off, len) !== 0 || looksLikeSslv2ClientHello(buf, off, len);
    return looksLikeRecord(buf, off, len);
  }

  push(buf: Uint8Array, off: number, len: number): void {
    const end = off + len;
    let p = off;
    while (p < end && this.synced) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, end - p);
        this.skipping -= n;
        p += n;
      } else if (this.pendingLen > 0) {
        p = this.fillPending(buf, p, end);
      } else {
        p = this.fromChunk(buf, p, end);
      }
    }
  }

  /** Records starting at p inside the chunk; the fast path. Returns the new position. */
  private fromChunk(buf: Uint8Array, p: number, end: number): number {
    const avail = end - p;
    const hdr = this.headerLength(buf, p, avail);
    if (hdr < 0) return end;
    if (hdr === 0 || avail < hdr) return this.startPending(buf, p, end);
    const total = this.recordLength(buf, p, hdr);
    if (total < 0) return end;
    if (hdr === RECORD_HEADER && buf[p] === 23 && this.skipAppData) {
      this.records++;
      this.sink.skippedRecord(23, total - hdr);
      const n = Math.min(total, avail);
      this.skipping = total - n;
      return p + n;
    }
    if (avail < total) return this.startPending(buf, p, end);
    this.emit(buf, p, hdr, total);
    return p + total;
  }

  private startPending(buf: Uint8Array, p: number, end: number): number {
    this.pending = this.head ??= new Uint8Array(RECORD_HEADER);
    this.pendingLen = 0;
    this.need = 0;
    return this.fillPending(buf, p, end);
  }

  private fillPending(buf: Uint8Array, p: number, end: number): number {
    const pend = this.pending!;
    while (this.need === 0) {
      if (p >= end) return p;
      if (this.pendingLen >= RECORD_HEADER) return end; // cannot happen: header lengths are ≤ 5
      pend[this.pendingLen++] = buf[p++];
      const hdr = this.headerLength(pend, 0, this.pendingLen);
      if (hdr < 0) return end;
      if (hdr === 0 || this.pendingLen < hdr) continue;
      const total = this.recordLength(pend, 0, hdr);
      if (total < 0) return end;
      this.pendingHdr = hdr;
      if (hdr === RECORD_HEADER && pend[0] === 23 && this.skipAppData) {
        this.records++;
        this.sink.skippedRecord(23, total - hdr);
        this.skipping = total - this.pendingLen;
        this.pendingLen = 0;
        return p;
      }
      if (!this.budget.take(total)) {
        this.fail(`memory budget exhausted (record of ${total} bytes)`);
        this.budget.shed++;
        return end;
      }
      const whole = new Uint8Array(total);
      whole.set(pend.subarray(0, this.pendingLen), 0);
      this.pending = whole;
      this.need = total;
    }
    const target = this.pending!;
    const take = Math.min(this.need - this.pendingLen, end - p);
    target.set(buf.subarray(p, p + take), this.pendingLen);
    this.pendingLen += take;
    p += take;
    if (this.pendingLen === this.need) {
      const total = this.need;
      this.pendingLen = 0;
      this.emit(target, 0, this.pendingHdr, total);
      this.release();
    }
    return p;
  }

  /** Give a gathered record's bytes back to the budget. */
  private release(): void {
    if (this.need > 0) this.budget.give(this.need);
    this.need = 0;
    this.pending = null;
  }

  /** Header length at p: 5 for TLS, 2 or 3 for SSLv2; 0 when too few bytes to tell; -1 after desync. */
  private headerLength(buf: Uint8Array, p: number, avail: number): number {
    const t = buf[p];
    if (t >= 20 && t <= 24) {
      if (avail < 3) return 0;
      if (buf[p + 1] === 3 && buf[p + 2] <= 4) return RECORD_HEADER;
    }
    if (this.allowSslv2) {
      if (t & 0x80) return 2;
      if ((t & 0xc0) === 0 && t !== 0) return 3;
    }
    this.fail(`byte 0x${t.toString(16).padStart(2, '0')} where a record must start`);
    return -1;
  }

  /** Whole record length (header + body), or -1 after reporting desync. */
  private recordLength(buf: Uint8Array, p: number, hdr: number): number {
    if (hdr === RECORD_HEADER) {
      const len = (buf[p + 3] << 8) | buf[p + 4];
      if (len > MAX_RECORD_BODY) {
        this.fail(`record length ${len} exceeds ${MAX_RECORD_BODY}`);
        return -1;
      }
      return RECORD_HEADER + len;
    }
    const h = sslv2RecordHeader(buf, p, hdr);
    return h ? h.header + h.body : -1;
  }

  private emit(buf: Uint8Array, p: number, hdr: number, total: number): void {
    this.records++;
    if (hdr === RECORD_HEADER) this.sink.record(buf[p], (buf[p + 1] << 8) | buf[p + 2], buf, p + hdr, total - hdr);
    else this.sink.sslv2Record(buf, p + hdr, total - hdr);
  }

  private fail(reason: string): void {
    this.lose();
    this.sink.desync(reason);
  }
}
