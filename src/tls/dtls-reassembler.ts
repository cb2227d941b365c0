import type { DtlsFragment } from '../../parsers/tls/dtls.js';
import type { MemoryBudget } from '../flow/budget.js';

interface Partial {
  type: number;
  body: Uint8Array;
  /** One flag per body byte: fragments may overlap or repeat after retransmission. */
  have: Uint8Array;
  missing: number;
}

const MAX_PARTIAL = 8;

/**
 * Rebuilds DTLS handshake messages from fragments (RFC 6347 §4.2.3). Each message is
 * handed out once, by message sequence: retransmitted flights are recognised and ignored.
 */
export class DtlsReassembler {
  private readonly delivered = new Set<number>();
  private readonly partial = new Map<number, Partial>();

  constructor(
    private readonly budget: MemoryBudget,
    private readonly maxMessage: number,
  ) {}

  fragment(f: DtlsFragment, buf: Uint8Array, onMessage: (type: number, body: Uint8Array, off: number, len: number) => void): void {
    // A new ClientHello after HelloVerifyRequest restarts at sequence 1; keying by (seq, type) keeps both.
    const key = f.messageSeq * 256 + f.type;
    if (this.delivered.has(key)) return;
    if (f.fragmentOffset === 0 && f.fragmentLength === f.length) {
      this.delivered.add(key);
      onMessage(f.type, buf, f.off, f.length);
      return;
    }
    let p = this.partial.get(key);
    if (!p) {
      if (f.length > this.maxMessage || this.partial.size >= MAX_PARTIAL || !this.budget.take(f.length * 2)) return;
      p = { type: f.type, body: new Uint8Array(f.length), have: new Uint8Array(f.length), missing: f.length };
      this.partial.set(key, p);
    }
    for (let i = 0; i < f.fragmentLength; i++) {
      const at = f.fragmentOffset + i;
      if (!p.have[at]) {
        p.have[at] = 1;
        p.missing--;
      }
      p.body[at] = buf[f.off + i];
    }
    if (p.missing === 0) {
      this.partial.delete(key);
      this.budget.give(p.body.length * 2);
      this.delivered.add(key);
      onMessage(p.type, p.body, 0, p.body.length);
    }
  }

  /** Give partial messages' memory back (the connection is over). */
  release(): void {
    for (const p of this.partial.values()) this.budget.give(p.body.length * 2);
    this.partial.clear();
  }
}
