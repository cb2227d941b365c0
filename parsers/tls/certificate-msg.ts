import { Cursor, fail, type Parsed } from './cursor.js';

/** A Certificate handshake message: the DER certificates in the order sent, leaf first. */
export interface CertificateMsg {
  certificates: Uint8Array[];
  /** TLS 1.3 certificate_request_context (empty in a server's Certificate). */
  context: Uint8Array | undefined;
}

/**
 * Parse a Certificate body. TLS 1.3 adds a request context before the list and an
 * extension block after each certificate (RFC 8446 §4.4.2); `tls13` selects the shape.
 * Certificates are copied: they outlive the packet buffer.
 */
export function parseCertificateMsg(buf: Uint8Array, off: number, len: number, tls13: boolean, maxCerts = 32): Parsed<CertificateMsg> {
  const c = Cursor.owning(buf, off, len); // one copy; every field is a view of it
  let context: Uint8Array | undefined;
  if (tls13) {
    const ctx = c.vec(1);
    context = ctx.bytes(ctx.remaining);
  }
  const list = c.vec(3);
  const certificates: Uint8Array[] = [];
  while (list.remaining > 0 && list.ok) {
    const cert = list.vec(3);
    if (certificates.length < maxCerts) certificates.push(cert.bytes(cert.remaining));
    if (tls13) list.vec(2);
  }
  if (!c.ok || !list.ok) return fail(`Certificate message malformed (${certificates.length} certificates read)`);
  return { ok: true, value: { certificates, context } };
}
