import { hashHex } from '../../util/hash.js';
import { ipv6Text } from '../../event/ip.js';
import { children, DerError, expect, hexUpper, bitLength, oidText, readTlv, smallUnsigned, stringValue, TAG, type Tlv } from './der.js';
import {
  CURVES,
  EXT,
  EXT_KEY_USAGES,
  FIXED_KEY_BITS,
  HASH_ALGORITHMS,
  KEY_ALGORITHMS,
  KEY_USAGE_BITS,
  NAME_ATTRIBUTES,
  OID_C,
  OID_CN,
  OID_L,
  OID_O,
  OID_OU,
  OID_RSASSA_PSS,
  OID_ST,
  SIGNATURE_ALGORITHMS,
} from './oids.js';
import { certificateModel, type Time } from './tbs.js';
import { NodeCertificate } from './signature.js';
import type { BasicConstraints, CertificateInfo, DistinguishedName, SubjectAltNames, X509Details } from './types.js';

/** SHA-256 of the DER, upper-case hex: the certificate's identity everywhere in tlsscope. */
export function sha256Upper(der: Uint8Array): string {
  return hashHex('sha256', der).toUpperCase();
}

/**
 * Everything tlsscope reads from one DER certificate. Never throws: a certificate that cannot
 * be parsed comes back as `{ sha256, der_length, parse_error }`.
 *
 * The model (version, serial, validity dates with UTCTime's RFC 5280 1950–2049 window,
 * algorithm identifiers, the extension list) comes from tbs.ts: a DER walker for canonical
 * certificates, @peculiar/asn1-schema with @peculiar/asn1-x509's X.509 schema for the rest
 * (which is also what rejects malformed input). The DER walker of der.ts reads what the model
 * does not keep: the exact bytes of the
 * SubjectPublicKeyInfo and of the names, and the extension values (so one exotic GeneralName
 * cannot make the whole extension list fail).
 *
 * @param sha256 the DER's SHA-256 when the caller has it already (the cache does).
 */
export function parseCertificate(der: Uint8Array, sha256: string = sha256Upper(der), opts: ParseOptions = {}): CertificateInfo {
  try {
    return parseDetails(der, sha256, opts);
  } catch (err) {
    return { sha256, der_length: der.length, parse_error: errorText(err) };
  }
}

function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // One line: asn1js messages can carry newlines.
  return msg.replace(/\s+/g, ' ').trim() || 'unparseable certificate';
}

/** The byte spans of a certificate's parts (offsets into the DER). */
interface Skeleton {
  tbs: Tlv;
  issuer: Tlv;
  subject: Tlv;
  spki: Tlv;
  trailing: number;
}

function skeleton(der: Uint8Array): Skeleton {
  if (der.length === 0) throw new DerError('empty input');
  const cert = expect(der, 0, der.length, TAG.SEQUENCE, 'Certificate');
  const tbs = expect(der, cert.content, cert.end, TAG.SEQUENCE, 'tbsCertificate');
  const parts = children(der, tbs);
  let i = 0;
  if (parts[i]?.tag === 0xa0) i++; // [0] version
  // serial, signature, issuer, validity, subject, subjectPublicKeyInfo
  if (parts.length < i + 6) throw new DerError('tbsCertificate: too few fields');
  const issuer = parts[i + 2];
  const subject = parts[i + 4];
  const spki = parts[i + 5];
  for (const [t, what] of [
    [issuer, 'issuer'],
    [subject, 'subject'],
    [spki, 'subjectPublicKeyInfo'],
  ] as const) {
    if (t.tag !== TAG.SEQUENCE) throw new DerError(`${what}: not a SEQUENCE`);
  }
  return { tbs, issuer, subject, spki, trailing: der.length - cert.end };
}

/** Enough of a certificate to index it as a trust anchor, read by the DER walker alone (no schema decode). */
export interface CertificateIdentity {
  sha256: string;
  /** Canonical subject name (DistinguishedName.key). */
  subjectKey: string;
  spkiSha256: string;
}

/** The identity of a certificate, or undefined when its outline is not an X.509 certificate. */
export function certificateIdentity(der: Uint8Array): CertificateIdentity | undefined {
  try {
    const sk = skeleton(der);
    return { sha256: sha256Upper(der), subjectKey: distinguishedName(der, sk.subject).key, spkiSha256: sha256Upper(der.subarray(sk.spki.start, sk.spki.end)) };
  } catch {
    return undefined;
  }
}

export interface ParseOptions {
  /**
   * Check a self-issued certificate's signature with its own key (sets `self_signed`). Trust
   * anchors skip it: an anchor is trusted by configuration, and checking 140 roots' signatures
   * at start-up costs a quarter of a second for nothing.
   */
  checkSelfSignature?: boolean;
}

function parseDetails(der: Uint8Array, sha256: string, opts: ParseOptions): X509Details {
  const sk = skeleton(der);
  // The model; throws on anything that is not an X.509 Certificate. asn1js caps the
  // number of nodes at 10,000 by default, which a real certificate with 10,000 SANs exceeds
  // (Zeek's tls-fragmented-handshake trace). Every node takes at least two octets, so a cap
  // of one node per octet never cuts a genuine certificate and still bounds the work by size.
  const model = certificateModel(der, Math.max(10_000, der.length));
  const warnings: string[] = [];
  if (sk.trailing > 0) warnings.push(`${sk.trailing} octets after the certificate`);

  const subject = distinguishedName(der, sk.subject);
  const issuer = distinguishedName(der, sk.issuer);

  const [notBeforeMs, notBefore, nbEnc] = timeOf(model.notBefore, 'notBefore');
  const [notAfterMs, notAfter, naEnc] = timeOf(model.notAfter, 'notAfter');

  const sigOid = model.signatureOid;
  if (model.tbsSignatureOid !== sigOid) warnings.push(`signature algorithm mismatch: tbs ${model.tbsSignatureOid}, outer ${sigOid}`);
  const sigInfo = SIGNATURE_ALGORITHMS.get(sigOid);
  let signatureHash = sigInfo?.hash;
  if (sigOid === OID_RSASSA_PSS) signatureHash = pssHash(model.signatureParams, warnings);

  const key = publicKeyDetails(der, sk.spki);

  const info: X509Details = {
    sha256,
    der_length: der.length,
    version: model.version + 1,
    serial_number: serialHex(model.serial),
    subject,
    issuer,
    not_before: notBefore,
    not_after: notAfter,
    not_before_ms: notBeforeMs,
    not_after_ms: notAfterMs,
    not_before_encoding: nbEnc,
    not_after_encoding: naEnc,
    spki_sha256: sha256Upper(der.subarray(sk.spki.start, sk.spki.end)),
    public_key_algorithm: key.algorithm,
    ...(key.size !== undefined ? { public_key_size: key.size } : {}),
    ...(key.curve !== undefined ? { public_key_curve: key.curve } : {}),
    ...(key.exponent !== undefined ? { public_key_exponent: key.exponent } : {}),
    signature_algorithm: sigInfo?.name ?? sigOid,
    signature_oid: sigOid,
    ...(signatureHash !== undefined ? { signature_hash: signatureHash } : {}),
    san: { dns: [], ip: [], email: [], uri: [], other: 0 },
    is_ca: false,
    critical_extensions: [],
    self_issued: subject.key === issuer.key,
    self_signed: false,
  };

  const seen = new Set<string>();
  for (const ext of model.extensions) {
    const oid = ext.oid;
    if (seen.has(oid)) warnings.push(`duplicate extension ${oid}`);
    seen.add(oid);
    if (ext.critical) info.critical_extensions.push(oid);
    const value = ext.value;
    try {
      decodeExtension(info, oid, ext.critical, value, warnings);
    } catch (err) {
      warnings.push(`extension ${oid}: ${errorText(err)}`);
    }
  }
  if (info.basic_constraints) info.is_ca = info.basic_constraints.ca;

  if (info.self_issued && opts.checkSelfSignature !== false) {
    const own = new NodeCertificate(der);
    info.self_signature = own.verifiedBy(own, sigOid);
    info.self_signed = info.self_signature === 'valid';
  }
  if (warnings.length > 0) info.warnings = warnings;
  return info;
}

// ---------------------------------------------------------------------------------------------
// names

function distinguishedName(der: Uint8Array, name: Tlv): DistinguishedName {
  const out: DistinguishedName = {
    dn: '',
    common_name: [],
    organization: [],
    organizational_unit: [],
    country: [],
    locality: [],
    state_or_province: [],
    key: '',
  };
  const rdnTexts: string[] = [];
  const rdnKeys: string[] = [];
  for (const rdn of children(der, name)) {
    if (rdn.tag !== TAG.SET) throw new DerError('name: RDN is not a SET');
    const texts: string[] = [];
    const keys: string[] = [];
    for (const atv of children(der, rdn)) {
      if (atv.tag !== TAG.SEQUENCE) throw new DerError('name: attribute is not a SEQUENCE');
      const typeTlv = expect(der, atv.content, atv.end, TAG.OID, 'attribute type');
      const valueTlv = readTlv(der, typeTlv.end, atv.end);
      const oid = oidText(der, typeTlv);
      const descr = NAME_ATTRIBUTES.get(oid);
      const str = stringValue(der, valueTlv);
      if (descr !== undefined && str !== undefined) {
        texts.push(`${descr}=${escapeRfc4514(str)}`);
        collect(out, oid, str);
        keys.push(`${oid}=${canonical(str)}`);
      } else {
        // RFC 4514 §2.4: unknown types (and non-string values) as OID=#hex of the BER value.
        const ber = hexUpper(der, valueTlv.start, valueTlv.end);
        texts.push(`${descr ?? oid}=#${ber}`);
        if (str !== undefined) collect(out, oid, str);
        keys.push(`${oid}=${str !== undefined ? canonical(str) : '#' + ber}`);
      }
    }
    // A multi-valued RDN is a set (no order); print it reversed like the RDNs themselves, as
    // OpenSSL does (it reverses the flat attribute list), so the strings match Zeek's.
    rdnTexts.push(texts.reverse().join('+'));
    rdnKeys.push(keys.sort().join('\u001f'));
  }
  out.dn = rdnTexts.reverse().join(',');
  out.key = rdnKeys.join('\u001e');
  return out;
}

function collect(out: DistinguishedName, oid: string, value: string): void {
  switch (oid) {
    case OID_CN:
      out.common_name.push(value);
      break;
    case OID_O:
      out.organization.push(value);
      break;
    case OID_OU:
      out.organizational_unit.push(value);
      break;
    case OID_C:
      out.country.push(value);
      break;
    case OID_L:
      out.locality.push(value);
      break;
    case OID_ST:
      out.state_or_province.push(value);
      break;
  }
}

/** RFC 5280 §7.1 / RFC 4518 in miniature: trim, collapse inner whitespace, case-fold. */
function canonical(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** RFC 4514 §2.4 escaping, plus control characters as \XX (a DN must never break a log line). */
export function escapeRfc4514(s: string): string {
  let out = '';
  const last = s.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (c === '"' || c === '+' || c === ',' || c === ';' || c === '<' || c === '>' || c === '\\') out += '\\' + c;
    else if (code < 0x20 || code === 0x7f) out += '\\' + code.toString(16).toUpperCase().padStart(2, '0');
    else if (i === 0 && (c === ' ' || c === '#')) out += '\\' + c;
    else if (i === last && c === ' ') out += '\\ ';
    else out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// serial, dates, algorithms

/** Upper-case hex of the INTEGER's magnitude, as OpenSSL (and so Zeek) prints it. */
export function serialHex(content: Uint8Array): string {
  if (content.length === 0) return '00';
  if (content[0] & 0x80) {
    // Negative (RFC 5280 forbids it, some CAs did it): "-" and the magnitude.
    const mag = new Uint8Array(content.length);
    let borrow = 1;
    for (let i = content.length - 1; i >= 0; i--) {
      const v = (~content[i] & 0xff) + borrow;
      mag[i] = v & 0xff;
      borrow = v >> 8;
    }
    return '-' + serialHex(mag);
  }
  let i = 0;
  while (i < content.length - 1 && content[i] === 0) i++;
  return hexUpper(content, i);
}

function timeOf(t: Time, what: string): [number, string, 'utc' | 'generalized'] {
  const d = t.date as Date | undefined;
  const ms = d?.getTime();
  if (d === undefined || ms === undefined || Number.isNaN(ms)) throw new DerError(`${what}: invalid time`);
  const iso = d.toISOString().replace('.000Z', 'Z');
  return [ms, iso, t.encoding];
}

/** RSASSA-PSS-params → the digest (RFC 4055: absent hashAlgorithm means SHA-1). */
function pssHash(params: Uint8Array | undefined, warnings: string[]): string | undefined {
  if (params === undefined || params.byteLength === 0) {
    warnings.push('rsassaPss without parameters (SHA-1 defaults)');
    return 'sha1';
  }
  const b = params;
  const seq = readTlv(b, 0);
  if (seq.tag === TAG.NULL) return 'sha1';
  if (seq.tag !== TAG.SEQUENCE) throw new DerError('RSASSA-PSS-params: not a SEQUENCE');
  for (const field of children(b, seq)) {
    if (field.tag !== 0xa0) continue;
    const alg = expect(b, field.content, field.end, TAG.SEQUENCE, 'PSS hashAlgorithm');
    const oid = oidText(b, expect(b, alg.content, alg.end, TAG.OID, 'PSS hash OID'));
    return HASH_ALGORITHMS.get(oid) ?? oid;
  }
  return 'sha1';
}

interface KeyDetails {
  algorithm: string;
  size?: number;
  curve?: string;
  exponent?: number;
}

function publicKeyDetails(der: Uint8Array, spki: Tlv): KeyDetails {
  const alg = expect(der, spki.content, spki.end, TAG.SEQUENCE, 'SubjectPublicKeyInfo algorithm');
  const bits = expect(der, alg.end, spki.end, TAG.BIT_STRING, 'subjectPublicKey');
  const oidTlv = expect(der, alg.content, alg.end, TAG.OID, 'public key algorithm');
  const oid = oidText(der, oidTlv);
  const params = oidTlv.end < alg.end ? readTlv(der, oidTlv.end, alg.end) : undefined;
  const algorithm = KEY_ALGORITHMS.get(oid) ?? oid;
  // BIT STRING content: one octet of unused-bit count, then the key.
  const keyStart = bits.content + 1;
  const keyLen = bits.end - keyStart;
  const out: KeyDetails = { algorithm };
  try {
    switch (algorithm) {
      case 'rsa':
      case 'rsa-pss': {
        const seq = expect(der, keyStart, bits.end, TAG.SEQUENCE, 'RSAPublicKey');
        const n = expect(der, seq.content, seq.end, TAG.INTEGER, 'modulus');
        const e = expect(der, n.end, seq.end, TAG.INTEGER, 'publicExponent');
        out.size = bitLength(der, n.content, n.end);
        out.exponent = smallUnsigned(der, e);
        break;
      }
      case 'ec': {
        if (params?.tag === TAG.OID) {
          const curveOid = oidText(der, params);
          const curve = CURVES.get(curveOid);
          out.curve = curve?.name ?? curveOid;
          if (curve) out.size = curve.bits;
        } else if (params?.tag === TAG.SEQUENCE) {
          // Explicit ECParameters: version, fieldID { fieldType, prime | characteristic-two }.
          out.curve = 'explicit';
          const version = readTlv(der, params.content, params.end);
          const fieldId = expect(der, version.end, params.end, TAG.SEQUENCE, 'fieldID');
          const fieldType = expect(der, fieldId.content, fieldId.end, TAG.OID, 'fieldType');
          const p = readTlv(der, fieldType.end, fieldId.end);
          if (p.tag === TAG.INTEGER) out.size = bitLength(der, p.content, p.end);
          else if (p.tag === TAG.SEQUENCE) out.size = smallUnsigned(der, expect(der, p.content, p.end, TAG.INTEGER, 'm'));
        }
        break;
      }
      case 'dsa':
      case 'dh': {
        // Dss-Parms { p, q, g } / DomainParameters { p, g, q, … } / DHParameter { p, g, l }: p first.
        if (params?.tag === TAG.SEQUENCE) {
          const p = expect(der, params.content, params.end, TAG.INTEGER, 'p');
          out.size = bitLength(der, p.content, p.end);
        }
        break;
      }
      default: {
        const fixed = FIXED_KEY_BITS.get(algorithm);
        if (fixed !== undefined) out.size = fixed;
        else if (algorithm.startsWith('ml-') || algorithm.startsWith('slh-')) out.size = keyLen * 8;
      }
    }
  } catch (err) {
    // A key we cannot take apart is still a key: report the algorithm, leave the size out.
    if (!(err instanceof DerError)) throw err;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// extensions

function decodeExtension(info: X509Details, oid: string, critical: boolean, v: Uint8Array, warnings: string[]): void {
  switch (oid) {
    case EXT.BASIC_CONSTRAINTS:
      info.basic_constraints = basicConstraints(v, critical);
      break;
    case EXT.KEY_USAGE:
      info.key_usage = keyUsage(v);
      break;
    case EXT.EXT_KEY_USAGE: {
      const seq = expect(v, 0, v.length, TAG.SEQUENCE, 'ExtKeyUsageSyntax');
      info.extended_key_usage = children(v, seq).map((t) => {
        if (t.tag !== TAG.OID) throw new DerError('ExtKeyUsage: not an OID');
        const o = oidText(v, t);
        return EXT_KEY_USAGES.get(o) ?? o;
      });
      break;
    }
    case EXT.SUBJECT_ALT_NAME:
      subjectAltNames(v, info.san, warnings);
      break;
    case EXT.SUBJECT_KEY_ID: {
      const o = expect(v, 0, v.length, TAG.OCTET_STRING, 'SubjectKeyIdentifier');
      info.subject_key_id = hexUpper(v, o.content, o.end);
      break;
    }
    case EXT.AUTHORITY_KEY_ID: {
      const seq = expect(v, 0, v.length, TAG.SEQUENCE, 'AuthorityKeyIdentifier');
      for (const f of children(v, seq)) if (f.tag === 0x80) info.authority_key_id = hexUpper(v, f.content, f.end);
      break;
    }
  }
}

function basicConstraints(v: Uint8Array, critical: boolean): BasicConstraints {
  const seq = expect(v, 0, v.length, TAG.SEQUENCE, 'BasicConstraints');
  const out: BasicConstraints = { ca: false, critical };
  for (const f of children(v, seq)) {
    if (f.tag === TAG.BOOLEAN) out.ca = f.end > f.content && v[f.content] !== 0;
    else if (f.tag === TAG.INTEGER) {
      const n = smallUnsigned(v, f);
      if (n === undefined) throw new DerError('BasicConstraints: bad pathLenConstraint');
      out.path_len = n;
    }
  }
  return out;
}

function keyUsage(v: Uint8Array): string[] {
  const bs = expect(v, 0, v.length, TAG.BIT_STRING, 'KeyUsage');
  const names: string[] = [];
  for (let bit = 0; bit < KEY_USAGE_BITS.length; bit++) {
    const at = bs.content + 1 + (bit >> 3);
    if (at < bs.end && v[at] & (0x80 >> (bit & 7))) names.push(KEY_USAGE_BITS[bit]);
  }
  return names;
}

function subjectAltNames(v: Uint8Array, san: SubjectAltNames, warnings: string[]): void {
  const seq = expect(v, 0, v.length, TAG.SEQUENCE, 'GeneralNames');
  for (const gn of children(v, seq)) {
    switch (gn.tag) {
      case 0x81:
        san.email.push(text(v, gn));
        break;
      case 0x82:
        san.dns.push(text(v, gn));
        break;
      case 0x86:
        san.uri.push(text(v, gn));
        break;
      case 0x87: {
        const len = gn.end - gn.content;
        if (len === 4) san.ip.push(`${v[gn.content]}.${v[gn.content + 1]}.${v[gn.content + 2]}.${v[gn.content + 3]}`);
        else if (len === 16) san.ip.push(ipv6Text(v.subarray(gn.content, gn.end)));
        else {
          warnings.push(`iPAddress SAN of ${len} octets`);
          san.other++;
        }
        break;
      }
      default:
        san.other++;
    }
  }
}

/** IA5String content as text (byte for byte; IA5 is 7-bit, stray high bytes stay visible as Latin-1). */
function text(v: Uint8Array, t: Tlv): string {
  let s = '';
  for (let i = t.content; i < t.end; i++) s += String.fromCharCode(v[i]);
  return s;
}
