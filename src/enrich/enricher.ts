import { markShared } from '../util/shared-json.js';
import type { TlsConnection } from '../tls/connection.js';
import type { Finding } from './finding-catalog.js';
import { findingsOf } from './findings.js';
import { CertificateInventory, DEFAULT_INVENTORY_OPTIONS, type InventoryOptions, type KeyReuse } from './inventory.js';
import { mtlsOf, type MtlsVerdict } from './mtls.js';
import { DEFAULT_POLICY, type Policy, type PolicySubject } from './policy.js';
import { CertificateCache, DEFAULT_CERTIFICATE_CACHE_SIZE, LruCache } from './x509/cache.js';
import { toCertificateEntry, toEcsX509 } from './x509/ecs.js';
import { matchesHostname } from './x509/hostname.js';
import { isParsed, type CertificateInfo, type X509Details } from './x509/types.js';
import { ChainValidator, TrustStore, type ValidationResult } from './x509/validate.js';

export interface EnrichOptions {
  /** Extra trust anchors (PEM bundles) besides Node's bundled roots. */
  caFiles: string[];
  /** Leave Node's bundled roots out of the trust store (only `caFiles` are trusted). */
  noSystemRoots: boolean;
  policy: Policy;
  certificateCacheSize: number;
  inventory: InventoryOptions;
  /** false: the bare replay engine (certificates by hash only, no validation, no findings, no inventory). */
  enabled: boolean;
}

export const DEFAULT_ENRICH_OPTIONS: EnrichOptions = {
  caFiles: [],
  noSystemRoots: false,
  policy: DEFAULT_POLICY,
  certificateCacheSize: DEFAULT_CERTIFICATE_CACHE_SIZE,
  inventory: DEFAULT_INVENTORY_OPTIONS,
  enabled: true,
};

/** A certificate as the events show it, rendered once and shared by every event that carries it. */
export interface CertificateView {
  info: CertificateInfo;
  /** `tlsscope.*.certificates[]` entry. */
  entry: Readonly<Record<string, unknown>>;
  /** ECS `x509` object. */
  ecs: Readonly<Record<string, unknown>>;
  /** ECS `tls.*.hash` object. */
  hash: Readonly<{ sha256: string }>;
  /** ECS `tls.*.subject`, `issuer`, `not_before`, `not_after` of a leaf: the x509 object's strings. */
  peer: Readonly<{ subject?: string; issuer?: string; not_before?: string; not_after?: string }>;
}

/** A view of a certificate: built once per distinct certificate, frozen, shared by every event that carries it (and its JSON made once: event-json.ts). */
export function certificateView(info: CertificateInfo, entry: Record<string, unknown>, ecs: Record<string, unknown>): CertificateView {
  const subject = ecs.subject as { distinguished_name?: string } | undefined;
  const issuer = ecs.issuer as { distinguished_name?: string } | undefined;
  const peer = subject
    ? { subject: subject.distinguished_name, issuer: issuer?.distinguished_name, not_before: ecs.not_before as string | undefined, not_after: ecs.not_after as string | undefined }
    : {};
  return {
    info,
    entry: markShared(Object.freeze(entry)),
    ecs: markShared(Object.freeze(ecs)),
    hash: markShared(Object.freeze({ sha256: info.sha256 })),
    peer: Object.freeze(peer),
  };
}

/** Why a handshake event carries no server certificate. */
export type CertificatesUnseen = 'tls13_encrypted' | 'resumed' | 'anonymous' | 'not_seen';

/** Everything the enrich step adds to one connection's event. */
export interface Enrichment {
  server: readonly CertificateView[];
  client: readonly CertificateView[];
  /** The `certificates[]` entries of each chain: one shared list per distinct chain when enriched. */
  serverEntries: readonly Readonly<Record<string, unknown>>[];
  clientEntries: readonly Readonly<Record<string, unknown>>[];
  serverValidation?: ValidationResult;
  clientValidation?: ValidationResult;
  hostnameMatches?: boolean;
  certificatesUnseen?: CertificatesUnseen;
  mtls: MtlsVerdict;
  findings: Finding[];
  /** Certificates to report in the inventory (first sighting, or due again), with where they were seen. */
  newCertificates: { view: CertificateView; side: 'server' | 'client'; position: number }[];
  keyReuse?: KeyReuse;
}

/** Where a connection went, as the policy and the key-rotation check see it. */
export interface Endpoint {
  serverIp: string;
  serverPort: number;
  sni?: string;
  /** Packet time of the handshake, epoch milliseconds. */
  atMs: number;
}

/** Validation outcomes by exact chain, for as long as no presented certificate's validity changes: [fromMs, toMs). */
interface CachedValidation {
  result: ValidationResult;
  fromMs: number;
  toMs: number;
}

/**
 * What one presented chain (these certificates, in this order, for this purpose) comes to,
 * shared by every connection that presents it: the views, the events' certificate list, the
 * validation while it holds, and the host-name checks by SNI. A busy server sends the same
 * chain on every connection, so a connection costs one comparison of the chain's octets.
 */
interface ChainVerdict {
  /** The chain's octets as sent (the certificates and their length prefixes), to compare with. */
  octets: Uint8Array;
  purpose: 'server' | 'client';
  ders: readonly Uint8Array[];
  views: readonly CertificateView[];
  infos: readonly CertificateInfo[];
  entries: readonly Readonly<Record<string, unknown>>[];
  validation: CachedValidation | undefined;
  /** Host-name checks of the leaf by SNI (server chains), and the last one asked (most connections repeat it). */
  names: Map<string, boolean>;
  lastName: string | undefined;
  lastNameOk: boolean;
  /**
   * While the inventory has reported nothing since `inventoryStamp`, and the time is in
   * [reportedFrom, reportedUntil), none of the chain's certificates is due: no lookups.
   */
  inventoryStamp: number;
  reportedFrom: number;
  reportedUntil: number;
  /** The server name this chain's leaf was last noted under, while the inventory's names have not changed since `notedStamp`. */
  notedName: string | undefined;
  notedStamp: number;
}

/** Chains remembered, and the largest kept: 32 MiB of octets at worst; cleared when full. */
const CHAINS = 2048;
const CHAIN_MAX_OCTETS = 16 * 1024;
/** SNIs remembered per chain (a wildcard certificate may meet many); cleared when full. */
const NAMES_PER_CHAIN = 256;

const NO_VIEWS: readonly CertificateView[] = Object.freeze([]);
const NO_ENTRIES: readonly Readonly<Record<string, unknown>>[] = markShared(Object.freeze([]));

/**
 * The octets of a chain as one view, when its certificates lie one after another in one buffer
 * with a 3-octet length before each (how a TLS ≤ 1.2 Certificate message is parsed: one copy,
 * every certificate a view of it); undefined otherwise.
 */
function chainOctets(ders: readonly Uint8Array[]): Uint8Array | undefined {
  const first = ders[0];
  let end = first.byteOffset + first.length;
  for (let i = 1; i < ders.length; i++) {
    const d = ders[i];
    if (d.buffer !== first.buffer || d.byteOffset !== end + 3) return undefined;
    end = d.byteOffset + d.length;
  }
  const start = first.byteOffset - 3;
  if (start < 0 || end - start > CHAIN_MAX_OCTETS) return undefined;
  return new Uint8Array(first.buffer, start, end - start);
}

/** A number from the chain's length, its purpose and its leaf's last 32 octets (the end of a signature: as good as random). */
function chainKey(octets: Uint8Array, leaf: Uint8Array, purpose: 'server' | 'client'): number {
  let h = Math.imul(0x811c9dc5 ^ octets.length ^ (purpose === 'server' ? 0 : 0x40000000), 0x01000193);
  const n = leaf.length;
  for (let i = Math.max(0, n - 32); i < n; i++) h = Math.imul(h ^ leaf[i], 0x01000193);
  return (h ^ (h >>> 15)) & 0x3fffffff; // small integers: the Map's fast path
}

/**
 * The enrich step: certificates (parsed once per distinct DER), chain validation at packet
 * time, host-name check, mTLS verdict, findings and the certificate inventory. It reads the
 * TLS state of a finished connection and knows nothing of packets or sinks.
 */
export class Enricher {
  readonly cache: CertificateCache;
  readonly validator: ChainValidator;
  readonly inventory: CertificateInventory;
  /** A view per parsed certificate, for as long as the certificate is held (by the cache, or a chain). */
  private readonly views = new WeakMap<CertificateInfo, CertificateView>();
  private readonly validations = new LruCache<string, CachedValidation>(20_000);
  private readonly chains = new Map<number, ChainVerdict>();
  validationHits = 0;
  chainHits = 0;
  findingsRaised = 0;

  constructor(private opts: EnrichOptions = DEFAULT_ENRICH_OPTIONS) {
    this.cache = new CertificateCache(opts.certificateCacheSize);
    const store = opts.enabled ? TrustStore.fromFiles(opts.caFiles, { system: !opts.noSystemRoots }) : new TrustStore();
    this.validator = new ChainValidator(store, { cache: this.cache });
    this.inventory = new CertificateInventory(opts.inventory);
  }

  /** Swap in a new policy (SIGHUP): connections reported from now on are judged by it. */
  setPolicy(policy: Policy): void {
    this.opts = { ...this.opts, policy };
  }

  enrich(conn: TlsConnection, where: Endpoint): Enrichment {
    if (!this.opts.enabled) return this.bare(conn);
    const at = where.atMs;
    const sc = conn.serverCertificates !== undefined && conn.serverCertificates.length > 0 ? this.chain(conn.serverCertificates, 'server') : undefined;
    const cc = conn.clientCertificates !== undefined && conn.clientCertificates.length > 0 ? this.chain(conn.clientCertificates, 'client') : undefined;
    const server = sc?.views ?? NO_VIEWS;
    const client = cc?.views ?? NO_VIEWS;

    let newCertificates: Enrichment['newCertificates'] = NO_NEW;
    if (sc !== undefined) newCertificates = this.report(sc, at, newCertificates);
    if (cc !== undefined) newCertificates = this.report(cc, at, newCertificates);

    const serverValidation = sc !== undefined ? this.chainValidation(sc, at) : undefined;
    const clientValidation = cc !== undefined ? this.chainValidation(cc, at) : undefined;
    const leaf = server[0]?.info;
    const hostnameMatches = where.sni !== undefined && leaf !== undefined && isParsed(leaf) ? this.coversName(sc!, leaf, where.sni) : undefined;
    const keyReuse = leaf !== undefined && isParsed(leaf) ? this.noteLeaf(sc!, leaf, where.sni ?? `${where.serverIp}:${where.serverPort}`) : undefined;

    const mtls = mtlsOf(conn);
    const findings = findingsOf({
      conn,
      subject: { serverIp: where.serverIp, serverPort: where.serverPort, sni: where.sni },
      atMs: at,
      serverCertificates: sc?.infos ?? NO_INFOS,
      clientCertificates: cc?.infos ?? NO_INFOS,
      validation: serverValidation,
      hostnameMatches,
      mtls,
      policy: this.opts.policy,
      keyReuse,
    });
    this.findingsRaised += findings.length;
    return {
      server,
      client,
      serverEntries: sc?.entries ?? NO_ENTRIES,
      clientEntries: cc?.entries ?? NO_ENTRIES,
      serverValidation,
      clientValidation,
      hostnameMatches,
      certificatesUnseen: server.length > 0 ? undefined : unseenReason(conn),
      mtls,
      findings,
      newCertificates,
      keyReuse,
    };
  }

  /** The replay engine alone: certificate hashes (by chain, as in `enrich`), the mTLS verdict, nothing else. */
  private bare(conn: TlsConnection): Enrichment {
    const sc = conn.serverCertificates !== undefined && conn.serverCertificates.length > 0 ? this.chain(conn.serverCertificates, 'server') : undefined;
    const cc = conn.clientCertificates !== undefined && conn.clientCertificates.length > 0 ? this.chain(conn.clientCertificates, 'client') : undefined;
    const server = sc?.views ?? NO_VIEWS;
    return {
      server,
      client: cc?.views ?? NO_VIEWS,
      serverEntries: sc?.entries ?? NO_ENTRIES,
      clientEntries: cc?.entries ?? NO_ENTRIES,
      certificatesUnseen: server.length > 0 ? undefined : unseenReason(conn),
      mtls: mtlsOf(conn),
      findings: NO_FINDINGS,
      newCertificates: NO_NEW,
    };
  }

  /** A certificate as the bare engine shows it: its hash only. Shared like a parsed one's view. */
  private hashView(der: Uint8Array): CertificateView {
    const sha256 = this.cache.sha256Of(der);
    const info = { sha256, der_length: der.length, parse_error: 'not parsed (--no-enrich)' };
    return certificateView(info, { sha256 }, {});
  }

  /** The verdict of a chain as presented: remembered by its octets, or made now. */
  private chain(ders: readonly Uint8Array[], purpose: 'server' | 'client'): ChainVerdict {
    const octets = chainOctets(ders);
    if (octets === undefined) return this.newChain(ders, purpose, undefined);
    const key = chainKey(octets, ders[0], purpose);
    const known = this.chains.get(key);
    if (known !== undefined && known.purpose === purpose && Buffer.compare(known.octets, octets) === 0) {
      this.chainHits++;
      // Its certificates were served from memory as surely as by the cache: counted as its hits.
      this.cache.hits += known.views.length;
      return known;
    }
    const made = this.newChain(ders, purpose, Uint8Array.from(octets));
    if (this.chains.size >= CHAINS) this.chains.clear();
    this.chains.set(key, made);
    return made;
  }

  private newChain(ders: readonly Uint8Array[], purpose: 'server' | 'client', octets: Uint8Array | undefined): ChainVerdict {
    const views = Object.freeze(ders.map((d) => (this.opts.enabled ? this.view(d) : this.hashView(d))));
    return {
      octets: octets ?? new Uint8Array(0),
      purpose,
      // kept only with the octets they are views of (the verdict's own copy), for validating again
      ders: octets ? viewsOf(octets, ders) : ders.map((d) => Uint8Array.from(d)),
      views,
      infos: Object.freeze(views.map((v) => v.info)),
      entries: markShared(Object.freeze(views.map((v) => v.entry))),
      validation: undefined,
      names: new Map(),
      lastName: undefined,
      lastNameOk: false,
      inventoryStamp: -1,
      reportedFrom: 0,
      reportedUntil: 0,
      notedName: undefined,
      notedStamp: -1,
    };
  }

  /**
   * The chain's certificates the inventory reports now (first sighting, or due again), added
   * to `found`. Exactly what asking the inventory for each would give, without asking while
   * the chain's window says none can be due.
   */
  private report(c: ChainVerdict, at: number, found: Enrichment['newCertificates']): Enrichment['newCertificates'] {
    const inv = this.inventory;
    if (inv.reported === c.inventoryStamp && at >= c.reportedFrom && at < c.reportedUntil) return found;
    const views = c.views;
    for (let i = 0; i < views.length; i++) {
      if (inv.shouldReport(views[i].info.sha256, at)) (found === NO_NEW ? (found = []) : found).push({ view: views[i], side: c.purpose, position: i });
    }
    // Each was reported at or before `at` now (or is still within its interval): none is due
    // before the earliest last report plus the interval, nor answers differently before the latest.
    let from = -Infinity;
    let until = Infinity;
    for (let i = 0; i < views.length; i++) {
      const last = inv.lastReportedAt(views[i].info.sha256);
      if (last === undefined) return found; // not kept (a bounded inventory): ask again next time
      from = Math.max(from, last);
      until = Math.min(until, last + inv.opts.reemitAfterSec * 1000);
    }
    c.inventoryStamp = inv.reported;
    c.reportedFrom = from;
    c.reportedUntil = until;
    return found;
  }

  /**
   * Note the leaf under its server name for the key-rotation check. Skipped, exactly, while the
   * name still holds this very leaf: nothing changed in the inventory's names since it was
   * seen holding it, so the note would find the same leaf and change nothing.
   */
  private noteLeaf(c: ChainVerdict, leaf: X509Details, name: string): KeyReuse | undefined {
    const inv = this.inventory;
    if (name === c.notedName && inv.namesChanged === c.notedStamp) return undefined;
    const reuse = inv.noteServerLeaf(name, leaf);
    if (inv.leafOf(name) === leaf.sha256) {
      c.notedName = name;
      c.notedStamp = inv.namesChanged;
    }
    return reuse;
  }

  /** The chain's validation at packet time: the verdict's while the time stays in its window. */
  private chainValidation(c: ChainVerdict, atMs: number): ValidationResult {
    const v = c.validation;
    if (v !== undefined && atMs >= v.fromMs && atMs < v.toMs) {
      this.validationHits++;
      return v.result;
    }
    const result = this.validate(c.ders, c.views, atMs, c.purpose);
    c.validation = this.validations.peek(validationKey(c.purpose, c.views));
    return result;
  }

  private coversName(c: ChainVerdict, leaf: CertificateInfo, name: string): boolean {
    if (name === c.lastName) return c.lastNameOk;
    let ok = c.names.get(name);
    if (ok === undefined) {
      ok = matchesHostname(name, leaf);
      if (c.names.size >= NAMES_PER_CHAIN) c.names.clear();
      c.names.set(name, ok);
    }
    c.lastName = name;
    c.lastNameOk = ok;
    return ok;
  }

  view(der: Uint8Array): CertificateView {
    const info = this.cache.get(der);
    let v = this.views.get(info);
    if (v === undefined) {
      v = certificateView(info, toCertificateEntry(info), toEcsX509(info));
      this.views.set(info, v);
    }
    return v;
  }

  /**
   * Validate a chain at packet time. The outcome for an exact chain (every certificate
   * presented, in order) is reused while the time stays between the same validity boundaries
   * of the presented certificates (each one's notBefore and the instant after its notAfter):
   * there no time check can change, and nothing else the validator reads depends on other
   * connections. An expired chain is cached too, from its expiry on.
   */
  validate(ders: readonly Uint8Array[], views: readonly CertificateView[], atMs: number, purpose: 'server' | 'client'): ValidationResult {
    const key = validationKey(purpose, views);
    let fromMs = -Infinity;
    let toMs = Infinity;
    for (const v of views) {
      if (isParsed(v.info)) {
        const nb = v.info.not_before_ms;
        const na = v.info.not_after_ms + 1; // the first instant it is expired
        if (nb <= atMs) fromMs = Math.max(fromMs, nb);
        else toMs = Math.min(toMs, nb);
        if (na <= atMs) fromMs = Math.max(fromMs, na);
        else toMs = Math.min(toMs, na);
      }
    }
    const hit = this.validations.get(key);
    if (hit !== undefined && atMs >= hit.fromMs && atMs < hit.toMs) {
      this.validationHits++;
      return hit.result;
    }
    const result = this.validator.validate(ders, new Date(atMs), { purpose });
    this.validations.set(key, { result, fromMs, toMs });
    return result;
  }
}

const NO_NEW: Enrichment['newCertificates'] = Object.freeze([]) as unknown as Enrichment['newCertificates'];
const NO_INFOS: readonly CertificateInfo[] = Object.freeze([]);
const NO_FINDINGS: Finding[] = Object.freeze([]) as unknown as Finding[];

function validationKey(purpose: string, views: readonly CertificateView[]): string {
  let key = purpose;
  for (const v of views) key += v.info.sha256;
  return key;
}

/** The certificates as views of the chain's own copy of its octets (same layout as `ders`). */
function viewsOf(octets: Uint8Array, ders: readonly Uint8Array[]): Uint8Array[] {
  const base = ders[0].byteOffset - 3;
  return ders.map((d) => octets.subarray(d.byteOffset - base, d.byteOffset - base + d.length));
}

function unseenReason(conn: TlsConnection): CertificatesUnseen {
  if (conn.tls13) return conn.resumed ? 'resumed' : 'tls13_encrypted';
  if (conn.resumed) return 'resumed';
  // The server flight ended (ServerHelloDone) without a Certificate: anonymous or PSK key exchange.
  if (conn.serverHello && conn.history.includes('n') && conn.serverCertificates === undefined) return 'anonymous';
  return 'not_seen';
}
