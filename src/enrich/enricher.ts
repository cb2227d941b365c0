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
import { isParsed, type CertificateInfo } from './x509/types.js';
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
  server: CertificateView[];
  client: CertificateView[];
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
 * The enrich step: certificates (parsed once per distinct DER), chain validation at packet
 * time, host-name check, mTLS verdict, findings and the certificate inventory. It reads the
 * TLS state of a finished connection and knows nothing of packets or sinks.
 */
export class Enricher {
  readonly cache: CertificateCache;
  readonly validator: ChainValidator;
  readonly inventory: CertificateInventory;
  private readonly views: LruCache<string, CertificateView>;
  private readonly validations = new LruCache<string, CachedValidation>(20_000);
  /** Host-name checks by leaf and name: a pure function of the two, and every connection to a site asks the same one. */
  private readonly nameChecks = new LruCache<string, boolean>(20_000);
  validationHits = 0;
  findingsRaised = 0;

  constructor(private opts: EnrichOptions = DEFAULT_ENRICH_OPTIONS) {
    this.cache = new CertificateCache(opts.certificateCacheSize);
    this.views = new LruCache(opts.certificateCacheSize);
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
    const serverDer = conn.serverCertificates ?? [];
    const clientDer = conn.clientCertificates ?? [];
    const server = serverDer.map((d) => this.view(d));
    const client = clientDer.map((d) => this.view(d));
    const at = where.atMs;

    const newCertificates: Enrichment['newCertificates'] = [];
    for (let i = 0; i < server.length; i++) {
      if (this.inventory.shouldReport(server[i].info.sha256, at)) newCertificates.push({ view: server[i], side: 'server', position: i });
    }
    for (let i = 0; i < client.length; i++) {
      if (this.inventory.shouldReport(client[i].info.sha256, at)) newCertificates.push({ view: client[i], side: 'client', position: i });
    }

    const serverValidation = serverDer.length > 0 ? this.validate(serverDer, server, at, 'server') : undefined;
    const clientValidation = clientDer.length > 0 ? this.validate(clientDer, client, at, 'client') : undefined;
    const leaf = server[0]?.info;
    const hostnameMatches = where.sni !== undefined && leaf !== undefined && isParsed(leaf) ? this.coversName(leaf, where.sni) : undefined;
    const keyReuse = leaf !== undefined && isParsed(leaf) ? this.inventory.noteServerLeaf(where.sni ?? `${where.serverIp}:${where.serverPort}`, leaf) : undefined;

    const mtls = mtlsOf(conn);
    const subject: PolicySubject = { serverIp: where.serverIp, serverPort: where.serverPort, sni: where.sni };
    const findings = findingsOf({
      conn,
      subject,
      atMs: at,
      serverCertificates: server.map((v) => v.info),
      clientCertificates: client.map((v) => v.info),
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

  /** The replay engine alone: certificate hashes, the mTLS verdict, nothing else. */
  private bare(conn: TlsConnection): Enrichment {
    const hashOnly = (der: Uint8Array): CertificateView => {
      const sha256 = this.cache.sha256Of(der);
      return { info: { sha256, der_length: der.length, parse_error: 'not parsed (--no-enrich)' }, entry: { sha256 }, ecs: {}, hash: { sha256 }, peer: {} };
    };
    const server = (conn.serverCertificates ?? []).map(hashOnly);
    return {
      server,
      client: (conn.clientCertificates ?? []).map(hashOnly),
      certificatesUnseen: server.length > 0 ? undefined : unseenReason(conn),
      mtls: mtlsOf(conn),
      findings: [],
      newCertificates: [],
    };
  }

  private coversName(leaf: CertificateInfo, name: string): boolean {
    const key = leaf.sha256 + '\u0000' + name;
    let ok = this.nameChecks.get(key);
    if (ok === undefined) {
      ok = matchesHostname(name, leaf);
      this.nameChecks.set(key, ok);
    }
    return ok;
  }

  view(der: Uint8Array): CertificateView {
    const info = this.cache.get(der);
    let v = this.views.get(info.sha256);
    if (v === undefined) {
      v = certificateView(info, toCertificateEntry(info), toEcsX509(info));
      this.views.set(info.sha256, v);
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
    let key = purpose;
    let fromMs = -Infinity;
    let toMs = Infinity;
    for (const v of views) {
      key += v.info.sha256;
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

function unseenReason(conn: TlsConnection): CertificatesUnseen {
  if (conn.tls13) return conn.resumed ? 'resumed' : 'tls13_encrypted';
  if (conn.resumed) return 'resumed';
  // The server flight ended (ServerHelloDone) without a Certificate: anonymous or PSK key exchange.
  if (conn.serverHello && conn.history.includes('n') && conn.serverCertificates === undefined) return 'anonymous';
  return 'not_seen';
}
