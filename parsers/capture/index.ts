import type { CaptureError, CaptureErrorKind, CaptureFormat, PacketCallback, PacketRecord } from './types.js';
import { PCAP_MAGICS, PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';

export type { CaptureError, CaptureErrorKind, CaptureFormat, PacketCallback, PacketRecord } from './types.js';

/** How a format parser hands an error to the decoder. */
export type Report = (kind: CaptureErrorKind, message: string, offset: number, fatal: boolean) => void;

/** Returned by every push() that met no error, so the common case allocates nothing. Frozen: never mutate it. */
const NO_ERRORS = Object.freeze([]) as unknown as CaptureError[];
/** A hostile chunk could hold one bad block every 12 bytes: keep the list bounded. */
const MAX_ERRORS_PER_PUSH = 100;
const DEFAULT_MAX_RECORD = 262144;
const LIMIT_MAX_RECORD = 1 << 30;

/** The format of a capture from its first four bytes (never from a file name). */
export function sniffCaptureFormat(head: Uint8Array): CaptureFormat | undefined {
  if (head.length < 4) return undefined;
  const magic = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  if (magic === 0x0a0d0d0a) return 'pcapng';
  return PCAP_MAGICS.has(magic) ? 'pcap' : undefined;
}

function hex4(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

/**
 * Streaming pcap/pcapng decoder. Feed it chunks of any size; packets that lie wholly in
 * a chunk are handed out as views of that chunk, and only a record split across chunks
 * is copied (into an internal buffer bounded by the largest acceptable record), so the
 * caller may reuse its read buffer after push() returns. Errors are returned, never thrown.
 */
export class CaptureDecoder {
  private parser: PcapParser | PcapngParser | undefined;
  private readonly rec: PacketRecord = {
    data: new Uint8Array(0),
    offset: 0,
    caplen: 0,
    origLen: 0,
    linkType: 0,
    tsSec: 0,
    tsNsec: 0,
    interfaceId: 0,
  };
  private readonly maxCaplen: number;
  /** Start of a record split across chunks: tail[0, tailLen) is the stream from tailBase on. */
  private tail = new Uint8Array(0);
  private tailLen = 0;
  private tailBase = 0;
  private totalIn = 0;
  private dead = false;
  /** Stream offset of the fatal error, or -1. */
  private deadAt = -1;
  private errs: CaptureError[] = NO_ERRORS;
  private suppressed = 0;
  private readonly report: Report;

  constructor(opts?: { maxRecordBytes?: number }) {
    const m = opts?.maxRecordBytes;
    this.maxCaplen = typeof m === 'number' && m >= 0 ? Math.min(Math.floor(m), LIMIT_MAX_RECORD) : DEFAULT_MAX_RECORD;
    this.report = (kind, message, offset, fatal) => {
      if (fatal) this.deadAt = offset;
      if (this.errs === NO_ERRORS) this.errs = [];
      if (!fatal && this.errs.length >= MAX_ERRORS_PER_PUSH) this.suppressed++;
      else this.errs.push({ kind, message, offset, fatal });
    };
  }

  get format(): CaptureFormat | undefined {
    return this.parser?.format;
  }

  /** Input decoded or skipped so far: excludes a buffered partial record, stops at a fatal error. */
  get bytesConsumed(): number {
    return this.deadAt >= 0 ? this.deadAt : this.totalIn - this.tailLen;
  }

  get packets(): number {
    return this.parser?.count ?? 0;
  }

  /**
   * Feed the next chunk; onPacket sees each complete packet (the record is reused: copy
   * what you keep). Returns the errors met in this chunk; the empty result is a shared frozen
   * array, so treat the result as read-only. After a fatal error, input is ignored.
   */
  push(chunk: Uint8Array, onPacket: PacketCallback): CaptureError[] {
    if (this.dead) return NO_ERRORS;
    this.errs = NO_ERRORS;
    this.suppressed = 0;
    try {
      this.feed(chunk, onPacket);
    } catch (err) {
      // Only onPacket can throw; our position is lost, so stop here and let it propagate.
      this.kill();
      throw err;
    }
    if (this.suppressed > 0) {
      this.errs.push({
        kind: 'bad_record',
        message: `${this.parser?.format ?? 'capture'}: ${this.suppressed} more errors in the chunk ending at offset ${this.totalIn} not listed`,
        offset: this.totalIn,
        fatal: false,
      });
    }
    return this.errs;
  }

  /** End of input: reports a record left incomplete, or input too short to be a capture. */
  end(): CaptureError[] {
    if (this.dead) return NO_ERRORS;
    this.dead = true;
    const p = this.parser;
    if (p === undefined) {
      return [{ kind: 'not_a_capture', message: `not a capture: input has ${this.totalIn} bytes, too few for a magic number at offset 0`, offset: 0, fatal: true }];
    }
    if (p.skip > 0) {
      const message = `${p.format}: block at offset ${p.skipFrom} is truncated (${p.skip} bytes missing)`;
      return [{ kind: 'truncated', message, offset: p.skipFrom, fatal: true }];
    }
    if (this.tailLen > 0) {
      const message = p.what(this.tail, 0, this.tailLen, this.tailBase);
      return [{ kind: 'truncated', message, offset: this.tailBase, fatal: true }];
    }
    return NO_ERRORS;
  }

  private feed(chunk: Uint8Array, cb: PacketCallback): void {
    const n = chunk.length;
    const base = this.totalIn;
    this.totalIn += n;
    let pos = 0;
    let p = this.parser;
    if (p === undefined) {
      if (this.tailLen + n < 4) {
        this.append(chunk, 0, n, base);
        return;
      }
      pos = 4 - this.tailLen;
      this.append(chunk, 0, pos, base);
      p = this.start();
      if (p === undefined) return;
    }
    pos += this.dropFromChunk(p, n - pos);

    // Finish the record that straddles the previous chunk, taking only the bytes it needs.
    while (this.tailLen > 0) {
      const need = p.need(this.tail, 0, this.tailLen);
      if (need > this.tailLen) {
        const take = Math.min(need - this.tailLen, n - pos);
        this.append(chunk, pos, take, base + pos);
        pos += take;
        if (this.tailLen < need) return;
        continue;
      }
      const used = p.run(this.tail, 0, this.tailLen, this.tailBase, cb);
      if (p.fatal) return this.kill();
      if (used <= 0) {
        this.report('bad_record', `${p.format}: decoder made no progress at offset ${this.tailBase} (internal error)`, this.tailBase, true);
        return this.kill();
      }
      this.dropTail(used);
      if (p.skip > 0 && this.tailLen > 0) {
        const k = Math.min(p.skip, this.tailLen);
        p.skip -= k;
        this.dropTail(k);
      }
      pos += this.dropFromChunk(p, n - pos);
    }

    while (pos < n) {
      pos = p.run(chunk, pos, n, base, cb);
      if (p.fatal) return this.kill();
      if (p.skip > 0) {
        pos += this.dropFromChunk(p, n - pos);
        continue;
      }
      if (pos < n) this.append(chunk, pos, n - pos, base + pos);
      return;
    }
  }

  /** Sniff the four bytes in the tail and pick a parser. */
  private start(): PcapParser | PcapngParser | undefined {
    const head = this.tail;
    const fmt = sniffCaptureFormat(head);
    if (fmt === 'pcap') this.parser = new PcapParser(this.rec, this.maxCaplen, this.report);
    else if (fmt === 'pcapng') this.parser = new PcapngParser(this.rec, this.maxCaplen, this.report);
    else {
      const magic = hex4(head);
      if (magic === 'a1b2cd34' || magic === '34cdb2a1') {
        this.report('unsupported', `pcap: modified (Kuznetzov) pcap magic ${magic} at offset 0 is not read`, 0, true);
      } else {
        const gz = head[0] === 0x1f && head[1] === 0x8b ? ' (gzip data: decompress it first)' : '';
        this.report('not_a_capture', `not a capture: magic ${magic} at offset 0 is neither pcap nor pcapng${gz}`, 0, true);
      }
      this.kill();
    }
    return this.parser;
  }

  /** Drop up to avail bytes of a block being skipped; returns how many. */
  private dropFromChunk(p: PcapParser | PcapngParser, avail: number): number {
    if (p.skip === 0) return 0;
    const k = Math.min(p.skip, avail);
    p.skip -= k;
    return k;
  }

  private append(src: Uint8Array, from: number, count: number, at: number): void {
    if (count <= 0) return;
    if (this.tailLen === 0) this.tailBase = at;
    const want = this.tailLen + count;
    if (want > this.tail.length) {
      const grown = new Uint8Array(Math.max(want, this.tail.length * 2, 1024));
      grown.set(this.tail.subarray(0, this.tailLen));
      this.tail = grown;
    }
    this.tail.set(src.subarray(from, from + count), this.tailLen);
    this.tailLen = want;
  }

  private dropTail(k: number): void {
    if (k < this.tailLen) this.tail.copyWithin(0, k, this.tailLen);
    this.tailLen -= k;
    this.tailBase += k;
  }

  private kill(): void {
    this.dead = true;
    this.tail = new Uint8Array(0);
    this.tailLen = 0;
  }
}
