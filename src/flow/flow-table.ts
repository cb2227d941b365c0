import type { DecodedPacket } from '../../parsers/packet/types.js';
import { Flow } from './flow.js';

export interface FlowLimits {
  maxFlows: number;
  /** Idle timeout of open flows, seconds of packet time. */
  idleTimeout: number;
  /** How long a flow stays after FIN/RST, for late retransmissions. */
  closedTimeout: number;
  /** Idle timeout of UDP flows. */
  udpTimeout: number;
}

export type EvictReason = 'idle' | 'closed' | 'capacity' | 'end';

/** Seconds of packet time a flow may go without being moved to its list's tail (see touch). */
const TOUCH_GRANULE = 0.1;

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return h ^ (h >>> 15);
}

function hash6(h: number, a: Uint8Array): number {
  for (let i = 0; i < 16; i += 4) h = mix(h, (a[i] << 24) | (a[i + 1] << 16) | (a[i + 2] << 8) | a[i + 3]);
  return h;
}

/** -1, 0, 1 comparing two IPv6 addresses. */
function cmp6(x: Uint8Array, y: Uint8Array): number {
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

function eq6(x: Uint8Array | null, y: Uint8Array): boolean {
  if (!x) return false;
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Bidirectional flows under numeric keys: a symmetric 32-bit hash of the 5-tuple picks a
 * bucket, and a short chain compares the real endpoints. Flows sit on two LRU lists (open,
 * closing) ordered by last packet, so expiry on packet time only ever looks at list heads.
 */
export class FlowTable {
  private readonly buckets = new Map<number, Flow>();
  private readonly heads: [Flow | null, Flow | null] = [null, null];
  private readonly tails: [Flow | null, Flow | null] = [null, null];
  size = 0;
  created = 0;
  evicted = { idle: 0, closed: 0, capacity: 0, end: 0 };
  /** Direction of the packet last looked up: 0 = A → B. */
  lastDir: 0 | 1 = 0;
  private lastFlow: Flow | null = null;

  constructor(
    private readonly limits: FlowLimits,
    private readonly onRemove: (flow: Flow, reason: EvictReason) => void,
  ) {}

  /** Find or create the flow of a decoded packet; sets `lastDir`. Allocates only for a new flow. */
  lookup(p: DecodedPacket, tsSec: number, tsNsec: number, now: number): Flow {
    const v6 = p.ipVersion === 6;
    // Bulk traffic comes in runs of one flow: try the last flow before hashing.
    const last = this.lastFlow;
    if (last !== null && !v6 && last.ipVersion === 4 && last.protocol === p.protocol) {
      if (last.a4 === p.src4 && last.b4 === p.dst4 && last.aPort === p.srcPort && last.bPort === p.dstPort) {
        this.lastDir = 0;
        return this.touch(last, now);
      }
      if (last.a4 === p.dst4 && last.b4 === p.src4 && last.aPort === p.dstPort && last.bPort === p.srcPort) {
        this.lastDir = 1;
        return this.touch(last, now);
      }
    }
    let key: number;
    if (v6) {
      const c = cmp6(p.src6, p.dst6);
      const srcLow = c < 0 || (c === 0 && p.srcPort <= p.dstPort);
      key = srcLow
        ? mix(hash6(hash6(p.protocol, p.src6), p.dst6), (p.srcPort << 16) | p.dstPort)
        : mix(hash6(hash6(p.protocol, p.dst6), p.src6), (p.dstPort << 16) | p.srcPort);
    } else {
      const srcLow = p.src4 < p.dst4 || (p.src4 === p.dst4 && p.srcPort <= p.dstPort);
      key = srcLow
        ? mix(mix(mix(p.protocol, p.src4), p.dst4), (p.srcPort << 16) | p.dstPort)
        : mix(mix(mix(p.protocol, p.dst4), p.src4), (p.dstPort << 16) | p.srcPort);
    }
    // 30 bits: small-integer keys keep the Map on its fast path (larger numbers are boxed).
    key &= 0x3fffffff;
    for (let f = this.buckets.get(key) ?? null; f !== null; f = f.bucketNext) {
      if (f.protocol !== p.protocol || f.ipVersion !== (v6 ? 6 : 4)) continue;
      if (v6) {
        if (f.aPort === p.srcPort && f.bPort === p.dstPort && eq6(f.a6, p.src6) && eq6(f.b6, p.dst6)) this.lastDir = 0;
        else if (f.aPort === p.dstPort && f.bPort === p.srcPort && eq6(f.a6, p.dst6) && eq6(f.b6, p.src6)) this.lastDir = 1;
        else continue;
      } else {
        if (f.a4 === p.src4 && f.b4 === p.dst4 && f.aPort === p.srcPort && f.bPort === p.dstPort) this.lastDir = 0;
        else if (f.a4 === p.dst4 && f.b4 === p.src4 && f.aPort === p.dstPort && f.bPort === p.srcPort) this.lastDir = 1;
        else continue;
      }
      this.lastFlow = f;
      return this.touch(f, now);
    }
    if (this.size >= this.limits.maxFlows) this.evictOldest();
    const f = new Flow();
    f.key = key;
    f.ipVersion = v6 ? 6 : 4;
    f.protocol = p.protocol;
    if (v6) {
      f.a6 = p.src6.slice();
      f.b6 = p.dst6.slice();
    } else {
      f.a4 = p.src4;
      f.b4 = p.dst4;
    }
    f.aPort = p.srcPort;
    f.bPort = p.dstPort;
    f.vlan = p.vlan;
    f.tunnelDepth = p.tunnelDepth;
    f.firstSec = tsSec;
    f.firstNsec = tsNsec;
    f.last = now;
    f.bucketNext = this.buckets.get(key) ?? null;
    this.buckets.set(key, f);
    this.append(f, 0);
    this.size++;
    this.created++;
    this.lastDir = 0;
    this.lastFlow = f;
    return f;
  }

  private touch(f: Flow, now: number): Flow {
    f.last = now;
    // Moved to the list's tail at most once per TOUCH_GRANULE: relinking on every packet
    // touches two neighbouring flows (cache misses on a busy table) for an order that only
    // expiry and eviction read. The lists stay sorted by `queued`; see expire().
    if (now - f.queued > TOUCH_GRANULE) this.toTail(f, f.list);
    return f;
  }

  /** Move a flow to the closing list (FIN from both sides, or RST). */
  closing(f: Flow): void {
    if (f.list === 1) return;
    this.unlink(f);
    this.append(f, 1);
  }

  /**
   * Remove flows whose timeouts have passed at packet time `now`. Cheap when nothing expires.
   * Lists are in `queued` order, and a flow's last packet is at most TOUCH_GRANULE after its
   * `queued` time, so stopping at the first live flow leaves none expired by more than that.
   */
  expire(now: number): void {
    let f = this.heads[1];
    while (f !== null && now - f.last > this.limits.closedTimeout) {
      const next = f.lruNext;
      this.remove(f, 'closed');
      f = next;
    }
    f = this.heads[0];
    while (f !== null) {
      const timeout = f.protocol === 17 ? this.limits.udpTimeout : this.limits.idleTimeout;
      // UDP and TCP share the list; a UDP flow past its shorter timeout may sit behind a fresher
      // TCP one for a while, which only delays its removal.
      if (now - f.last <= timeout) break;
      const next = f.lruNext;
      this.remove(f, 'idle');
      f = next;
    }
  }

  /** Remove every flow (end of input). */
  drain(): void {
    for (const list of [1, 0] as const) {
      while (this.heads[list] !== null) this.remove(this.heads[list]!, 'end');
    }
  }

  private evictOldest(): void {
    const f = this.heads[1] ?? this.heads[0];
    if (f) this.remove(f, 'capacity');
  }

  /** Remove one flow now (a new connection reuses its ports). */
  remove(f: Flow, reason: EvictReason): void {
    if (this.lastFlow === f) this.lastFlow = null;
    this.unlink(f);
    // unchain from the bucket
    const head = this.buckets.get(f.key) ?? null;
    if (head === f) {
      if (f.bucketNext) this.buckets.set(f.key, f.bucketNext);
      else this.buckets.delete(f.key);
    } else {
      for (let g = head; g !== null; g = g.bucketNext) {
        if (g.bucketNext === f) {
          g.bucketNext = f.bucketNext;
          break;
        }
      }
    }
    f.bucketNext = null;
    this.size--;
    this.evicted[reason]++;
    this.onRemove(f, reason);
  }

  private append(f: Flow, list: 0 | 1): void {
    f.list = list;
    f.queued = f.last;
    f.lruPrev = this.tails[list];
    f.lruNext = null;
    if (this.tails[list]) this.tails[list]!.lruNext = f;
    else this.heads[list] = f;
    this.tails[list] = f;
  }

  private unlink(f: Flow): void {
    const l = f.list;
    if (f.lruPrev) f.lruPrev.lruNext = f.lruNext;
    else this.heads[l] = f.lruNext;
    if (f.lruNext) f.lruNext.lruPrev = f.lruPrev;
    else this.tails[l] = f.lruPrev;
    f.lruPrev = f.lruNext = null;
  }

  private toTail(f: Flow, list: 0 | 1): void {
    if (this.tails[list] === f) return;
    this.unlink(f);
    this.append(f, list);
  }
}
