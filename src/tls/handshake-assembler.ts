import type { MemoryBudget } from '../flow/budget.js';

/**
 * Joins handshake messages that span records and splits records that carry several
 * messages (RFC 8446 §5.1). A message inside one record is handed out as a view; only
 * a message split across records is copied, into a buffer bounded by `maxMessage`.
 * Larger messages are passed over and reported, never buffered.
 */
export class HandshakeAssembler {
  private buf: Uint8Array | null = null;
  private have = 0;
  private need = 0; // header + body length of the pending message; 0 while the header is incomplete
  private skipping = 0;
  private header: Uint8Array | null = null; // allocated on the first header split across records
  private headerHave = 0;

  constructor(
    private readonly onMessage: (type: number, buf: Uint8Array, off: number, len: number) => void,
    private readonly onOversize: (type: number, len: number) => void,
    private readonly budget: MemoryBudget,
    private readonly maxMessage = 1 << 20,
  ) {}

  reset(): void {
    this.release();
    this.have = 0;
    this.skipping = 0;
    this.headerHave = 0;
  }

  /** Bytes of a message still being gathered (counted against the memory budget). */
  get buffered(): number {
    return this.have + this.headerHave;
  }

  push(data: Uint8Array, off: number, len: number): void {
    const end = off + len;
    let p = off;
    while (p < end) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, end - p);
        this.skipping -= n;
        p += n;
        continue;
      }
      if (this.need > 0) {
        const n = Math.min(this.need - this.have, end - p);
        this.buf!.set(data.subarray(p, p + n), this.have);
        this.have += n;
        p += n;
        if (this.have === this.need) {
          const total = this.need;
          const whole = this.buf!;
          this.have = 0;
          this.onMessage(whole[0], whole, 4, total - 4);
          this.release();
        }
        continue;
      }
      if (this.headerHave === 0 && end - p >= 4) {
        const type = data[p];
        const bodyLen = (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
        if (end - p >= 4 + bodyLen) {
          this.onMessage(type, data, p + 4, bodyLen);
          p += 4 + bodyLen;
          continue;
        }
        p = this.begin(type, bodyLen, data, p, end);
        continue;
      }
      // a header split across records
      this.header ??= new Uint8Array(4);
      this.header[this.headerHave++] = data[p++];
      if (this.headerHave === 4) {
        const h = this.header!;
        this.headerHave = 0;
        const bodyLen = (h[1] << 16) | (h[2] << 8) | h[3];
        if (bodyLen === 0) {
          this.onMessage(h[0], h, 4, 0);
          continue;
        }
        if (!this.reserve(h[0], bodyLen)) continue;
        this.buf!.set(h, 0);
        this.have = 4;
      }
    }
  }

  /** Start gathering a message whose header is at data[p]. */
  private begin(type: number, bodyLen: number, data: Uint8Array, p: number, end: number): number {
    if (!this.reserve(type, bodyLen)) return p + 4;
    const n = end - p;
    this.buf!.set(data.subarray(p, end), 0);
    this.have = n;
    return end;
  }

  private reserve(type: number, bodyLen: number): boolean {
    if (4 + bodyLen > this.maxMessage || !this.budget.take(4 + bodyLen)) {
      if (4 + bodyLen <= this.maxMessage) this.budget.shed++;
      this.onOversize(type, bodyLen);
      this.skipping = bodyLen;
      return false;
    }
    this.buf = new Uint8Array(4 + bodyLen);
    this.need = 4 + bodyLen;
    this.have = 0;
    return true;
  }

  private release(): void {
    if (this.need > 0) this.budget.give(this.need);
    this.need = 0;
    this.buf = null;
  }
}
