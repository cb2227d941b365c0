import { parseCertificate, sha256Upper } from './parse.js';
import type { CertificateInfo } from './types.js';

/**
 * A bounded map that forgets the least recently used entries first, by the CLOCK
 * approximation of LRU: a hit only marks its entry used; eviction walks entries in insertion
 * order, gives a used one a second chance (cleared, moved to the back) and drops the first
 * unused one. Exact LRU would delete and re-insert the entry on every hit: on a hot cache
 * in the old generation that churns the table and keeps every freshly computed key alive
 * through young collections (measured: scavenges took twice as long on bench handshakes).
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, Slot<V>>();
  evictions = 0;

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`cache size must be a positive integer, got ${maxEntries}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    slot.used = true;
    return slot.value;
  }

  /** Look without marking the entry used. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const slot = this.map.get(key);
    if (slot !== undefined) {
      slot.value = value;
      slot.used = true;
      return;
    }
    if (this.map.size >= this.maxEntries) this.evictOne();
    this.map.set(key, { value, used: false });
  }

  clear(): void {
    this.map.clear();
  }

  private evictOne(): void {
    // Terminates: a second pass finds every second-chance entry unmarked.
    for (;;) {
      const first = this.map.entries().next();
      if (first.done) return;
      const [key, slot] = first.value;
      this.map.delete(key);
      if (!slot.used) {
        this.evictions++;
        return;
      }
      slot.used = false;
      this.map.set(key, slot);
    }
  }
}

interface Slot<V> {
  value: V;
  used: boolean;
}

export interface CertificateCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  size: number;
  maxEntries: number;
}

export const DEFAULT_CERTIFICATE_CACHE_SIZE = 20_000;

/** Certificates looked up by their tail without hashing (see CertificateCache.recent), and the largest kept: 16 MiB at worst. */
const RECENT = 2048;
const RECENT_MAX_DER = 8 * 1024;

interface Recent {
  der: Uint8Array;
  sha256: string;
  /** Absent until the certificate is parsed (the bare engine only hashes). */
  info: CertificateInfo | undefined;
}

/** A number from the last 32 octets and the length, for DERs the index takes; -1 for others. */
function tailKey(der: Uint8Array): number {
  const n = der.length;
  if (n < 64 || n > RECENT_MAX_DER) return -1;
  let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
  for (let i = n - 32; i < n; i++) h = Math.imul(h ^ der[i], 0x01000193);
  return (h ^ (h >>> 15)) & 0x3fffffff; // small integers: the Map's fast path
}

/**
 * Parsed certificates by the SHA-256 of their DER. Certificates repeat constantly on a real
 * network (every connection to a site sends the same chain), so after the first sighting the
 * only per-certificate cost is hashing the DER: the parse (~1 ms with the @peculiar schema decode) leaves
 * the hot path. Entries are plain data and never hold on to the caller's buffer.
 *
 * Parse failures are cached too: garbage that repeats costs no more than a good certificate.
 * Entries are shared and frozen: treat them as read-only.
 */
export class CertificateCache {
  private readonly lru: LruCache<string, CertificateInfo>;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number = DEFAULT_CERTIFICATE_CACHE_SIZE) {
    this.lru = new LruCache(maxEntries);
  }

  /**
   * Certificates seen lately, by a hash of their last 32 octets (the end of the signature: as
   * good as random) and length, each with its DER, which a hit must equal octet for octet: a
   * forged tail or a colliding hash gains nothing (the newer certificate takes the slot). Spares the SHA-256 of the DER on every connection (~2 µs a
   * certificate, measured on bench handshakes). Bounded; cleared when full.
   */
  private readonly recent = new Map<number, Recent>();

  /** The parsed certificate for this DER: from the cache, or parsed now and remembered. */
  get(der: Uint8Array): CertificateInfo {
    const r = this.recentEntry(der);
    if (r?.info !== undefined) {
      this.hits++;
      this.lru.get(r.info.sha256); // still in use, for the LRU's sake
      return r.info;
    }
    const info = this.bySha(der, r?.sha256 ?? sha256Upper(der));
    if (r !== undefined) r.info = info;
    else this.remember(der, info.sha256, info);
    return info;
  }

  /** The SHA-256 of a DER (upper-case hex) without parsing it: what the bare replay engine reports. */
  sha256Of(der: Uint8Array): string {
    const r = this.recentEntry(der);
    if (r !== undefined) return r.sha256;
    const sha256 = sha256Upper(der);
    this.remember(der, sha256, undefined);
    return sha256;
  }

  private recentEntry(der: Uint8Array): Recent | undefined {
    const tail = tailKey(der);
    if (tail < 0) return undefined;
    const r = this.recent.get(tail);
    return r !== undefined && Buffer.compare(r.der, der) === 0 ? r : undefined;
  }

  private remember(der: Uint8Array, sha256: string, info: CertificateInfo | undefined): void {
    const tail = tailKey(der);
    if (tail < 0) return;
    if (this.recent.size >= RECENT) this.recent.clear();
    this.recent.set(tail, { der: Uint8Array.from(der), sha256, info });
  }

  private bySha(der: Uint8Array, sha256: string): CertificateInfo {
    const cached = this.lru.get(sha256);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;
    // Shared by every connection that sends this certificate: frozen, so no consumer can
    // change what the next one reads.
    const info = deepFreeze(parseCertificate(der, sha256));
    this.lru.set(sha256, info);
    return info;
  }

  /** A chain as sent (leaf first), each certificate through the cache. */
  getChain(ders: readonly Uint8Array[]): CertificateInfo[] {
    return ders.map((d) => this.get(d));
  }

  /** Look up by fingerprint only (upper-case hex), without parsing anything. */
  bySha256(sha256: string): CertificateInfo | undefined {
    return this.lru.peek(sha256);
  }

  get stats(): CertificateCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.lru.evictions, size: this.lru.size, maxEntries: this.lru.maxEntries };
  }
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
