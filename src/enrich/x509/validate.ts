import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { LruCache, type CertificateCache } from './cache.js';
import { readTlv } from './der.js';
import { EXT } from './oids.js';
import { certificateIdentity, parseCertificate } from './parse.js';
import { NodeCertificate, type SignatureVerdict } from './signature.js';
import { isParsed, type X509Details } from './types.js';

export type ValidationReason =
  /** A certificate of the path is past its notAfter at the given time. */
  | 'expired'
  /** A certificate of the path is before its notBefore at the given time. */
  | 'not_yet_valid'
  /** No certificate sent in this connection, nor any trust anchor, is named as the issuer. */
  | 'unknown_issuer'
  /** Issuer candidates exist by name, but none of their keys verifies the signature. */
  | 'bad_signature'
  /** The leaf is self-signed and not itself a trust anchor. */
  | 'self_signed'
  /** The path ends at a self-signed root that is not a trust anchor. */
  | 'untrusted_root'
  /**
   * A pathLenConstraint is exceeded, the path is longer than the validator's limit, or the
   * validator gave up after `maxSignatureChecks` (detail: `gave up after N signature checks`).
   */
  | 'path_too_long'
  /** An issuing certificate is not a CA (no basicConstraints cA, v1/v2, or keyUsage without keyCertSign). */
  | 'not_a_ca'
  /** A signature could not be checked here (e.g. ML-DSA on Node 20's OpenSSL 3.0). */
  | 'unsupported_algorithm'
  /** A certificate of the path has a critical extension this validator does not process. */
  | 'unhandled_critical_extension'
  /** The leaf's extendedKeyUsage does not allow the purpose asked for (serverAuth / clientAuth). */
  | 'wrong_usage'
  /** The leaf could not be parsed. */
  | 'parse_error'
  | 'no_certificates';

export interface ValidationResult {
  trusted: boolean;
  reason?: ValidationReason;
  /**
   * SHA-256 (upper-case hex) of the certification path used, leaf first, trust anchor last.
   * When untrusted: the path that got furthest before failing.
   */
  chain: string[];
  /** The certificate the failure is about (SHA-256). */
  failed_at?: string;
  /** One line for humans: which check, with which values. */
  detail?: string;
}

export interface ValidateOptions {
  /** Check the leaf's extendedKeyUsage for this purpose (when it has the extension). */
  purpose?: 'server' | 'client';
}

export class TrustStoreError extends Error {}

interface Anchor {
  info: X509Details;
  node: NodeCertificate;
  source: string;
}

/**
 * Trust anchors: Node's bundled Mozilla roots (`tls.rootCertificates`) and/or extra PEM
 * bundles. Anchors are indexed by canonical subject name for issuer lookup, and by SHA-256
 * and (subject, SPKI) to recognise a presented certificate that is itself trusted.
 *
 * Anchor validity periods are not checked (RFC 5280 §6: a trust anchor is an input to path
 * validation, not part of the path); basicConstraints / keyUsage of anchors are not either.
 */
export class TrustStore {
  private readonly pending: { der: Uint8Array; source: string }[] = [];
  // Indexed by identity (a cheap walk of the DER); fully parsed only when a chain needs one.
  private readonly bySubject = new Map<string, LazyAnchor[]>();
  private readonly bySha = new Map<string, LazyAnchor>();
  private readonly byKey = new Map<string, LazyAnchor>();
  private count = 0;

  /** Node's bundled roots only. */
  static system(): TrustStore {
    const s = new TrustStore();
    s.addSystemRoots();
    return s;
  }

  /**
   * Node's bundled roots (unless `system: false`) plus every certificate of the given PEM
   * bundles (a file holding a single DER certificate is accepted too). Throws a
   * TrustStoreError with a one-line message naming the file for a missing, unreadable or
   * malformed bundle.
   */
  static fromFiles(paths: readonly string[], opts: { system?: boolean } = {}): TrustStore {
    const s = new TrustStore();
    if (opts.system !== false) s.addSystemRoots();
    for (const p of paths) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(p);
      } catch (err) {
        throw new TrustStoreError(`CA bundle ${p}: ${readError(err)}`);
      }
      s.addBundle(bytes, p);
    }
    return s;
  }

  /** Add Node's bundled roots (parsed on first use). */
  addSystemRoots(): void {
    for (const pem of rootCertificates) {
      for (const block of pemBlocks(pem)) this.pending.push({ der: block.der, source: 'node:tls.rootCertificates' });
    }
    this.count += rootCertificates.length;
  }

  /**
   * Add the certificates of one bundle (PEM text, or one DER certificate), parsed now so a
   * bad bundle fails at start-up. Returns how many were added.
   */
  addBundle(bytes: Uint8Array, source: string): number {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    let blocks: { der: Uint8Array; line: number }[];
    if (text.includes('-----BEGIN')) {
      try {
        blocks = pemBlocks(text);
      } catch (err) {
        throw new TrustStoreError(`CA bundle ${source}: ${(err as Error).message}`);
      }
      if (blocks.length === 0) throw new TrustStoreError(`CA bundle ${source}: no CERTIFICATE blocks in the PEM text`);
    } else if (bytes.length > 0 && bytes[0] === 0x30) {
      blocks = [{ der: Uint8Array.from(bytes), line: 1 }];
    } else {
      throw new TrustStoreError(`CA bundle ${source}: ${bytes.length === 0 ? 'empty file' : 'neither PEM nor a DER certificate'}`);
    }
    blocks.forEach((b, i) => {
      const info = parseCertificate(b.der);
      if (!isParsed(info)) {
        throw new TrustStoreError(`CA bundle ${source}: certificate ${i + 1} (line ${b.line}) is not a valid X.509 certificate: ${info.parse_error}`);
      }
      this.index(info, b.der, source);
    });
    this.count += blocks.length;
    return blocks.length;
  }

  /** Number of anchors (including system roots not parsed yet). */
  get size(): number {
    return this.count;
  }

  private ready(): void {
    if (this.pending.length === 0) return;
    for (const p of this.pending.splice(0)) {
      const id = certificateIdentity(p.der);
      if (id) this.indexLazy(new LazyAnchor(p.der, p.source), id.sha256, id.subjectKey, id.spkiSha256);
    }
  }

  private index(info: X509Details, der: Uint8Array, source: string): void {
    const a = new LazyAnchor(der, source);
    a.set({ info, node: new NodeCertificate(der), source });
    this.indexLazy(a, info.sha256, info.subject.key, info.spki_sha256);
  }

  private indexLazy(a: LazyAnchor, sha256: string, subjectKey: string, spki: string): void {
    if (this.bySha.has(sha256)) return;
    this.bySha.set(sha256, a);
    this.byKey.set(`${subjectKey}\u0000${spki}`, a);
    const list = this.bySubject.get(subjectKey);
    if (list) list.push(a);
    else this.bySubject.set(subjectKey, [a]);
  }

  /** Anchors whose subject is this certificate's issuer. */
  issuersOf(info: X509Details): readonly Anchor[] {
    this.ready();
    return (this.bySubject.get(info.issuer.key) ?? []).flatMap((a) => a.get() ?? []);
  }

  /** Is this certificate itself trusted: the same certificate, or the same name with the same key? */
  anchorFor(info: X509Details): Anchor | undefined {
    this.ready();
    return (this.bySha.get(info.sha256) ?? this.byKey.get(anchorKey(info)))?.get();
  }
}

/** A trust anchor parsed on first use (Node's bundle has 140-odd roots; a run needs a few). */
class LazyAnchor {
  private anchor: Anchor | null | undefined;

  constructor(
    private readonly der: Uint8Array,
    private readonly source: string,
  ) {}

  set(a: Anchor): void {
    this.anchor = a;
  }

  get(): Anchor | undefined {
    if (this.anchor === undefined) {
      const info = parseCertificate(this.der, undefined, { checkSelfSignature: false });
      this.anchor = isParsed(info) ? { info, node: new NodeCertificate(this.der), source: this.source } : null;
    }
    return this.anchor ?? undefined;
  }
}

function anchorKey(info: X509Details): string {
  return `${info.subject.key}\u0000${info.spki_sha256}`;
}

function readError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message.split('\n')[0];
}

const PEM_RE = /-----BEGIN ((?:X509 |TRUSTED )?CERTIFICATE)-----([\s\S]*?)-----END \1-----/g;

/** CERTIFICATE blocks of a PEM text (other block types are skipped), with their line numbers. */
function pemBlocks(text: string): { der: Uint8Array; line: number }[] {
  const out: { der: Uint8Array; line: number }[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const line = text.slice(0, m.index).split('\n').length;
    const body = m[2].replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new Error(`certificate ${out.length + 1} (line ${line}): bad base64`);
    let der: Uint8Array = Buffer.from(body, 'base64');
    // TRUSTED CERTIFICATE carries OpenSSL trust settings after the certificate: keep the first element.
    if (m[1] === 'TRUSTED CERTIFICATE' && der.length > 0) {
      try {
        der = der.subarray(0, readTlv(der, 0).end);
      } catch {
        /* left whole: the parser will say what is wrong */
      }
    }
    out.push({ der: Uint8Array.from(der), line });
  }
  return out;
}

/** Extensions the validator understands (or deliberately does not enforce, see README). */
const HANDLED_CRITICAL = new Set<string>([
  EXT.BASIC_CONSTRAINTS,
  EXT.KEY_USAGE,
  EXT.EXT_KEY_USAGE,
  EXT.SUBJECT_ALT_NAME,
  EXT.ISSUER_ALT_NAME,
  EXT.SUBJECT_KEY_ID,
  EXT.AUTHORITY_KEY_ID,
  EXT.CERTIFICATE_POLICIES,
  EXT.POLICY_CONSTRAINTS,
  EXT.INHIBIT_ANY_POLICY,
  EXT.POLICY_MAPPINGS,
  EXT.NAME_CONSTRAINTS,
  EXT.CRL_DISTRIBUTION_POINTS,
]);

const PURPOSE_EKU: Record<'server' | 'client', string> = { server: 'serverAuth', client: 'clientAuth' };

export interface ValidatorOptions {
  /** Parse presented certificates through this cache (recommended: the sensor's). */
  cache?: CertificateCache;
  /** Remembered signature verdicts, by (child SHA-256, issuer SHA-256). Default 50,000. */
  verdictCacheSize?: number;
  /** Longest path tried, anchor included. Default 10. */
  maxDepth?: number;
  /** Signature checks one validation may make before giving up (a bound on crafted chains). Default 64. */
  maxSignatureChecks?: number;
}

export interface ValidatorStats {
  validations: number;
  signatureChecks: number;
  verdictHits: number;
}

/** A certificate in path building: presented in this connection, or a trust anchor. */
interface Candidate {
  info: X509Details;
  der: Uint8Array;
  anchor?: Anchor;
  node?: NodeCertificate;
}

interface Failure {
  reason: ValidationReason;
  at: string;
  detail: string;
  chain: string[];
  rank: number;
}

/**
 * Chain building and verification at a given time (packet time), RFC 5280 §6 in the parts
 * that decide trust: signatures, validity periods, basicConstraints cA and pathLenConstraint,
 * keyUsage keyCertSign, unknown critical extensions, and optionally the leaf's EKU. Not
 * enforced: name constraints, certificate policies, revocation (see README).
 *
 * Only the certificates sent in this connection and the trust store are used: an
 * intermediate seen on another connection never completes this one (zeek/zeek#875). What is
 * remembered across connections is only the outcome of a signature check for an exact
 * (child, issuer) pair of certificates, which cannot change.
 */
export class ChainValidator {
  private readonly verdicts: LruCache<string, SignatureVerdict>;
  private readonly maxDepth: number;
  private readonly maxChecks: number;
  readonly stats: ValidatorStats = { validations: 0, signatureChecks: 0, verdictHits: 0 };

  constructor(
    readonly store: TrustStore,
    private readonly opts: ValidatorOptions = {},
  ) {
    this.verdicts = new LruCache(opts.verdictCacheSize ?? 50_000);
    this.maxDepth = opts.maxDepth ?? 10;
    this.maxChecks = opts.maxSignatureChecks ?? 64;
  }

  /** Validate a chain as sent (DER, leaf first) at `at` (packet time). */
  validate(ders: readonly Uint8Array[], at: Date, vopts: ValidateOptions = {}): ValidationResult {
    this.stats.validations++;
    if (ders.length === 0) return { trusted: false, reason: 'no_certificates', chain: [] };
    const time = at.getTime();
    const cache = this.opts.cache;
    const presented: Candidate[] = [];
    const seen = new Set<string>();
    for (const der of ders) {
      const info = cache ? cache.get(der) : parseCertificate(der);
      if (presented.length === 0 && !isParsed(info)) {
        return { trusted: false, reason: 'parse_error', chain: [info.sha256], failed_at: info.sha256, detail: info.parse_error };
      }
      // Unparseable extras and repeats cannot help build a path.
      if (!isParsed(info) || seen.has(info.sha256)) continue;
      seen.add(info.sha256);
      presented.push({ info, der });
    }

    let best: Failure | undefined;
    let checks = 0;
    const fail = (reason: ValidationReason, path: Candidate[], at: Candidate, detail: string, rank: number): void => {
      if (best === undefined || rank > best.rank) best = { reason, at: at.info.sha256, detail, chain: path.map((c) => c.info.sha256), rank };
    };

    const finish = (path: Candidate[]): ValidationResult | undefined => {
      const problem = this.checkPath(path, time, vopts);
      if (problem === undefined) return { trusted: true, chain: path.map((c) => c.info.sha256) };
      // A complete path that breaks a rule says more than any path that never reached an anchor.
      fail(problem.reason, path, problem.at, problem.detail, 1000 + path.length);
      return undefined;
    };

    const extend = (path: Candidate[]): ValidationResult | undefined => {
      const cur = path[path.length - 1];
      const anchor = cur.anchor ?? this.store.anchorFor(cur.info);
      if (anchor) {
        cur.anchor = anchor;
        return finish(path);
      }
      const depth = path.length;
      if (cur.info.self_signed) {
        const reason = depth === 1 ? 'self_signed' : 'untrusted_root';
        fail(reason, path, cur, `${cur.info.subject.dn} is self-signed and not a trust anchor`, depth * 10 + 3);
        return undefined;
      }
      if (depth >= this.maxDepth) {
        fail('path_too_long', path, cur, `no trust anchor within ${this.maxDepth} certificates`, depth * 10 + 3);
        return undefined;
      }
      const candidates = this.candidates(cur, presented, path);
      if (candidates.length === 0) {
        fail('unknown_issuer', path, cur, `issuer ${cur.info.issuer.dn} is neither sent nor trusted`, depth * 10 + 1);
        return undefined;
      }
      for (const next of candidates) {
        if (checks >= this.maxChecks) {
          // Giving up outranks every failure found so far: an unexplored candidate might still
          // have completed the path, so no earlier bad_signature / expired … is the verdict.
          fail('path_too_long', path, cur, `gave up after ${checks} signature checks`, Number.POSITIVE_INFINITY);
          return undefined;
        }
        checks++;
        const v = this.verdict(cur, next);
        if (v !== 'valid') {
          const reason = v === 'unsupported' ? 'unsupported_algorithm' : 'bad_signature';
          fail(reason, path, cur, `${cur.info.signature_algorithm} signature ${v === 'unsupported' ? 'cannot be checked' : 'does not verify'} with the key of ${next.info.subject.dn}`, depth * 10 + 2);
          continue;
        }
        const r = extend([...path, next]);
        if (r) return r;
      }
      return undefined;
    };

    const result = extend([presented[0]]);
    if (result) return result;
    const f = best!;
    return { trusted: false, reason: f.reason, chain: f.chain, failed_at: f.at, detail: f.detail };
  }

  /** Issuer candidates by name: trust anchors first (shortest path), then what this connection sent; key-id matches first. */
  private candidates(cur: Candidate, presented: Candidate[], path: Candidate[]): Candidate[] {
    const out: Candidate[] = [];
    const inPath = new Set(path.map((c) => c.info.sha256));
    for (const a of this.store.issuersOf(cur.info)) {
      if (!inPath.has(a.info.sha256)) out.push({ info: a.info, der: a.node.der, anchor: a, node: a.node });
    }
    const key = cur.info.issuer.key;
    for (const p of presented) {
      if (p.info.subject.key === key && !inPath.has(p.info.sha256) && !out.some((o) => o.info.sha256 === p.info.sha256)) out.push(p);
    }
    const aki = cur.info.authority_key_id;
    if (aki !== undefined && out.length > 1) {
      const rank = (c: Candidate): number => (c.info.subject_key_id === aki ? 0 : 1);
      out.sort((a, b) => rank(a) - rank(b));
    }
    return out;
  }

  private verdict(child: Candidate, issuer: Candidate): SignatureVerdict {
    const key = child.info.sha256 + issuer.info.sha256;
    const cached = this.verdicts.get(key);
    if (cached !== undefined) {
      this.stats.verdictHits++;
      return cached;
    }
    this.stats.signatureChecks++;
    child.node ??= new NodeCertificate(child.der);
    issuer.node ??= new NodeCertificate(issuer.der);
    const v = child.node.verifiedBy(issuer.node, child.info.signature_oid);
    this.verdicts.set(key, v);
    return v;
  }

  /** The rules on a complete path (leaf … anchor); the first breach, leaf side first. */
  private checkPath(path: Candidate[], time: number, vopts: ValidateOptions): { reason: ValidationReason; at: Candidate; detail: string } | undefined {
    const last = path.length - 1;
    for (let i = 0; i <= last; i++) {
      const c = path[i];
      const info = c.info;
      const isAnchor = i === last && i > 0;
      if (!isAnchor) {
        if (time < info.not_before_ms) return { reason: 'not_yet_valid', at: c, detail: `${info.subject.dn} is valid from ${info.not_before}` };
        if (time > info.not_after_ms) return { reason: 'expired', at: c, detail: `${info.subject.dn} expired ${info.not_after}` };
        const unknown = info.critical_extensions.find((o) => !HANDLED_CRITICAL.has(o));
        if (unknown !== undefined) return { reason: 'unhandled_critical_extension', at: c, detail: `${info.subject.dn} has critical extension ${unknown}` };
      }
      if (i > 0 && !isAnchor) {
        if (info.version < 3 || !info.basic_constraints?.ca) return { reason: 'not_a_ca', at: c, detail: `${info.subject.dn} issues certificates but is not a CA` };
        if (info.key_usage && !info.key_usage.includes('keyCertSign')) return { reason: 'not_a_ca', at: c, detail: `${info.subject.dn} keyUsage lacks keyCertSign` };
      }
      if (i > 0) {
        // pathLenConstraint: non-self-issued intermediates below this certificate.
        const pl = info.basic_constraints?.path_len;
        if (pl !== undefined) {
          let below = 0;
          for (let j = 1; j < i; j++) if (!path[j].info.self_issued) below++;
          if (below > pl) return { reason: 'path_too_long', at: c, detail: `${info.subject.dn} allows ${pl} intermediate(s) below it, path has ${below}` };
        }
      }
    }
    const want = vopts.purpose ? PURPOSE_EKU[vopts.purpose] : undefined;
    const eku = path[0].info.extended_key_usage;
    if (want && eku && !eku.includes(want) && !eku.includes('anyExtendedKeyUsage')) {
      return { reason: 'wrong_usage', at: path[0], detail: `extendedKeyUsage ${eku.join(',')} lacks ${want}` };
    }
    return undefined;
  }
}
