import { children, oidText, readTlv, TAG, type Tlv } from './der.js';
import { decodeCertificate } from './peculiar.js';

/**
 * What parse.ts reads from the X.509 `Certificate` structure besides the spans it walks
 * itself: version, serial, the two signature algorithm identifiers, the validity dates and
 * the extension list.
 */
export interface CertificateModel {
  /** 0 = v1, 2 = v3 (the INTEGER as encoded). */
  version: number;
  /** The serial number INTEGER's content octets. */
  serial: Uint8Array;
  tbsSignatureOid: string;
  signatureOid: string;
  /** The outer signature algorithm's parameters element (tag and length included), if any. */
  signatureParams: Uint8Array | undefined;
  notBefore: Time;
  notAfter: Time;
  extensions: { oid: string; critical: boolean; value: Uint8Array }[];
}

export interface Time {
  date: Date;
  encoding: 'utc' | 'generalized';
}

/**
 * The model of a DER certificate. Canonical certificates (what CAs issue) are read by a DER
 * walker; anything else — optional fields rarely seen, non-canonical times or booleans, a
 * structure the walker does not expect — goes to the schema decoder of @peculiar/asn1-schema,
 * which also decides what is rejected. Measured on the bench certificate pool: the schema
 * decode costs ~0.8 ms per certificate, the walker a few microseconds, and a network with many
 * distinct certificates pays that once per certificate. The walker never accepts what the
 * schema decoder would refuse, and both give the same model: test/enrich/x509-tbs.test.ts
 * compares them on every corpus certificate and thousands of damaged ones.
 */
export function certificateModel(der: Uint8Array, maxNodes: number): CertificateModel {
  let fast: CertificateModel | undefined;
  try {
    fast = canonicalModel(der);
  } catch {
    fast = undefined;
  }
  return fast ?? schemaModel(der, maxNodes);
}

/** The schema decoder's model, in the same shape. Throws on anything that is not an X.509 certificate. */
export function schemaModel(der: Uint8Array, maxNodes: number): CertificateModel {
  const model = decodeCertificate(der, { berOptions: { maxNodes } });
  const tbs = model.tbsCertificate;
  const time = (t: (typeof tbs.validity)['notBefore']): Time =>
    t.utcTime !== undefined ? { date: t.utcTime, encoding: 'utc' } : { date: t.generalTime as Date, encoding: 'generalized' };
  const params = model.signatureAlgorithm.parameters;
  return {
    version: tbs.version,
    serial: new Uint8Array(tbs.serialNumber),
    tbsSignatureOid: tbs.signature.algorithm,
    signatureOid: model.signatureAlgorithm.algorithm,
    signatureParams: params === null || params === undefined ? undefined : new Uint8Array(params),
    notBefore: time(tbs.validity.notBefore),
    notAfter: time(tbs.validity.notAfter),
    extensions: (tbs.extensions ?? []).map((e) => ({ oid: e.extnID, critical: e.critical, value: new Uint8Array(e.extnValue.buffer) })),
  };
}

/** The walker: a model for a canonical certificate, undefined for anything else. */
export function canonicalModel(der: Uint8Array): CertificateModel | undefined {
  const cert = readTlv(der, 0, der.length);
  if (cert.tag !== TAG.SEQUENCE || cert.end !== der.length) return undefined;
  const top = children(der, cert);
  if (top.length !== 3 || top[0].tag !== TAG.SEQUENCE || top[1].tag !== TAG.SEQUENCE || top[2].tag !== TAG.BIT_STRING) return undefined;
  const outer = algorithm(der, top[1]);
  if (!outer || !isBitString(der, top[2])) return undefined;
  // What the schema decoder's BER reader refuses anywhere in the tree, the walker refuses too.
  if (!wellFormed(der, cert, 0)) return undefined;

  const f = children(der, top[0]);
  let i = 0;
  let version = 0;
  if (f[i]?.tag === 0xa0) {
    const inner = children(der, f[i]);
    if (inner.length !== 1 || inner[0].tag !== TAG.INTEGER || inner[0].end - inner[0].content !== 1) return undefined;
    version = der[inner[0].content];
    if (version > 2) return undefined;
    i++;
  }
  const [serial, sig, issuer, validity, subject, spki] = f.slice(i, i + 6);
  if (!spki) return undefined;
  i += 6;
  if (serial.tag !== TAG.INTEGER || serial.end === serial.content) return undefined;
  const tbsSig = sig.tag === TAG.SEQUENCE ? algorithm(der, sig) : undefined;
  if (!tbsSig || !isName(der, issuer) || !isName(der, subject)) return undefined;
  if (validity.tag !== TAG.SEQUENCE) return undefined;
  const times = children(der, validity);
  if (times.length !== 2) return undefined;
  const notBefore = timeOf(der, times[0]);
  const notAfter = timeOf(der, times[1]);
  if (!notBefore || !notAfter) return undefined;
  if (spki.tag !== TAG.SEQUENCE) return undefined;
  const key = children(der, spki);
  if (key.length !== 2 || key[0].tag !== TAG.SEQUENCE || !algorithm(der, key[0]) || !isBitString(der, key[1])) return undefined;

  const extensions: CertificateModel['extensions'] = [];
  if (f[i]?.tag === 0xa3) {
    const wrap = children(der, f[i]);
    if (wrap.length !== 1 || wrap[0].tag !== TAG.SEQUENCE) return undefined;
    for (const e of children(der, wrap[0])) {
      if (e.tag !== TAG.SEQUENCE) return undefined;
      const parts = children(der, e);
      if (parts.length < 2 || parts.length > 3 || parts[0].tag !== TAG.OID) return undefined;
      let critical = false;
      if (parts.length === 3) {
        const b = parts[1];
        if (b.tag !== TAG.BOOLEAN || b.end - b.content !== 1 || (der[b.content] !== 0 && der[b.content] !== 0xff)) return undefined;
        critical = der[b.content] === 0xff;
      }
      const value = parts[parts.length - 1];
      if (value.tag !== TAG.OCTET_STRING) return undefined;
      extensions.push({ oid: oidText(der, parts[0]), critical, value: der.subarray(value.content, value.end) });
    }
    i++;
  }
  // issuerUniqueID, subjectUniqueID, or anything unexpected: the schema decoder's call.
  if (i !== f.length) return undefined;

  return {
    version,
    serial: der.subarray(serial.content, serial.end),
    tbsSignatureOid: tbsSig.oid,
    signatureOid: outer.oid,
    signatureParams: outer.params,
    notBefore,
    notAfter,
    extensions,
  };
}

/** A primitive BIT STRING with its unused-bit count (0-7). */
function isBitString(der: Uint8Array, t: Tlv): boolean {
  return t.tag === TAG.BIT_STRING && t.end > t.content && der[t.content] <= 7;
}

/**
 * Every element of the tree, down through constructed ones: universal tags 0 and 15 are
 * reserved, and universal types other than SEQUENCE and SET are primitive here.
 */
function wellFormed(der: Uint8Array, t: Tlv, depth: number): boolean {
  const universal = (t.tag & 0xc0) === 0;
  const num = t.tag & 0x1f;
  if (universal && (num === 0 || num === 15)) return false;
  if ((t.tag & 0x20) === 0) return !universal || primitiveOk(der, t);
  if (universal && num !== 0x10 && num !== 0x11) return false;
  if (depth > 64) return false;
  for (const c of children(der, t)) if (!wellFormed(der, c, depth + 1)) return false;
  return true;
}

/** The content rules of the universal primitive types the schema decoder's BER reader checks. */
function primitiveOk(der: Uint8Array, t: Tlv): boolean {
  const n = t.end - t.content;
  switch (t.tag) {
    case TAG.OID:
      return n > 0 && (der[t.end - 1] & 0x80) === 0;
    case TAG.BIT_STRING:
      return n > 0 && der[t.content] <= 7;
    case TAG.NULL:
      return n === 0;
    case TAG.UNIVERSAL_STRING:
      return n % 4 === 0;
    case TAG.BMP_STRING:
      return n % 2 === 0;
    case 0x10: // SEQUENCE and SET are constructed: their primitive form is refused
    case 0x11:
      return false;
    case TAG.UTC_TIME: // times are decoded wherever they are: only the canonical forms here
    case TAG.GENERALIZED_TIME:
      return timeOf(der, t) !== undefined;
    default:
      return true;
  }
}

/** AlgorithmIdentifier: an OID and at most one parameters element. */
function algorithm(der: Uint8Array, seq: Tlv): { oid: string; params: Uint8Array | undefined } | undefined {
  const parts = children(der, seq);
  if (parts.length < 1 || parts.length > 2 || parts[0].tag !== TAG.OID) return undefined;
  const p = parts[1];
  if (p?.tag === TAG.NULL && p.end !== p.content) throw new Error('NULL with content'); // the schema decoder's call
  // An absent and a NULL parameter are the same to the schema decoder (null): to us too.
  return { oid: oidText(der, parts[0]), params: p && p.tag !== TAG.NULL ? der.subarray(p.start, p.end) : undefined };
}

/** Name: a SEQUENCE of non-empty SETs of { OID, value } pairs. */
function isName(der: Uint8Array, name: Tlv): boolean {
  if (name.tag !== TAG.SEQUENCE) return false;
  for (const rdn of children(der, name)) {
    if (rdn.tag !== TAG.SET) return false;
    const atvs = children(der, rdn);
    if (atvs.length === 0) return false;
    for (const atv of atvs) {
      if (atv.tag !== TAG.SEQUENCE) return false;
      const pair = children(der, atv);
      if (pair.length !== 2 || pair[0].tag !== TAG.OID || (pair[1].tag & 0x20) !== 0) return false;
    }
  }
  return true;
}

/** UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280 §4.1.2.5); anything else: undefined. */
function timeOf(der: Uint8Array, t: Tlv): Time | undefined {
  const n = t.end - t.content;
  const utc = t.tag === TAG.UTC_TIME;
  if (!(utc && n === 13) && !(t.tag === TAG.GENERALIZED_TIME && n === 15)) return undefined;
  if (der[t.end - 1] !== 0x5a) return undefined; // 'Z'
  const digits: number[] = [];
  for (let p = t.content; p < t.end - 1; p += 2) {
    const hi = der[p] - 0x30;
    const lo = der[p + 1] - 0x30;
    if (hi < 0 || hi > 9 || lo < 0 || lo > 9) return undefined;
    digits.push(hi * 10 + lo);
  }
  // UTCTime: YY (1950-2049, RFC 5280), then MM DD hh mm ss; GeneralizedTime: YYYY, then the same.
  const year = utc ? (digits[0] >= 50 ? 1900 : 2000) + digits[0] : digits[0] * 100 + digits[1];
  const [month, day, hour, minute, second] = digits.slice(utc ? 1 : 2);
  // Date.UTC as the schema decoder calls it (out-of-range fields roll over, years 0-99 map to 19xx).
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return { date, encoding: utc ? 'utc' : 'generalized' };
}
