import { isTls13Family } from '../../parsers/tls/constants.js';
import { alertName, cipherName, cipherProperties, sslv2CipherName, versionDetail } from '../registry/names.js';
import { markShared } from '../util/shared-json.js';
import type { TlsConnection } from '../tls/connection.js';
import { REFERENCES, type Finding, type FindingId, type Severity } from './finding-catalog.js';
import type { KeyReuse } from './inventory.js';
import type { MtlsVerdict } from './mtls.js';
import { isAllowed, mtlsServiceFor, type Policy, type PolicySubject } from './policy.js';
import { isParsed, type CertificateInfo, type X509Details } from './x509/types.js';

/** Everything the finding rules look at for one connection. */
export interface FindingContext {
  conn: TlsConnection;
  subject: PolicySubject;
  /** Packet time of the handshake, epoch milliseconds: time-based findings never use the wall clock. */
  atMs: number;
  serverCertificates: readonly CertificateInfo[];
  clientCertificates: readonly CertificateInfo[];
  /** Chain validation of the server's certificates (absent when none were seen). */
  validation?: { trusted: boolean; reason?: string; detail?: string };
  /** Whether the SNI is covered by the server leaf (absent when there is no SNI or no leaf). */
  hostnameMatches?: boolean;
  mtls: MtlsVerdict;
  policy: Policy;
  /** The server name's previous leaf, when this newer leaf reuses its key. */
  keyReuse?: KeyReuse;
}

type Draft = Omit<Finding, 'reference'>;
type Side = 'server' | 'client';

/**
 * Findings are shared: a connection gets the very Finding object every other connection with
 * the same cause got (one suite, one certificate at one position, one chain's verdict), made
 * once per policy (severity, disabled ids, reference applied then), frozen, and marked so its
 * JSON is written once (event-json.ts). Most connections repeat a handful of causes, so the
 * rules cost a few comparisons and a lookup; with no finding they allocate nothing.
 *
 * `null` in a memo: the cause was looked at and gives nothing (a benign suite, a disabled id).
 */
class Memo {
  readonly versions = new Map<number, Finding | null>();
  /** The three rules of the negotiated version and suite together, by version index, suite and psk_ke. */
  readonly negotiated = new Map<number, Finding[]>();
  readonly ciphers = new Map<number, Finding | null>();
  readonly noFs = new Map<number, Finding | null>();
  /** Per certificate, by place (side and position): weak_key, weak_signature. */
  readonly keys = new WeakMap<X509Details, (Finding | null)[]>();
  readonly signatures = new WeakMap<X509Details, (Finding | null)[]>();
  /** Per leaf and side: the last validity finding, with the day count its message gives. */
  readonly validity = new WeakMap<X509Details, { key: number; finding: Finding | null }[]>();
  readonly selfSigned = new WeakMap<X509Details, Finding | null>();
  readonly untrusted = new WeakMap<object, Finding | null>();
  readonly hostnames = new WeakMap<X509Details, Map<string, Finding | null>>();
  readonly texts = new Map<string, Finding | null>();
  readonly alerts = new Map<number, Finding | null>();
  readonly dh = new Map<number, Finding | null>();
  /** By what the client did: offered secure renegotiation, did not, hello not seen. */
  readonly renegotiation: (Finding | null | undefined)[] = [];

  constructor(readonly policy: Policy) {}

  /** The finding a draft becomes under this policy (null when disabled): frozen and shared. */
  make(d: Draft): Finding | null {
    if (this.policy.disabled.has(d.id)) return null;
    const f = d as Finding;
    f.severity = this.policy.severity.get(d.id) ?? d.severity;
    f.reference = REFERENCES[d.id];
    if (f.certificate) Object.freeze(f.certificate);
    return markShared(Object.freeze(f));
  }
}

const memos = new WeakMap<Policy, Memo>();
/** The policy asked for last and its memo: every connection asks for the same one. */
let lastPolicy: Policy | undefined;
let lastMemo: Memo | undefined;

function memoOf(policy: Policy): Memo {
  if (policy === lastPolicy) return lastMemo!;
  let m = memos.get(policy);
  if (m === undefined) {
    m = new Memo(policy);
    memos.set(policy, m);
  }
  lastPolicy = policy;
  lastMemo = m;
  return m;
}

const DAY_MS = 86_400_000;
/** Alerts by which a peer says it rejected a certificate (RFC 8446 section 6.2). */
const CERTIFICATE_ALERTS = new Set([42, 43, 44, 45, 46, 48, 49, 116]);
/** Certificates of one chain the place memo distinguishes (a chain of more gets no memo past it). */
const PLACES = 16;

function versionOf(conn: TlsConnection): number | undefined {
  if (conn.serverHello) return conn.serverHello.selectedVersion;
  if (conn.sslv2ServerHello) return 0x0002;
  return undefined;
}

const versionText = (v: number): string => versionDetail(v) ?? `0x${v.toString(16)}`;

const DEPRECATED = new Map<number, Severity>([
  [0x0002, 'critical'],
  [0x0300, 'high'],
  [0x0301, 'medium'],
  [0x0302, 'medium'],
  [0xfeff, 'medium'],
]);

type Out = Finding[];

function add(out: Out, f: Finding | null): void {
  if (f !== null) out.push(f);
}

function deprecatedProtocol(ctx: FindingContext, m: Memo, out: Out): void {
  const v = versionOf(ctx.conn);
  if (v === undefined) return;
  let f = m.versions.get(v);
  if (f === undefined) {
    const sev = DEPRECATED.get(v);
    f = sev ? m.make({ id: 'deprecated_protocol', severity: sev, message: `negotiated ${versionText(v)}, deprecated by RFC 8996/7568/6176` }) : null;
    m.versions.set(v, f);
  }
  add(out, f);
}

function weakCipher(ctx: FindingContext, m: Memo, out: Out): void {
  const conn = ctx.conn;
  let key: number;
  if (conn.sslv2ServerHello) {
    const kind = conn.sslv2CipherKind ?? conn.sslv2ServerHello.cipherKinds[0];
    if (kind === undefined) return;
    key = 0x1000000 + kind;
  } else if (conn.serverHello) key = conn.serverHello.cipherSuite;
  else return;
  let f = m.ciphers.get(key);
  if (f === undefined) {
    const d = key >= 0x1000000 ? { id: 'weak_cipher' as const, severity: 'critical' as const, message: `negotiated SSL 2.0 cipher ${sslv2CipherName(key - 0x1000000)}` } : weakSuite(key);
    f = d ? m.make(d) : null;
    m.ciphers.set(key, f);
  }
  add(out, f);
}

function weakSuite(suite: number): Draft | undefined {
  const p = cipherProperties(suite);
  if (!p || p.tls13) return undefined;
  const why: [Severity, string][] = [];
  if (p.cipher === 'NULL') why.push(['critical', 'no encryption']);
  if (p.authentication === 'anon') why.push(['critical', 'anonymous key exchange']);
  if (p.export) why.push(['critical', 'export-grade keys']);
  if (p.cipher === 'RC4') why.push(['high', 'RC4 (RFC 7465)']);
  if (p.cipher === 'DES' || p.cipher === 'RC2') why.push(['high', p.cipher]);
  if (p.cipher === '3DES') why.push(['medium', '3DES (64-bit block, SWEET32)']);
  if (p.mac === 'MD5') why.push(['medium', 'MD5 MAC']);
  if (why.length === 0) return undefined;
  const worst = why.map((w) => w[0]).sort((a, b) => rank(b) - rank(a))[0];
  return { id: 'weak_cipher', severity: worst, message: `negotiated ${cipherName(suite)}: ${why.map((w) => w[1]).join(', ')}` };
}

/** The memo key of TLS 1.3 resumption with psk_ke (no suite number reaches it). */
const PSK_KE = -1;

function noForwardSecrecy(ctx: FindingContext, m: Memo, out: Out): void {
  const sh = ctx.conn.serverHello;
  if (!sh) return;
  let key: number;
  if (ctx.conn.tls13) {
    // psk_ke resumption: no (EC)DHE share in the ServerHello (RFC 8446 section 4.2.9).
    if (sh.ext.keyShareGroups.length > 0 || !ctx.conn.resumed) return;
    key = PSK_KE;
  } else key = sh.cipherSuite;
  let f = m.noFs.get(key);
  if (f === undefined) {
    f = null;
    if (key === PSK_KE) f = m.make({ id: 'no_forward_secrecy', severity: 'low', message: 'TLS 1.3 resumption with psk_ke: no (EC)DHE key share' });
    else {
      const p = cipherProperties(key);
      if (p && !(p.forwardSecrecy || p.scsv || p.cipher === 'NULL' || p.authentication === 'anon')) {
        f = m.make({ id: 'no_forward_secrecy', severity: 'medium', message: `negotiated ${cipherName(key)}: ${p.keyExchange} key exchange, no forward secrecy` });
      }
    }
    m.noFs.set(key, f);
  }
  add(out, f);
}

/** Versions the negotiated-parameter memo knows, as small numbers (0: any other, which takes the long way). */
function versionIndex(v: number): number {
  switch (v) {
    case 0x0300: return 1;
    case 0x0301: return 2;
    case 0x0302: return 3;
    case 0x0303: return 4;
    case 0x0304: return 5;
    case 0xfeff: return 6;
    case 0xfefd: return 7;
    case 0xfefc: return 8;
    default: return 0;
  }
}

/**
 * deprecated_protocol, weak_cipher and no_forward_secrecy: functions of the negotiated version
 * and suite (and, in TLS 1.3, of psk_ke resumption), so one lookup per connection gives all
 * three, in their order.
 */
function negotiated(ctx: FindingContext, m: Memo, out: Out): void {
  const conn = ctx.conn;
  const sh = conn.serverHello;
  const vi = sh && !conn.sslv2ServerHello ? versionIndex(sh.selectedVersion) : 0;
  if (vi === 0) {
    deprecatedProtocol(ctx, m, out);
    weakCipher(ctx, m, out);
    noForwardSecrecy(ctx, m, out);
    return;
  }
  const pskKe = conn.tls13 && sh!.ext.keyShareGroups.length === 0 && conn.resumed ? 1 : 0;
  const key = (vi << 17) | (sh!.cipherSuite << 1) | pskKe;
  let list = m.negotiated.get(key);
  if (list === undefined) {
    const found: Finding[] = [];
    deprecatedProtocol(ctx, m, found);
    weakCipher(ctx, m, found);
    noForwardSecrecy(ctx, m, found);
    list = Object.freeze(found) as Finding[];
    m.negotiated.set(key, list);
  }
  for (let i = 0; i < list.length; i++) out.push(list[i]);
}

function rank(s: Severity): number {
  return s === 'critical' ? 3 : s === 'high' ? 2 : s === 'medium' ? 1 : 0;
}

function certRef(c: X509Details, position: number, side: Side): Finding['certificate'] {
  return { sha256: c.sha256, subject: c.subject.dn, position, side };
}

/** A finding about one certificate at one place, from a per-certificate memo; made by `make` on the first sighting there. */
function placed(
  memo: WeakMap<X509Details, (Finding | null)[]>,
  c: X509Details,
  i: number,
  side: Side,
  make: (c: X509Details, i: number, side: Side) => Finding | null,
): Finding | null {
  if (i >= PLACES) return make(c, i, side);
  let slots = memo.get(c);
  if (slots === undefined) {
    slots = [];
    memo.set(c, slots);
  }
  const at = side === 'server' ? i : PLACES + i;
  let f = slots[at];
  if (f === undefined) {
    f = make(c, i, side);
    slots[at] = f;
  }
  return f;
}

/** The weak_key severity of a certificate's key, if weak. */
function keyWeakness(c: X509Details): Severity | undefined {
  const alg = c.public_key_algorithm;
  const bits = c.public_key_size;
  if (bits === undefined) return undefined;
  if (alg === 'rsa' || alg === 'rsa-pss' || alg === 'dsa') return bits < 1024 ? 'critical' : bits < 2048 ? 'high' : undefined;
  if (alg === 'ec') return bits < 224 ? 'critical' : bits < 256 ? 'high' : undefined;
  return undefined;
}

function weakKeys(ctx: FindingContext, m: Memo, out: Out): void {
  perCertificate(ctx.serverCertificates, 'server', m, out, m.keys, 'weak_key', keyWeakness, keyMessage);
  perCertificate(ctx.clientCertificates, 'client', m, out, m.keys, 'weak_key', keyWeakness, keyMessage);
}

function keyMessage(c: X509Details, i: number, side: Side): string {
  return `${side} certificate #${i} (${c.subject.dn}) has a ${c.public_key_size}-bit ${c.public_key_algorithm.toUpperCase()} key`;
}

/** A rule about each certificate of a chain on its own: one shared finding per certificate and place. */
function perCertificate(
  certs: readonly CertificateInfo[],
  side: Side,
  m: Memo,
  out: Out,
  memo: WeakMap<X509Details, (Finding | null)[]>,
  id: 'weak_key' | 'weak_signature',
  weakness: (c: X509Details) => Severity | undefined,
  message: (c: X509Details, i: number, side: Side) => string,
): void {
  for (let i = 0; i < certs.length; i++) {
    const c = certs[i];
    if (!isParsed(c)) continue;
    const severity = weakness(c);
    if (severity === undefined) continue;
    add(out, placed(memo, c, i, side, () => m.make({ id, severity, message: message(c, i, side), certificate: certRef(c, i, side) })));
  }
}

/** The weak_signature severity of an issued certificate's signature, if weak. */
function signatureWeakness(c: X509Details): Severity | undefined {
  // A trust anchor's own signature protects nothing (RFC 5280 section 6.1): only issued certificates count.
  if (c.self_signed) return undefined;
  const h = c.signature_hash;
  return h === 'md5' || h === 'md2' ? 'high' : h === 'sha1' ? 'medium' : undefined;
}

function weakSignatures(ctx: FindingContext, m: Memo, out: Out): void {
  perCertificate(ctx.serverCertificates, 'server', m, out, m.signatures, 'weak_signature', signatureWeakness, signatureMessage);
  perCertificate(ctx.clientCertificates, 'client', m, out, m.signatures, 'weak_signature', signatureWeakness, signatureMessage);
}

function signatureMessage(c: X509Details, i: number, side: Side): string {
  return `${side} certificate #${i} (${c.subject.dn}) is signed with ${c.signature_algorithm}`;
}

/** Validity of the leaf of each side at packet time (a CA's dates are the chain validation's concern). */
function validity(ctx: FindingContext, m: Memo, out: Out): void {
  const s = ctx.serverCertificates[0];
  if (s !== undefined && isParsed(s)) leafValidity(ctx, m, s, 0, out);
  const c = ctx.clientCertificates[0];
  if (c !== undefined && isParsed(c)) leafValidity(ctx, m, c, 1, out);
}

const EXPIRED = 1;
const NOT_YET_VALID = 2;
const EXPIRING = 3;

/**
 * A leaf's validity finding. Its message counts days, so the memo keeps, per leaf and side,
 * the last finding with its kind and day count: every connection of the same day shares it.
 */
function leafValidity(ctx: FindingContext, m: Memo, leaf: X509Details, sideIndex: 0 | 1, out: Out): void {
  const at = ctx.atMs;
  let kind: number;
  let days = 0;
  if (at > leaf.not_after_ms) {
    kind = EXPIRED;
    days = Math.floor((at - leaf.not_after_ms) / DAY_MS);
  } else if (at < leaf.not_before_ms) kind = NOT_YET_VALID;
  else {
    const left = (leaf.not_after_ms - at) / DAY_MS;
    if (left > ctx.policy.expiringSoonDays) return;
    kind = EXPIRING;
    days = Math.floor(left);
  }
  const key = days * 4 + kind;
  let last = m.validity.get(leaf);
  if (last === undefined) {
    last = [];
    m.validity.set(leaf, last);
  }
  let e = last[sideIndex];
  if (e === undefined || e.key !== key) {
    e = { key, finding: m.make(validityDraft(leaf, sideIndex === 0 ? 'server' : 'client', kind, days)) };
    last[sideIndex] = e;
  }
  add(out, e.finding);
}

function validityDraft(leaf: X509Details, side: Side, kind: number, days: number): Draft {
  const certificate = certRef(leaf, 0, side);
  if (kind === EXPIRED) {
    return { id: 'expired', severity: 'high', message: `${side} certificate (${leaf.subject.dn}) expired ${leaf.not_after} (${days} days before the handshake)`, certificate };
  }
  if (kind === NOT_YET_VALID) {
    return { id: 'not_yet_valid', severity: 'medium', message: `${side} certificate (${leaf.subject.dn}) is valid only from ${leaf.not_before}`, certificate };
  }
  return { id: 'expiring_soon', severity: 'low', message: `${side} certificate (${leaf.subject.dn}) expires ${leaf.not_after}, in ${days} days`, certificate };
}

function trust(ctx: FindingContext, m: Memo, out: Out): void {
  const leaf = ctx.serverCertificates[0];
  if (!leaf || !isParsed(leaf)) return;
  if (leaf.self_signed) {
    let f = m.selfSigned.get(leaf);
    if (f === undefined) {
      f = m.make({ id: 'self_signed', severity: 'medium', message: `server certificate (${leaf.subject.dn}) is self-signed`, certificate: certRef(leaf, 0, 'server') });
      m.selfSigned.set(leaf, f);
    }
    add(out, f);
  }
  // Reported as well for a self-signed leaf: one is a property, the other the verdict, and a
  // self-signed certificate pinned through --ca-file is trusted.
  const v = ctx.validation;
  if (!v || v.trusted) return;
  // A validation outcome is reused for its exact chain (Enricher.validate), so it names the leaf too.
  let f = m.untrusted.get(v);
  if (f === undefined || (f !== null && f.certificate!.sha256 !== leaf.sha256)) {
    const detail = v.detail ? ` (${v.detail})` : '';
    f = m.make({ id: 'untrusted_chain', severity: 'high', reason: v.reason, message: `server chain for ${leaf.subject.dn} does not validate: ${v.reason ?? 'unknown reason'}${detail}`, certificate: certRef(leaf, 0, 'server') });
    m.untrusted.set(v, f);
  }
  add(out, f);
}

/** Names remembered per leaf for its host-name findings; cleared when full (a wildcard leaf may meet many). */
const NAMES_PER_LEAF = 256;

function hostname(ctx: FindingContext, m: Memo, out: Out): void {
  const leaf = ctx.serverCertificates[0];
  if (ctx.hostnameMatches !== false || !leaf || !isParsed(leaf)) return;
  const sni = ctx.subject.sni ?? '';
  let byName = m.hostnames.get(leaf);
  if (byName === undefined) {
    byName = new Map();
    m.hostnames.set(leaf, byName);
  }
  let f = byName.get(sni);
  if (f === undefined) {
    const names = leaf.san.dns.length > 0 ? leaf.san.dns : leaf.subject.common_name;
    f = m.make({
      id: 'hostname_mismatch',
      severity: 'high',
      message: `SNI ${ctx.subject.sni} is not covered by the certificate (names: ${names.slice(0, 5).join(', ') || 'none'}${names.length > 5 ? ', ...' : ''})`,
      certificate: certRef(leaf, 0, 'server'),
    });
    if (byName.size >= NAMES_PER_LEAF) byName.clear();
    byName.set(sni, f);
  }
  add(out, f);
}

/** A finding whose message is a function of a short text: shared through the memo's text map. */
function byText(m: Memo, key: string, draft: () => Draft): Finding | null {
  let f = m.texts.get(key);
  if (f === undefined) {
    f = m.make(draft());
    m.texts.set(key, f);
  }
  return f;
}

function mtlsMissing(ctx: FindingContext, m: Memo, out: Out): void {
  const v = ctx.mtls;
  if (v.presented !== false) return; // presented, or not knowable: never guess
  if (v.requested === true) {
    const method = v.method;
    add(out, byText(m, 'mtls:requested:' + method, () => ({ id: 'mtls_missing', severity: 'medium', reason: 'requested', message: `the server requested a client certificate and the client sent none (${method})` })));
    return;
  }
  // A resumed session authenticated its client in the handshake it resumes.
  if (ctx.policy.requireMtls.length === 0 || ctx.conn.resumed) return;
  const svc = mtlsServiceFor(ctx.policy, ctx.subject);
  if (!svc) return;
  const method = v.method;
  add(out, byText(m, 'mtls:policy:' + method + ':' + svc.name, () => ({ id: 'mtls_missing', severity: 'high', reason: 'policy', message: `${svc.name} requires mutual TLS and the client presented no certificate (${method})` })));
}

/** The memo key of an encrypted abort (no alert description reaches it). */
const ENCRYPTED_ABORT = -1;

function handshakeFailure(ctx: FindingContext, m: Memo, out: Out): void {
  const a = ctx.conn.fatalAlert;
  let key: number;
  if (!a && ctx.conn.encryptedAbort) key = ENCRYPTED_ABORT;
  else if (!a || ctx.conn.established) return;
  else key = a.description * 2 + (a.from === 'C' ? 0 : 1);
  let f = m.alerts.get(key);
  if (f === undefined) {
    if (key === ENCRYPTED_ABORT) {
      f = m.make({ id: 'handshake_failure', severity: 'low', message: 'the server answered the client\'s TLS 1.3 flight with one encrypted alert-sized record and closed (alert content not visible)' });
    } else {
      const description = key >> 1;
      const who = key & 1 ? 'server' : 'client';
      const sev: Severity = CERTIFICATE_ALERTS.has(description) ? 'medium' : 'low';
      f = m.make({ id: 'handshake_failure', severity: sev, message: `handshake ended by a fatal ${alertName(description)} alert from the ${who}` });
    }
    m.alerts.set(key, f);
  }
  add(out, f);
}

function insecureRenegotiation(ctx: FindingContext, m: Memo, out: Out): void {
  const sh = ctx.conn.serverHello;
  if (!sh || isTls13Family(sh.selectedVersion) || sh.ext.renegotiationInfo) return;
  const ch = ctx.conn.clientHello;
  const offered = ch ? ch.ext.renegotiationInfo || ch.cipherSuites.includes(0x00ff) : undefined;
  const key = offered === true ? 0 : offered === false ? 1 : 2;
  let f = m.renegotiation[key];
  if (f === undefined) {
    const detail = key === 0 ? 'the client offered it' : key === 1 ? 'the client did not offer it either' : 'the client hello was not seen';
    f = m.make({ id: 'insecure_renegotiation', severity: 'medium', message: `the server did not confirm secure renegotiation (no renegotiation_info; ${detail})` });
    m.renegotiation[key] = f;
  }
  add(out, f);
}

function weakDh(ctx: FindingContext, m: Memo, out: Out): void {
  const ske = ctx.conn.serverKeyExchange;
  if (!ske || ske.kind !== 'dhe' || ske.dhPrimeBits === 0 || ske.dhPrimeBits >= 2048) return;
  const bits = ske.dhPrimeBits;
  let f = m.dh.get(bits);
  if (f === undefined) {
    f = m.make({ id: 'weak_dh', severity: bits < 1024 ? 'high' : 'medium', message: `finite-field DHE group of ${bits} bits (below 2048)` });
    m.dh.set(bits, f);
  }
  add(out, f);
}

/** Rare, and its message names the previous certificate: made for its connection, not shared. */
function keyNotRotated(ctx: FindingContext, m: Memo, out: Out): void {
  const k = ctx.keyReuse;
  const leaf = ctx.serverCertificates[0];
  if (!k || !leaf || !isParsed(leaf)) return;
  add(
    out,
    m.make({
      id: 'key_not_rotated',
      severity: 'low',
      message: `${k.name}: renewed certificate (valid from ${leaf.not_before}) reuses the key of the previous one (${k.previousSha256.slice(0, 16)}..., valid from ${k.previousNotBefore})`,
      certificate: certRef(leaf, 0, 'server'),
    }),
  );
}

/** One list for every connection's rules to fill; copied out only when something was found. */
const scratch: Finding[] = [];
const NONE: Finding[] = Object.freeze([]) as unknown as Finding[];

/**
 * Run every rule under the context's policy (disabled ids and re-graded severities are in the
 * shared findings already), then drop what the policy's allow-lists exempt here. The findings
 * are frozen and shared between connections; the list is the caller's (or one frozen empty list).
 */
export function findingsOf(ctx: FindingContext): Finding[] {
  const m = memoOf(ctx.policy);
  const out = scratch;
  // Called one by one, not from a table: every connection runs every rule, most find
  // nothing, and direct calls are inlined (a table's indirect call measured ~0.5 µs a connection).
  negotiated(ctx, m, out);
  weakKeys(ctx, m, out);
  weakSignatures(ctx, m, out);
  validity(ctx, m, out);
  trust(ctx, m, out);
  hostname(ctx, m, out);
  mtlsMissing(ctx, m, out);
  handshakeFailure(ctx, m, out);
  insecureRenegotiation(ctx, m, out);
  weakDh(ctx, m, out);
  keyNotRotated(ctx, m, out);
  if (out.length === 0) return NONE;
  const found = ctx.policy.allow.length === 0 ? out.slice() : out.filter((f) => !allowed(ctx, f));
  out.length = 0;
  return found.length === 0 ? NONE : found;
}

function allowed(ctx: FindingContext, f: Finding): boolean {
  const list = f.certificate?.side === 'client' ? ctx.clientCertificates : ctx.serverCertificates;
  const c = list[f.certificate?.position ?? 0];
  const cert = c && isParsed(c) ? { issuer: c.issuer.dn, subject: c.subject.dn } : undefined;
  return isAllowed(ctx.policy, f.id as FindingId, ctx.subject, cert);
}
