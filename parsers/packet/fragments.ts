import { copyBytes } from '../bytes.js';
import { R_FRAGMENT_DROPPED, R_FRAGMENT_PENDING, R_OK } from './walk.js';

/**
 * IPv4 and IPv6 fragment reassembly, bounded in every dimension and driven by packet time.
 *
 * Overlap policy: a fragment that repeats an already-held fragment exactly (same offset and
 * length) is ignored as a retransmission (first copy wins); any other overlap drops the whole
 * datagram. Overlapping fragments are how IDS evasion works (the receiver and the sensor
 * would pick different bytes), and RFC 5722 requires the same for IPv6.
 */

export interface FragmentLimits {
  /** Datagrams in progress at once (the oldest is dropped to make room). */
  maxDatagrams: number;
  /** Fragment payload bytes held in total (the oldest datagrams are dropped to make room). */
  maxBytes: number;
  /** Largest reassembled IP payload, in bytes. */
  maxDatagramSize: number;
  /** Seconds of packet time from a datagram's first fragment until it is given up. */
  timeoutSec: number;
  /** Fragments one datagram may consist of (bounds the per-fragment work). */
  maxFragmentsPerDatagram: number;
}

export const DEFAULT_FRAGMENT_LIMITS: Readonly<FragmentLimits> = {
  maxDatagrams: 4096,
  maxBytes: 32 << 20,
  maxDatagramSize: 65535,
  timeoutSec: 30,
  maxFragmentsPerDatagram: 256,
};

export interface FragmentStats {
  /** Fragments handed to reassembly. */
  received: number;
  /** Fragments accepted into a datagram in progress. */
  stored: number;
  /** Exact repeats of a held fragment, ignored. */
  duplicates: number;
  /** Datagrams completed. */
  reassembled: number;
  /** Fragments that went into completed datagrams. */
  fragmentsReassembled: number;
  /** Fragments thrown away for any reason, including the ones held by dropped datagrams. */
  fragmentsDropped: number;
  /** Datagrams given up for any reason. */
  datagramsDropped: number;
  // why (one count per dropped datagram, or per rejected fragment when no datagram went with it)
  timeouts: number;
  overlaps: number;
  /** Dropped to stay under maxDatagrams. */
  limitDatagrams: number;
  /** Dropped to stay under maxBytes. */
  limitBytes: number;
  /** Would reassemble to more than maxDatagramSize. */
  tooBig: number;
  tooManyFragments: number;
  /** Inconsistent fragment: empty, non-final length not a multiple of 8, beyond the known end... */
  malformed: number;
  /** The capture cut the fragment short, so its bytes cannot be trusted for reassembly. */
  snapped: number;
  // gauges
  /** Datagrams in progress now. */
  inProgress: number;
  /** Fragment payload bytes held now. */
  bytesHeld: number;
}

type DropReason = 'timeouts' | 'overlaps' | 'limitDatagrams' | 'limitBytes' | 'tooBig' | 'tooManyFragments' | 'malformed';

/** One datagram in progress. Fragments are kept sorted by offset and never overlap. */
class Pending {
  hash = 0;
  v6 = false;
  src4 = 0;
  dst4 = 0;
  src6: Uint8Array | null = null;
  dst6: Uint8Array | null = null;
  id = 0;
  /** IPv4: part of the key. IPv6: next header from the offset-0 fragment (-1 until seen). */
  proto = -1;
  firstSeen = 0;
  offs: number[] = [];
  parts: Uint8Array[] = [];
  /** Sum of fragment lengths (equals the covered bytes, since nothing overlaps). */
  bytes = 0;
  /** Payload length, known once the last fragment (MF = 0) arrived; -1 before. */
  total = -1;
  bucketNext: Pending | null = null;
  older: Pending | null = null;
  newer: Pending | null = null;
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return h ^ (h >>> 16);
}

function hash16(h: number, a: Uint8Array): number {
  for (let i = 0; i < 16; i += 4) h = mix(h, (a[i] << 24) | (a[i + 1] << 16) | (a[i + 2] << 8) | a[i + 3]);
  return h;
}

function eq16(a: Uint8Array | null, b: Uint8Array): boolean {
  if (a === null) return false;
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sanitize(v: number | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined || !Number.isFinite(v)) return dflt;
  return Math.min(max, Math.max(min, Math.floor(v)));
}

export class FragmentTable {
  readonly limits: Readonly<FragmentLimits>;
  readonly stats: FragmentStats = {
    received: 0,
    stored: 0,
    duplicates: 0,
    reassembled: 0,
    fragmentsReassembled: 0,
    fragmentsDropped: 0,
    datagramsDropped: 0,
    timeouts: 0,
    overlaps: 0,
    limitDatagrams: 0,
    limitBytes: 0,
    tooBig: 0,
    tooManyFragments: 0,
    malformed: 0,
    snapped: 0,
    inProgress: 0,
    bytesHeld: 0,
  };
  /** The last reassembled payload is output[0, outputLength); the next completion overwrites it. */
  output: Uint8Array = new Uint8Array(0);
  outputLength = 0;
  /** Upper-layer protocol of the last completed datagram. */
  outputProto = 0;

  // hash → chain of datagrams; numeric keys keep the Map fast, the chain compares the real key
  private readonly buckets = new Map<number, Pending>();
  // age list, oldest first: firstSeen is taken from the monotonic clock, so it is sorted
  private oldest: Pending | null = null;
  private newest: Pending | null = null;
  /** Packet-time clock: the latest tsSec seen (captures are not always in time order). */
  private now = 0;

  constructor(limits?: Partial<FragmentLimits>) {
    const d = DEFAULT_FRAGMENT_LIMITS;
    this.limits = {
      maxDatagrams: sanitize(limits?.maxDatagrams, d.maxDatagrams, 0, 1 << 24),
      maxBytes: sanitize(limits?.maxBytes, d.maxBytes, 0, 2 ** 40),
      maxDatagramSize: sanitize(limits?.maxDatagramSize, d.maxDatagramSize, 8, 1 << 20),
      timeoutSec: limits?.timeoutSec !== undefined && limits.timeoutSec >= 0 ? limits.timeoutSec : d.timeoutSec,
      maxFragmentsPerDatagram: sanitize(limits?.maxFragmentsPerDatagram, d.maxFragmentsPerDatagram, 1, 1 << 16),
    };
  }

  /** Move the packet clock to tsSec (never backwards) and give up datagrams older than the timeout. */
  advance(tsSec: number): void {
    if (tsSec > this.now) this.now = tsSec;
    const limit = this.now - this.limits.timeoutSec;
    while (this.oldest !== null && this.oldest.firstSeen < limit) this.drop(this.oldest, 'timeouts', 0);
  }

  /** Count a fragment the IP layer could not hand over because the capture cut it short. */
  rejectSnapped(): void {
    this.stats.received++;
    this.stats.fragmentsDropped++;
    this.stats.snapped++;
  }

  /** Drop everything held (counted as timeouts: end of input is the end of time). */
  clear(): void {
    while (this.oldest !== null) this.drop(this.oldest, 'timeouts', 0);
  }

  /**
   * An IPv4 fragment: `len` payload bytes of buf at `off`, at byte offset `fragOff` of the
   * datagram; `more` is the MF flag. Returns R_OK when the datagram is now complete (in
   * `output`), R_FRAGMENT_PENDING, or R_FRAGMENT_DROPPED.
   */
  addV4(src: number, dst: number, id: number, proto: number, fragOff: number, more: boolean, buf: Uint8Array, off: number, len: number): number {
    const hash = mix(mix(mix(mix(4, src), dst), id), proto);
    let p = this.buckets.get(hash) ?? null;
    while (p !== null && (p.v6 || p.src4 !== src || p.dst4 !== dst || p.id !== id || p.proto !== proto)) p = p.bucketNext;
    if (p === null) {
      if (!this.acceptable(fragOff, more, len)) return R_FRAGMENT_DROPPED;
      p = this.create(hash);
      if (p === null) return R_FRAGMENT_DROPPED;
      p.src4 = src;
      p.dst4 = dst;
      p.id = id;
      p.proto = proto;
    }
    return this.add(p, fragOff, more, buf, off, len, -1);
  }

  /**
   * An IPv6 fragment (RFC 8200 keys reassembly on source, destination and identification;
   * `nextHeader` of the offset-0 fragment becomes outputProto). Same contract as addV4.
   */
  addV6(src: Uint8Array, dst: Uint8Array, id: number, nextHeader: number, fragOff: number, more: boolean, buf: Uint8Array, off: number, len: number): number {
    const hash = mix(hash16(hash16(6, src), dst), id);
    let p = this.buckets.get(hash) ?? null;
    while (p !== null && (!p.v6 || p.id !== id || !eq16(p.src6, src) || !eq16(p.dst6, dst))) p = p.bucketNext;
    if (p === null) {
      if (!this.acceptable(fragOff, more, len)) return R_FRAGMENT_DROPPED;
      p = this.create(hash);
      if (p === null) return R_FRAGMENT_DROPPED;
      p.v6 = true;
      p.src6 = copyBytes(src, 0, 16);
      p.dst6 = copyBytes(dst, 0, 16);
      p.id = id;
    }
    return this.add(p, fragOff, more, buf, off, len, nextHeader);
  }

  /** Checks that need no datagram; a failing fragment is dropped on its own. */
  private acceptable(fragOff: number, more: boolean, len: number): boolean {
    const st = this.stats;
    if (len <= 0 || (more && (len & 7) !== 0)) {
      st.received++;
      st.fragmentsDropped++;
      st.malformed++;
      return false;
    }
    if (fragOff + len > this.limits.maxDatagramSize) {
      st.received++;
      st.fragmentsDropped++;
      st.tooBig++;
      return false;
    }
    return true;
  }

  private create(hash: number): Pending | null {
    const lim = this.limits;
    while (this.stats.inProgress >= lim.maxDatagrams && this.oldest !== null) this.drop(this.oldest, 'limitDatagrams', 0);
    if (this.stats.inProgress >= lim.maxDatagrams) {
      // maxDatagrams is 0: nothing can be held
      this.stats.received++;
      this.stats.fragmentsDropped++;
      this.stats.limitDatagrams++;
      return null;
    }
    const p = new Pending();
    p.hash = hash;
    p.firstSeen = this.now;
    p.bucketNext = this.buckets.get(hash) ?? null;
    this.buckets.set(hash, p);
    p.older = this.newest;
    if (this.newest !== null) this.newest.newer = p;
    else this.oldest = p;
    this.newest = p;
    this.stats.inProgress++;
    return p;
  }

  private add(p: Pending, fragOff: number, more: boolean, buf: Uint8Array, off: number, len: number, nextHeader: number): number {
    const st = this.stats;
    const lim = this.limits;
    st.received++;
    const fragEnd = fragOff + len;
    // a bogus fragment poisons the datagram it claims to belong to
    if (len <= 0 || (more && (len & 7) !== 0)) return this.drop(p, 'malformed', 1);
    if (fragEnd > lim.maxDatagramSize) return this.drop(p, 'tooBig', 1);

    // insertion point: first held fragment starting after fragOff
    const offs = p.offs;
    const parts = p.parts;
    let i = offs.length;
    while (i > 0 && offs[i - 1] > fragOff) i--;
    if (i > 0) {
      const prevOff = offs[i - 1];
      const prevEnd = prevOff + parts[i - 1].length;
      if (prevOff === fragOff && prevEnd === fragEnd) {
        st.duplicates++;
        return R_FRAGMENT_PENDING;
      }
      if (prevEnd > fragOff) return this.drop(p, 'overlaps', 1);
    }
    if (i < offs.length && fragEnd > offs[i]) return this.drop(p, 'overlaps', 1);

    if (!more) {
      // the last fragment fixes the length; it must agree with everything held
      if (p.total >= 0 && p.total !== fragEnd) return this.drop(p, 'malformed', 1);
      const n = offs.length;
      if (n > 0 && offs[n - 1] + parts[n - 1].length > fragEnd) return this.drop(p, 'malformed', 1);
      p.total = fragEnd;
    } else if (p.total >= 0 && fragEnd > p.total) {
      return this.drop(p, 'malformed', 1);
    }
    if (offs.length >= lim.maxFragmentsPerDatagram) return this.drop(p, 'tooManyFragments', 1);

    // make room from the oldest end; once p itself is the oldest, p is what goes
    while (st.bytesHeld + len > lim.maxBytes && this.oldest !== null && this.oldest !== p) this.drop(this.oldest, 'limitBytes', 0);
    if (st.bytesHeld + len > lim.maxBytes) return this.drop(p, 'limitBytes', 1);

    // copy: the caller's buffer is reused for the next packet
    offs.splice(i, 0, fragOff);
    parts.splice(i, 0, copyBytes(buf, off, off + len));
    p.bytes += len;
    st.bytesHeld += len;
    st.stored++;
    if (fragOff === 0 && nextHeader >= 0) p.proto = nextHeader;

    if (p.total < 0 || p.bytes !== p.total) return R_FRAGMENT_PENDING;
    // no overlaps and nothing past total, so bytes === total means [0, total) is covered
    if (this.output.length < lim.maxDatagramSize) this.output = new Uint8Array(lim.maxDatagramSize);
    const out = this.output;
    for (let k = 0; k < parts.length; k++) out.set(parts[k], offs[k]);
    this.outputLength = p.total;
    this.outputProto = p.proto;
    st.reassembled++;
    st.fragmentsReassembled += parts.length;
    this.remove(p);
    return R_OK;
  }

  /** Give up datagram p; `extra` is 1 when the fragment being added goes with it. */
  private drop(p: Pending, reason: DropReason, extra: number): number {
    const st = this.stats;
    st.fragmentsDropped += p.parts.length + extra;
    st.datagramsDropped++;
    st[reason]++;
    this.remove(p);
    return R_FRAGMENT_DROPPED;
  }

  private remove(p: Pending): void {
    const head = this.buckets.get(p.hash);
    if (head === p) {
      if (p.bucketNext === null) this.buckets.delete(p.hash);
      else this.buckets.set(p.hash, p.bucketNext);
    } else {
      for (let q = head ?? null; q !== null; q = q.bucketNext) {
        if (q.bucketNext === p) {
          q.bucketNext = p.bucketNext;
          break;
        }
      }
    }
    if (p.older !== null) p.older.newer = p.newer;
    else this.oldest = p.newer;
    if (p.newer !== null) p.newer.older = p.older;
    else this.newest = p.older;
    p.older = p.newer = p.bucketNext = null;
    this.stats.inProgress--;
    this.stats.bytesHeld -= p.bytes;
    p.bytes = 0;
    p.offs.length = 0;
    p.parts.length = 0;
  }
}
