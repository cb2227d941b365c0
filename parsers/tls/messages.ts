import { Cursor, fail, type Parsed } from './cursor.js';

/** What tlsscope keeps of a ServerKeyExchange. */
export interface ServerKeyExchange {
  kind: 'ecdhe' | 'dhe';
  /** Named group for ECDHE (curve_type 3); undefined for explicit curves. */
  group: number | undefined;
  /** Finite-field DHE: bit length of the prime p and of the server's public value Ys. */
  dhPrimeBits: number;
  dhPublicBits: number;
  /** The signature scheme (TLS 1.2) when present. */
  signatureScheme: number | undefined;
}

/**
 * Parse a ServerKeyExchange. Its layout depends on the negotiated key exchange, which only
 * the cipher suite tells, so the caller says which (RFC 4492 §5.4, RFC 5246 §7.4.3).
 */
export function parseServerKeyExchange(
  buf: Uint8Array,
  off: number,
  len: number,
  kind: 'ecdhe' | 'dhe',
  tls12: boolean,
): Parsed<ServerKeyExchange> {
  const c = new Cursor(buf, off, off + len);
  if (kind === 'ecdhe') {
    const curveType = c.u8();
    let group: number | undefined;
    if (curveType === 3) group = c.u16();
    else return { ok: true, value: { kind, group: undefined, dhPrimeBits: 0, dhPublicBits: 0, signatureScheme: undefined } };
    c.vec(1); // public point
    const signatureScheme = tls12 && c.remaining >= 4 ? c.u16() : undefined;
    if (!c.ok) return fail('ServerKeyExchange (ECDHE) truncated');
    return { ok: true, value: { kind, group, dhPrimeBits: 0, dhPublicBits: 0, signatureScheme } };
  }
  const p = c.vec(2);
  const dhPrimeBits = bitLength(p);
  c.vec(2); // g
  const ys = c.vec(2);
  const dhPublicBits = bitLength(ys);
  const signatureScheme = tls12 && c.remaining >= 4 ? c.u16() : undefined;
  if (!c.ok) return fail('ServerKeyExchange (DHE) truncated');
  return { ok: true, value: { kind, group: undefined, dhPrimeBits, dhPublicBits, signatureScheme } };
}

/** Bit length of a big-endian unsigned integer, ignoring leading zero bytes. */
function bitLength(c: Cursor): number {
  let i = c.pos;
  while (i < c.end && c.buf[i] === 0) i++;
  if (i === c.end) return 0;
  return (c.end - i - 1) * 8 + (32 - Math.clz32(c.buf[i]));
}

export interface CertificateRequest {
  certificateTypes: number[];
  signatureAlgorithms: number[];
  /** Number of distinguished names of acceptable CAs. */
  authorityCount: number;
}

/** CertificateRequest in TLS ≤ 1.2 (RFC 5246 §7.4.4); TLS 1.2 adds the signature algorithms. */
export function parseCertificateRequest(buf: Uint8Array, off: number, len: number, tls12: boolean): Parsed<CertificateRequest> {
  const c = new Cursor(buf, off, off + len);
  const certificateTypes = c.u8List(1);
  const signatureAlgorithms = tls12 ? c.u16List(2) : [];
  const cas = c.vec(2);
  let authorityCount = 0;
  while (cas.remaining > 0 && cas.ok) {
    cas.vec(2);
    authorityCount++;
  }
  if (!c.ok || !cas.ok) return fail('CertificateRequest malformed');
  return { ok: true, value: { certificateTypes, signatureAlgorithms, authorityCount } };
}

export interface NewSessionTicket {
  lifetimeHint: number;
  ticketLength: number;
}

/** NewSessionTicket in TLS ≤ 1.2 (RFC 5077 §3.3). */
export function parseNewSessionTicket(buf: Uint8Array, off: number, len: number): Parsed<NewSessionTicket> {
  const c = new Cursor(buf, off, off + len);
  const lifetimeHint = c.u32();
  const t = c.vec(2);
  if (!c.ok) return fail('NewSessionTicket truncated');
  return { ok: true, value: { lifetimeHint, ticketLength: t.end - t.pos } };
}

export interface Alert {
  level: number;
  description: number;
}

/** A plaintext alert record body: level (1 warning, 2 fatal) and description. */
export function parseAlert(buf: Uint8Array, off: number, len: number): Parsed<Alert> {
  if (len !== 2) return fail(`alert record of ${len} bytes (2 expected)`);
  const level = buf[off];
  if (level !== 1 && level !== 2) return fail(`alert level ${level}`);
  return { ok: true, value: { level, description: buf[off + 1] } };
}
