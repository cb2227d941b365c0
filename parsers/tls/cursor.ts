import { copyBytes } from '../bytes.js';
/**
 * A bounds-checked reader over a byte range. Reading past the end never throws: it
 * returns zeros and clears `ok`, so a parser checks once at the end instead of at
 * every field, and hostile lengths can never index outside the range.
 */
export class Cursor {
  ok = true;
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    /** Not readonly: a parser may move one cursor across sibling ranges (see `window`) instead of allocating one per range. */
    public end: number,
    /** `buf` is a private copy: `bytes()` may hand out views instead of copying again. */
    readonly owned = false,
  ) {}

  /** A cursor over a private copy of buf[off, off+len): what it hands out stays valid. */
  static owning(buf: Uint8Array, off: number, len: number): Cursor {
    return new Cursor(copyBytes(buf, off, off + len), 0, len, true);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): boolean {
    if (n < 0 || this.pos + n > this.end) {
      this.ok = false;
      this.pos = this.end;
      return false;
    }
    return true;
  }

  u8(): number {
    if (!this.need(1)) return 0;
    return this.buf[this.pos++];
  }

  u16(): number {
    if (!this.need(2)) return 0;
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u24(): number {
    if (!this.need(3)) return 0;
    const b = this.buf;
    const v = (b[this.pos] << 16) | (b[this.pos + 1] << 8) | b[this.pos + 2];
    this.pos += 3;
    return v;
  }

  u32(): number {
    if (!this.need(4)) return 0;
    const b = this.buf;
    const v = ((b[this.pos] << 24) | (b[this.pos + 1] << 16) | (b[this.pos + 2] << 8) | b[this.pos + 3]) >>> 0;
    this.pos += 4;
    return v;
  }

  /** The next n bytes, safe to keep after the packet buffer is reused (a copy unless `owned`). */
  bytes(n: number): Uint8Array {
    if (!this.need(n)) return new Uint8Array(0);
    const out = this.owned ? this.buf.subarray(this.pos, this.pos + n) : copyBytes(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    if (this.need(n)) this.pos += n;
  }

  /** A sub-cursor over the next n bytes, advancing this one past them. */
  sub(n: number): Cursor {
    if (!this.need(n)) return new Cursor(this.buf, this.end, this.end, this.owned);
    const c = new Cursor(this.buf, this.pos, this.pos + n, this.owned);
    this.pos += n;
    return c;
  }

  /** Sub-cursor over a vector with a 1-, 2- or 3-byte length prefix. */
  vec(lengthBytes: 1 | 2 | 3): Cursor {
    return this.sub(this.length(lengthBytes));
  }

  /**
   * Like `vec`, but into `into` (reset to cover the vector) instead of a new cursor: for a
   * walk over many siblings, such as the extensions of a hello, one cursor serves them all.
   */
  window(lengthBytes: 1 | 2 | 3, into: Cursor): Cursor {
    const n = this.length(lengthBytes);
    into.ok = true;
    if (!this.need(n)) {
      into.pos = into.end = this.end;
      return into;
    }
    into.pos = this.pos;
    into.end = this.pos + n;
    this.pos += n;
    return into;
  }

  /** Pass over a vector with a 1-, 2- or 3-byte length prefix. */
  skipVec(lengthBytes: 1 | 2 | 3): void {
    this.skip(this.length(lengthBytes));
  }

  private length(lengthBytes: 1 | 2 | 3): number {
    return lengthBytes === 1 ? this.u8() : lengthBytes === 2 ? this.u16() : this.u24();
  }

  /** A vector of 16-bit values with a 1- or 2-byte length prefix (odd trailing byte flags malformed). */
  u16List(lengthBytes: 1 | 2): number[] {
    const n = this.length(lengthBytes);
    const out: number[] = [];
    if (!this.need(n)) return out;
    const b = this.buf;
    const end = this.pos + (n & ~1);
    for (let p = this.pos; p < end; p += 2) out.push((b[p] << 8) | b[p + 1]);
    if (n & 1) this.ok = false;
    this.pos += n;
    return out;
  }

  u8List(lengthBytes: 1 | 2): number[] {
    const n = this.length(lengthBytes);
    const out: number[] = [];
    if (!this.need(n)) return out;
    const b = this.buf;
    for (let p = this.pos, end = this.pos + n; p < end; p++) out.push(b[p]);
    this.pos += n;
    return out;
  }
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Latin-1-safe decoding of a wire string (SNI, ALPN): printable ASCII kept, anything else escaped. */
export function wireString(bytes: Uint8Array): string {
  let plain = bytes.length <= 1024;
  for (let i = 0; plain && i < bytes.length; i++) {
    const b = bytes[i];
    plain = b >= 0x20 && b < 0x7f && b !== 0x5c;
  }
  // The common case (a host name, a protocol id) in one call instead of a string per byte.
  if (plain) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (const b of bytes) {
    s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : '\\x' + b.toString(16).padStart(2, '0');
  }
  return s;
}
