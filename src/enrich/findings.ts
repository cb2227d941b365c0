import { isTls13Family } from '../../parsers/tls/constants.js';
import { alertName, cipherName, cipherProperties, sslv2CipherName, versionDetail } from '../registry/names.js';
import type { TlsConnection } from '../tls/connection.js';
import { REFERENCES, type Finding, type FindingId, type Severity } from './finding-catalog.js';
import type { KeyReuse } from './inventory.js';
import type { MtlsVerdict } from './mtls.js';
import { isAllowed, mtlsServiceFor, type Policy, type PolicySubject } from './policy.js';
import { isParsed, type CertificateInfo, type X509Details } from './x509/types.js';

/** Everything the finding rules look at for one connection. */
/** The result of a rule that finds nothing: one frozen empty list, not one allocation per rule per connection. */
const NONE: Draft[] = Object.freeze([]) as unknown as Draft[];

export interface FindingContext {
  conn: TlsConnection;
  subject: PolicySubject;
  /** Packet time of the handshake, epoch milliseconds: time-based findings never use the wall clock. */
  atMs: number;
  serverCertificates: CertificateInfo[];
  clientCertificates: CertificateInfo[];
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

const DAY_MS = 86_400_000;
/** Alerts by which a peer says it rejected a certificate (RFC 8446 §6.2). */
const CERTIFICATE_ALERTS = new Set([42, 43, 44, 45, 46, 48, 49, 116]);

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

function deprecatedProtocol(ctx: FindingContext): Draft[] {
  const v = versionOf(ctx.conn);
  if (v === undefined) return NONE;
  const sev = DEPRECATED.get(v);
  return sev ? [{ id: 'deprecated_protocol', severity: sev, message: `negotiated ${versionText(v)}, deprecated by RFC 8996/7568/6176` }] : NONE;
}

function weakCipher(ctx: FindingContext): Draft[] {
  const conn = ctx.conn;
  if (conn.sslv2ServerHello) {
    const kind = conn.sslv2CipherKind ?? conn.sslv2ServerHello.cipherKinds[0];
    return kind === undefined ? NONE : [{ id: 'weak_cipher', severity: 'critical', message: `negotiated SSL 2.0 cipher ${sslv2CipherName(kind)}` }];
  }
  const sh = conn.serverHello;
  if (!sh) return NONE;
  const p = cipherProperties(sh.cipherSuite);
  if (!p || p.tls13) return NONE;
  const name = cipherName(sh.cipherSuite);
  const why: [Severity, string][] = [];
  if (p.cipher === 'NULL') why.push(['critical', 'no encryption']);
  if (p.authentication === 'anon') why.push(['critical', 'anonymous key exchange']);
  if (p.export) why.push(['critical', 'export-grade keys']);
  if (p.cipher === 'RC4') why.push(['high', 'RC4 (RFC 7465)']);
  if (p.cipher === 'DES' || p.cipher === 'RC2') why.push(['high', p.cipher]);
  if (p.cipher === '3DES') why.push(['medium', '3DES (64-bit block, SWEET32)']);
  if (p.mac === 'MD5') why.push(['medium', 'MD5 MAC']);
  if (why.length === 0) return NONE;
  const worst = why.map((w) => w[0]).sort((a, b) => rank(b) - rank(a))[0];
  return [{ id: 'weak_cipher', severity: worst, message: `negotiated ${name}: ${why.map((w) => w[1]).join(', ')}` }];
}

function noForwardSecrecy(ctx: FindingContext): Draft[] {
  const sh = ctx.conn.serverHello;
  if (!sh) return NONE;
  if (ctx.conn.tls13) {
    // psk_ke resumption: no (EC)DHE share in the ServerHello (RFC 8446 §4.2.9).
    if (ctx.conn.resumed && sh.ext.keyShareGroups.length === 0) {
      return [{ id: 'no_forward_secrecy', severity: 'low', message: 'TLS 1.3 resumption with psk_ke: no (EC)DHE key share' }];
    }
    return NONE;
  }
  const p = cipherProperties(sh.cipherSuite);
  if (!p || p.forwardSecrecy || p.scsv || p.cipher === 'NULL' || p.authentication === 'anon') return NONE;
  return [{ id: 'no_forward_secrecy', severity: 'medium', message: `negotiated ${cipherName(sh.cipherSuite)}: ${p.keyExchange} key exchange, no forward secrecy` }];
}

function rank(s: Severity): number {
  return s === 'critical' ? 3 : s === 'high' ? 2 : s === 'medium' ? 1 : 0;
}

function certRef(c: X509Details, position: number, side: 'server' | 'client'): Finding['certificate'] {
  return { sha256: c.sha256, subject: c.subject.dn, position, side };
}

type Placed = [X509Details, number, 'server' | 'client'];

/** The parsed certificates of both chains with their places; computed once per connection (rules share it). */
function parsedCertificates(ctx: FindingContext): Placed[] {
  const c = ctx as FindingContext & { placed?: Placed[] };
  if (c.placed) return c.placed;
  const out: Placed[] = [];
  ctx.serverCertificates.forEach((cert, i) => isParsed(cert) && out.push([cert, i, 'server']));
  ctx.clientCertificates.forEach((cert, i) => isParsed(cert) && out.push([cert, i, 'client']));
  c.placed = out;
  return out;
}

function weakKeys(ctx: FindingContext): Draft[] {
  const out: Draft[] = [];
  for (const [c, i, side] of parsedCertificates(ctx)) {
    const alg = c.public_key_algorithm;
    const bits = c.public_key_size;
    if (bits === undefined) continue;
    let sev: Severity | undefined;
    if (alg === 'rsa' || alg === 'rsa-pss' || alg === 'dsa') sev = bits < 1024 ? 'critical' : bits < 2048 ? 'high' : undefined;
    else if (alg === 'ec') sev = bits < 224 ? 'critical' : bits < 256 ? 'high' : undefined;
    if (!sev) continue;
    out.push({
      id: 'weak_key',
      severity: sev,
      message: `${side} certificate #${i} (${c.subject.dn}) has a ${bits}-bit ${alg.toUpperCase()} key`,
      certificate: certRef(c, i, side),
    });
  }
  return out;
}

function weakSignatures(ctx: FindingContext): Draft[] {
  const out: Draft[] = [];
  for (const [c, i, side] of parsedCertificates(ctx)) {
    // A trust anchor's own signature protects nothing (RFC 5280 §6.1): only issued certificates count.
    if (c.self_signed) continue;
    const h = c.signature_hash;
    const sev: Severity | undefined = h === 'md5' || h === 'md2' ? 'high' : h === 'sha1' ? 'medium' : undefined;
    if (!sev) continue;
    out.push({
      id: 'weak_signature',
      severity: sev,
      message: `${side} certificate #${i} (${c.subject.dn}) is signed with ${c.signature_algorithm}`,
      certificate: certRef(c, i, side),
    });
  }
  return out;
}

/** Validity of the leaf of each side at packet time (a CA's dates are the chain validation's concern). */
function validity(ctx: FindingContext): Draft[] {
  const out: Draft[] = [];
  for (const side of ['server', 'client'] as const) {
    const leaf = (side === 'server' ? ctx.serverCertificates : ctx.clientCertificates)[0];
    if (!leaf || !isParsed(leaf)) continue;
    const d = leafValidity(ctx, leaf, side);
    if (d) out.push(d);
  }
  return out;
}

function leafValidity(ctx: FindingContext, leaf: X509Details, side: 'server' | 'client'): Draft | undefined {
  const at = ctx.atMs;
  const ref = (): Finding['certificate'] => certRef(leaf, 0, side);
  if (at > leaf.not_after_ms) {
    const days = Math.floor((at - leaf.not_after_ms) / DAY_MS);
    return { id: 'expired', severity: 'high', message: `${side} certificate (${leaf.subject.dn}) expired ${leaf.not_after} (${days} days before the handshake)`, certificate: ref() };
  }
  if (at < leaf.not_before_ms) {
    return { id: 'not_yet_valid', severity: 'medium', message: `${side} certificate (${leaf.subject.dn}) is valid only from ${leaf.not_before}`, certificate: ref() };
  }
  const left = (leaf.not_after_ms - at) / DAY_MS;
  if (left <= ctx.policy.expiringSoonDays) {
    return { id: 'expiring_soon', severity: 'low', message: `${side} certificate (${leaf.subject.dn}) expires ${leaf.not_after}, in ${Math.floor(left)} days`, certificate: ref() };
  }
  return undefined;
}

function trust(ctx: FindingContext): Draft[] {
  const leaf = ctx.serverCertificates[0];
  if (!leaf || !isParsed(leaf)) return NONE;
  const out: Draft[] = [];
  if (leaf.self_signed) {
    out.push({ id: 'self_signed', severity: 'medium', message: `server certificate (${leaf.subject.dn}) is self-signed`, certificate: certRef(leaf, 0, 'server') });
  }
  // Reported as well for a self-signed leaf: one is a property, the other the verdict, and a
  // self-signed certificate pinned through --ca-file is trusted.
  const v = ctx.validation;
  if (v && !v.trusted) {
    const detail = v.detail ? ` (${v.detail})` : '';
    out.push({ id: 'untrusted_chain', severity: 'high', reason: v.reason, message: `server chain for ${leaf.subject.dn} does not validate: ${v.reason ?? 'unknown reason'}${detail}`, certificate: certRef(leaf, 0, 'server') });
  }
  return out;
}

function keyNotRotated(ctx: FindingContext): Draft[] {
  const k = ctx.keyReuse;
  const leaf = ctx.serverCertificates[0];
  if (!k || !leaf || !isParsed(leaf)) return NONE;
  return [{
    id: 'key_not_rotated',
    severity: 'low',
    message: `${k.name}: renewed certificate (valid from ${leaf.not_before}) reuses the key of the previous one (${k.previousSha256.slice(0, 16)}…, valid from ${k.previousNotBefore})`,
    certificate: certRef(leaf, 0, 'server'),
  }];
}

function hostname(ctx: FindingContext): Draft[] {
  const leaf = ctx.serverCertificates[0];
  if (ctx.hostnameMatches !== false || !leaf || !isParsed(leaf)) return NONE;
  const names = leaf.san.dns.length > 0 ? leaf.san.dns : leaf.subject.common_name;
  return [{
    id: 'hostname_mismatch',
    severity: 'high',
    message: `SNI ${ctx.subject.sni} is not covered by the certificate (names: ${names.slice(0, 5).join(', ') || 'none'}${names.length > 5 ? ', …' : ''})`,
    certificate: certRef(leaf, 0, 'server'),
  }];
}

function mtlsMissing(ctx: FindingContext): Draft[] {
  const m = ctx.mtls;
  if (m.presented !== false) return NONE; // presented, or not knowable: never guess
  if (m.requested === true) {
    return [{ id: 'mtls_missing', severity: 'medium', reason: 'requested', message: `the server requested a client certificate and the client sent none (${m.method})` }];
  }
  const svc = mtlsServiceFor(ctx.policy, ctx.subject);
  // A resumed session authenticated its client in the handshake it resumes.
  if (svc && !ctx.conn.resumed) {
    return [{ id: 'mtls_missing', severity: 'high', reason: 'policy', message: `${svc.name} requires mutual TLS and the client presented no certificate (${m.method})` }];
  }
  return NONE;
}

function handshakeFailure(ctx: FindingContext): Draft[] {
  const a = ctx.conn.fatalAlert;
  if (!a && ctx.conn.encryptedAbort) {
    return [{ id: 'handshake_failure', severity: 'low', message: 'the server answered the client\'s TLS 1.3 flight with one encrypted alert-sized record and closed (alert content not visible)' }];
  }
  if (!a || ctx.conn.established) return NONE;
  const who = a.from === 'C' ? 'client' : 'server';
  const sev: Severity = CERTIFICATE_ALERTS.has(a.description) ? 'medium' : 'low';
  return [{ id: 'handshake_failure', severity: sev, message: `handshake ended by a fatal ${alertName(a.description)} alert from the ${who}` }];
}

function insecureRenegotiation(ctx: FindingContext): Draft[] {
  const sh = ctx.conn.serverHello;
  if (!sh || isTls13Family(sh.selectedVersion) || sh.ext.renegotiationInfo) return NONE;
  const ch = ctx.conn.clientHello;
  const offered = ch ? ch.ext.renegotiationInfo || ch.cipherSuites.includes(0x00ff) : undefined;
  const detail = offered === true ? 'the client offered it' : offered === false ? 'the client did not offer it either' : 'the client hello was not seen';
  return [{ id: 'insecure_renegotiation', severity: 'medium', message: `the server did not confirm secure renegotiation (no renegotiation_info; ${detail})` }];
}

function weakDh(ctx: FindingContext): Draft[] {
  const ske = ctx.conn.serverKeyExchange;
  if (!ske || ske.kind !== 'dhe' || ske.dhPrimeBits === 0 || ske.dhPrimeBits >= 2048) return NONE;
  return [{ id: 'weak_dh', severity: ske.dhPrimeBits < 1024 ? 'high' : 'medium', message: `finite-field DHE group of ${ske.dhPrimeBits} bits (below 2048)` }];
}

const RULES: ((ctx: FindingContext) => Draft[])[] = [
  deprecatedProtocol,
  weakCipher,
  noForwardSecrecy,
  weakKeys,
  weakSignatures,
  validity,
  trust,
  hostname,
  mtlsMissing,
  handshakeFailure,
  insecureRenegotiation,
  weakDh,
  keyNotRotated,
];

/** Run every rule, then apply the policy: disabled ids, re-graded severities, allow-lists. */
export function findingsOf(ctx: FindingContext): Finding[] {
  const out: Finding[] = [];
  // Indexed loops: every connection runs every rule, and most find nothing.
  for (let r = 0; r < RULES.length; r++) {
    const drafts = RULES[r](ctx);
    for (let i = 0; i < drafts.length; i++) {
      const d = drafts[i];
      if (ctx.policy.disabled.has(d.id)) continue;
      const f = applyPolicy(ctx, d);
      if (!allowed(ctx, f)) out.push(f);
    }
  }
  return out;
}

/** The draft becomes the finding: drafts are fresh per connection, and their key order is kept. */
function applyPolicy(ctx: FindingContext, d: Draft): Finding {
  const f = d as Finding;
  f.severity = ctx.policy.severity.get(d.id) ?? d.severity;
  f.reference = REFERENCES[d.id];
  return f;
}

function allowed(ctx: FindingContext, f: Finding): boolean {
  if (ctx.policy.allow.length === 0) return false;
  const list = f.certificate?.side === 'client' ? ctx.clientCertificates : ctx.serverCertificates;
  const c = list[f.certificate?.position ?? 0];
  const cert = c && isParsed(c) ? { issuer: c.issuer.dn, subject: c.subject.dn } : undefined;
  return isAllowed(ctx.policy, f.id as FindingId, ctx.subject, cert);
}
