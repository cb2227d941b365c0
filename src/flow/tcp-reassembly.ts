import { copyBytes } from '../../parsers/bytes.js';
import type { MemoryBudget } from './budget.js';

/** Where a direction's in-order bytes go. */
export interface StreamConsumer {
  /** In-order bytes; buf[off, off+len) is a view valid only during the call. */
  data(buf: Uint8Array, off: number, len: number): void;
  /** Bytes were lost (never captured, or shed for memory): what follows is not contiguous. */
  gap(bytes: number): void;
}

interface Segment {
  seq: number;
  data: Uint8Array;
}

/** Signed distance a - b in sequence space (RFC 1982 arithmetic on 32 bits). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * One direction of a TCP connection, reassembled. In-order segments go straight to the
 * consumer as views (the common case: no copy); segments ahead of a hole are copied and
 * kept in sequence order, bounded per direction and by the shared budget. A hole is given
 * up (reported as a gap) when the peer acknowledges past it, when the buffer limit is hit,
 * or at the end of the flow: those bytes were never captured.
 */
export class TcpReassembler {
  private known = false;
  private next = 0;
  private ooo: Segment[] | null = null;
  private oooBytes = 0;
  /** Payload bytes seen (including retransmissions), and bytes delivered in order. */
  bytesSeen = 0;
  bytesDelivered = 0;
  gaps = 0;
  gapBytes = 0;
  /** When false, payload is only counted: the consumer needs nothing more. */
  active = true;

  constructor(
    private readonly budget: MemoryBudget,
    private readonly maxBuffered: number,
  ) {}

  get buffered(): number {
    return this.oooBytes;
  }

  /** A segment of this direction. `syn` marks a SYN (its sequence number is the ISN). */
  segment(seq: number, syn: boolean, buf: Uint8Array, off: number, len: number, out: StreamConsumer): void {
    this.bytesSeen += len;
    if (syn) {
      if (!this.known) {
        this.known = true;
        this.next = (seq + 1) >>> 0;
      }
      if (len === 0) return;
      seq = (seq + 1) >>> 0; // data on a SYN (TCP Fast Open) follows the ISN
    }
    if (len === 0 || !this.active) return;
    if (!this.known) {
      // Picked up mid-stream: start at the first byte we see.
      this.known = true;
      this.next = seq;
    }
    const rel = seqDiff(seq, this.next);
    if (rel <= 0) {
      if (rel + len <= 0) return; // retransmission of delivered bytes
      const skip = -rel;
      this.deliver(buf, off + skip, len - skip, out);
      this.drain(out);
      return;
    }
    this.store(seq, buf, off, len, out);
  }

  /** The peer acknowledged `ack`: a hole below it will never be filled from the capture. */
  acked(ack: number, out: StreamConsumer): void {
    if (!this.known || this.ooo === null || this.ooo.length === 0) return;
    if (seqDiff(ack, this.next) > 0 && seqDiff(ack, this.ooo[0].seq) >= 0) this.skipHole(out);
  }

  /** End of the flow: hand out what is buffered, across holes. */
  flush(out: StreamConsumer): void {
    while (this.ooo && this.ooo.length > 0 && this.active) this.skipHole(out);
    this.release();
  }

  /** Stop buffering for good (the handshake is over); keep only counting. */
  stop(): void {
    this.active = false;
    this.release();
  }

  private deliver(buf: Uint8Array, off: number, len: number, out: StreamConsumer): void {
    this.next = (this.next + len) >>> 0;
    this.bytesDelivered += len;
    out.data(buf, off, len);
  }

  private store(seq: number, buf: Uint8Array, off: number, len: number, out: StreamConsumer): void {
    if (this.oooBytes + len > this.maxBuffered || !this.budget.take(len)) {
      if (this.oooBytes + len <= this.maxBuffered) this.budget.shed++;
      // No room: give up the oldest hole and go on from the earliest buffered data.
      if (this.ooo && this.ooo.length > 0) {
        this.skipHole(out);
        if (!this.active) return;
        const rel = seqDiff(seq, this.next);
        if (rel <= 0) {
          if (rel + len > 0) this.deliver(buf, off - rel, len + rel, out);
          this.drain(out);
          return;
        }
      }
      this.gapTo(seq, out);
      this.deliver(buf, off, len, out);
      this.drain(out);
      return;
    }
    const seg: Segment = { seq, data: copyBytes(buf, off, off + len) };
    this.oooBytes += len;
    const list = (this.ooo ??= []);
    // Keep the list in sequence order; most arrivals append.
    let i = list.length;
    while (i > 0 && seqDiff(list[i - 1].seq, seq) > 0) i--;
    list.splice(i, 0, seg);
  }

  /** Deliver buffered segments that have become contiguous. */
  private drain(out: StreamConsumer): void {
    const list = this.ooo;
    while (list && list.length > 0 && this.active) {
      const s = list[0];
      const rel = seqDiff(s.seq, this.next);
      if (rel > 0) return;
      list.shift();
      this.oooBytes -= s.data.length;
      this.budget.give(s.data.length);
      if (rel + s.data.length > 0) this.deliver(s.data, -rel, s.data.length + rel, out);
    }
  }

  private skipHole(out: StreamConsumer): void {
    const list = this.ooo;
    if (!list || list.length === 0) return;
    this.gapTo(list[0].seq, out);
    this.drain(out);
  }

  private gapTo(seq: number, out: StreamConsumer): void {
    const missing = seqDiff(seq, this.next);
    if (missing <= 0) return;
    this.gaps++;
    this.gapBytes += missing;
    this.next = seq;
    out.gap(missing);
  }

  private release(): void {
    if (this.ooo) {
      this.budget.give(this.oooBytes);
      this.oooBytes = 0;
      this.ooo = null;
    }
  }
}
