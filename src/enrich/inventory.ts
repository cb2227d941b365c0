import { LruCache } from './x509/cache.js';
import type { X509Details } from './x509/types.js';

export interface InventoryOptions {
  /** Certificates remembered (by SHA-256) to decide "first seen"; beyond this the oldest are forgotten. */
  maxCertificates: number;
  /** A certificate seen again after this many seconds (packet time) is reported again. */
  reemitAfterSec: number;
  /** Server names whose last leaf is remembered for key-rotation checks. */
  maxServerNames: number;
}

export const DEFAULT_INVENTORY_OPTIONS: InventoryOptions = {
  maxCertificates: 100_000,
  reemitAfterSec: 86_400,
  maxServerNames: 100_000,
};

/** The previous leaf of a server name, when the new one reuses its key. */
export interface KeyReuse {
  name: string;
  previousSha256: string;
  previousNotBefore: string;
  spkiSha256: string;
}

interface LeafSeen {
  sha256: string;
  spki: string;
  notBeforeMs: number;
  notBefore: string;
}

/**
 * What the sensor has already reported about certificates, like Zeek's x509.log dedup: a
 * certificate is reported the first time it is seen and again after `reemitAfterSec`, all
 * in packet time so a replay always gives the same answer. It also remembers, per server
 * name, the last leaf presented, to spot a renewal that kept the old key. Memory is bounded
 * by two LRU maps.
 */
export class CertificateInventory {
  private readonly lastReported: LruCache<string, number>;
  private readonly leafByName: LruCache<string, LeafSeen>;
  reported = 0;
  /** Counts changes to the leaves remembered by name (a set, and so any eviction). */
  namesChanged = 0;

  constructor(readonly opts: InventoryOptions = DEFAULT_INVENTORY_OPTIONS) {
    this.lastReported = new LruCache(opts.maxCertificates);
    this.leafByName = new LruCache(opts.maxServerNames);
  }

  /** When this certificate was last reported (packet time), without marking it used. */
  lastReportedAt(sha256: string): number | undefined {
    return this.lastReported.peek(sha256);
  }

  /** Whether to report this certificate now; records the report if so. */
  shouldReport(sha256: string, atMs: number): boolean {
    const last = this.lastReported.get(sha256);
    if (last !== undefined && atMs - last < this.opts.reemitAfterSec * 1000 && atMs >= last) return false;
    this.lastReported.set(sha256, atMs);
    this.reported++;
    return true;
  }

  /** The SHA-256 of the leaf remembered for `name`, without marking it used. */
  leafOf(name: string): string | undefined {
    return this.leafByName.peek(name)?.sha256;
  }

  /**
   * Note the server leaf presented for `name`. Returns the earlier leaf when this one is a
   * different, newer certificate with the same public key (a renewal without key rotation).
   */
  noteServerLeaf(name: string, leaf: X509Details): KeyReuse | undefined {
    const prev = this.leafByName.get(name);
    if (prev?.sha256 === leaf.sha256) return undefined;
    // Keep the newest certificate per name, so an old one seen late does not reset the record.
    if (prev === undefined || leaf.not_before_ms >= prev.notBeforeMs) {
      this.namesChanged++;
      this.leafByName.set(name, { sha256: leaf.sha256, spki: leaf.spki_sha256, notBeforeMs: leaf.not_before_ms, notBefore: leaf.not_before });
    }
    if (prev === undefined || prev.spki !== leaf.spki_sha256 || leaf.not_before_ms <= prev.notBeforeMs) return undefined;
    return { name, previousSha256: prev.sha256, previousNotBefore: prev.notBefore, spkiSha256: leaf.spki_sha256 };
  }
}
