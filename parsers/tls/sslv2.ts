import { Cursor, fail, type Parsed } from './cursor.js';
import { emptyExtensions } from './extensions.js';
import type { ClientHello } from './hello.js';

/**
 * SSL 2.0 record framing: a 2-byte header with the top bit set (no padding), or a 3-byte
 * header otherwise (RFC 6101 appendix E / the SSL 2.0 draft). Returns the header and body
 * lengths, or undefined when the bytes cannot be an SSLv2 record start.
 */
export function sslv2RecordHeader(buf: Uint8Array, off: number, avail: number): { header: number; body: number } | undefined {
  if (avail < 2) return undefined;
  if (buf[off] & 0x80) return { header: 2, body: ((buf[off] & 0x7f) << 8) | buf[off + 1] };
  if (avail < 3) return undefined;
  return { header: 3, body: ((buf[off] & 0x3f) << 8) | buf[off + 1] };
}

export const SSLV2_MSG_CLIENT_HELLO = 1;
export const SSLV2_MSG_CLIENT_MASTER_KEY = 2;
export const SSLV2_MSG_SERVER_HELLO = 4;

/**
 * Does this look like an SSLv2-format ClientHello? Used to detect TLS by content:
 * 2-byte header, msg type 1, version 2.0 or 3.x, cipher spec length a multiple of 3.
 */
export function looksLikeSslv2ClientHello(buf: Uint8Array, off: number, avail: number): boolean {
  if (avail < 11 || (buf[off] & 0x80) === 0) return false;
  const len = ((buf[off] & 0x7f) << 8) | buf[off + 1];
  if (buf[off + 2] !== SSLV2_MSG_CLIENT_HELLO) return false;
  const major = buf[off + 3];
  const minor = buf[off + 4];
  if (!((major === 0 && minor === 2) || (major === 3 && minor <= 4))) return false;
  const specLen = (buf[off + 5] << 8) | buf[off + 6];
  const sidLen = (buf[off + 7] << 8) | buf[off + 8];
  const chalLen = (buf[off + 9] << 8) | buf[off + 10];
  return specLen > 0 && specLen % 3 === 0 && (sidLen === 0 || sidLen === 16 || sidLen === 32) &&
    chalLen >= 16 && chalLen <= 32 && 9 + specLen + sidLen + chalLen === len;
}

/** Parse an SSLv2 CLIENT-HELLO message body (starting at the msg type byte). */
export function parseSslv2ClientHello(buf: Uint8Array, off: number, len: number): Parsed<ClientHello> {
  const c = Cursor.owning(buf, off, len); // one copy; every field is a view of it
  if (c.u8() !== SSLV2_MSG_CLIENT_HELLO) return fail('SSLv2 message is not a CLIENT-HELLO');
  const version = c.u16();
  const specLen = c.u16();
  const sidLen = c.u16();
  const chalLen = c.u16();
  const specs = c.sub(specLen);
  const sessionId = c.bytes(sidLen);
  const challenge = c.bytes(chalLen);
  if (!c.ok || specLen % 3 !== 0) return fail('SSLv2 CLIENT-HELLO truncated or malformed');
  const cipherSuites: number[] = [];
  const kinds: number[] = [];
  while (specs.remaining >= 3) {
    const k = specs.u8();
    const v = specs.u16();
    // A spec whose first byte is 0 is a TLS cipher suite (RFC 5246 E.2).
    if (k === 0) cipherSuites.push(v);
    else kinds.push((k << 16) | v);
  }
  // The challenge is right-aligned in the 32-byte random (RFC 5246 E.2).
  const random = new Uint8Array(32);
  random.set(challenge.subarray(Math.max(0, challenge.length - 32)), 32 - Math.min(32, challenge.length));
  return {
    ok: true,
    value: {
      version,
      random,
      sessionId,
      cipherSuites,
      compressionMethods: [0],
      hasExtensions: false,
      ext: emptyExtensions(),
      sslv2Format: true,
      sslv2CipherKinds: kinds,
    },
  };
}

export interface Sslv2ServerHello {
  sessionIdHit: boolean;
  version: number;
  certificate: Uint8Array;
  cipherKinds: number[];
}

/** Parse an SSLv2 SERVER-HELLO message body (starting at the msg type byte). */
export function parseSslv2ServerHello(buf: Uint8Array, off: number, len: number): Parsed<Sslv2ServerHello> {
  const c = Cursor.owning(buf, off, len); // one copy; every field is a view of it
  if (c.u8() !== SSLV2_MSG_SERVER_HELLO) return fail('SSLv2 message is not a SERVER-HELLO');
  const sessionIdHit = c.u8() !== 0;
  c.u8(); // certificate type
  const version = c.u16();
  const certLen = c.u16();
  const specLen = c.u16();
  c.u16(); // connection id length
  const certificate = c.bytes(certLen);
  const specs = c.sub(specLen);
  const cipherKinds: number[] = [];
  while (specs.remaining >= 3) cipherKinds.push((specs.u8() << 16) | specs.u16());
  if (!c.ok) return fail('SSLv2 SERVER-HELLO truncated or malformed');
  return { ok: true, value: { sessionIdHit, version, certificate, cipherKinds } };
}

/** The cipher kind the client chose in CLIENT-MASTER-KEY. */
export function parseSslv2ClientMasterKey(buf: Uint8Array, off: number, len: number): Parsed<number> {
  const c = new Cursor(buf, off, off + len);
  if (c.u8() !== SSLV2_MSG_CLIENT_MASTER_KEY) return fail('SSLv2 message is not a CLIENT-MASTER-KEY');
  const kind = (c.u8() << 16) | c.u16();
  if (!c.ok) return fail('SSLv2 CLIENT-MASTER-KEY truncated');
  return { ok: true, value: kind };
}
