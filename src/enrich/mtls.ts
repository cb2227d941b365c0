import type { RecordSize, TlsConnection } from '../tls/connection.js';

export interface MtlsVerdict {
  requested: boolean | null;
  presented: boolean | null;
  method: 'observed' | 'inferred' | 'unknown';
  /** How sure an inference is (TLS 1.3 only). */
  confidence?: 'high' | 'medium';
  /** The record sizes an inference rests on, or why nothing could be said. */
  evidence?: string;
}

/** AEAD expansion of one TLS 1.3 record: the inner content type byte and a 16-byte tag (RFC 8446 §5.2). */
const RECORD_OVERHEAD = 1 + 16;
/** An empty Certificate message: header, empty context, empty list (RFC 8446 §4.4.2). */
const EMPTY_CERTIFICATE = 4 + 1 + 3;
/** The smallest Certificate message that carries a certificate: no real DER certificate is this small. */
const MIN_CERTIFICATE = 4 + 1 + 3 + 3 + 200 + 2;
/** CertificateVerify: header, scheme, length, signature (Ed25519 64 bytes … RSA-8192 1024 bytes). */
const MIN_CERTIFICATE_VERIFY = 4 + 2 + 2 + 40;
const MAX_CERTIFICATE_VERIFY = 4 + 2 + 2 + 1024;

/** Finished carries a MAC of the suite's hash length (RFC 8446 §4.4.4). */
function finishedLength(suite: number): number {
  const hashLen = suite === 0x1302 ? 48 : 32; // TLS_AES_256_GCM_SHA384 is the one SHA-384 suite
  return 4 + hashLen;
}

/**
 * TLS 1.3 hides CertificateRequest and the client's Certificate, but not their sizes. The
 * client's flight after the server's Finished is one of:
 *   Finished                                  → not requested
 *   Certificate(empty) + Finished             → requested, not presented
 *   Certificate + CertificateVerify + Finished → requested and presented
 * in one record each or coalesced. Only exact sizes count as evidence; anything else
 * (record padding, post-handshake authentication, a flight we did not see) is "unknown".
 * A connection is never called presented without a Finished of the exact size after it.
 */
export function inferTls13(records: RecordSize[], suite: number): MtlsVerdict {
  const fin = finishedLength(suite) + RECORD_OVERHEAD;
  const emptyCertRecord = EMPTY_CERTIFICATE + RECORD_OVERHEAD;
  const emptyCertAndFin = EMPTY_CERTIFICATE + finishedLength(suite) + RECORD_OVERHEAD;
  const firstServer = records.findIndex((r) => r.from === 'S' && r.type === 23);
  if (firstServer < 0) return unknown('no encrypted server flight seen');
  let client = records.slice(firstServer).filter((r) => r.from === 'C' && r.type === 23).map((r) => r.length);
  if (client.length === 0) return unknown('no encrypted client flight seen');
  // EndOfEarlyData (4-byte message) precedes the flight after accepted 0-RTT data.
  if (client[0] === 4 + RECORD_OVERHEAD && client.length > 1) client = client.slice(1);
  const sizes = client.slice(0, 3).join(',');
  const [a, b, c] = client;
  if (a === fin) return inferred(false, false, 'high', `client flight: Finished alone (${sizes})`);
  if (a === emptyCertRecord && b === fin) return inferred(true, false, 'high', `client flight: empty Certificate, Finished (${sizes})`);
  if (a === emptyCertAndFin) return inferred(true, false, 'high', `client flight: empty Certificate + Finished in one record (${sizes})`);
  if (a >= MIN_CERTIFICATE + RECORD_OVERHEAD) {
    const cvOk = (n: number | undefined) => n !== undefined && n >= MIN_CERTIFICATE_VERIFY + RECORD_OVERHEAD && n <= MAX_CERTIFICATE_VERIFY + RECORD_OVERHEAD;
    if (cvOk(b) && c === fin) return inferred(true, true, 'high', `client flight: Certificate, CertificateVerify, Finished (${sizes})`);
    if (b === fin) return inferred(true, true, 'medium', `client flight: Certificate + CertificateVerify in one record, Finished (${sizes})`);
  }
  return unknown(`client flight sizes ${sizes} match no known pattern (padding or post-handshake authentication?)`);
}

function inferred(requested: boolean, presented: boolean, confidence: 'high' | 'medium', evidence: string): MtlsVerdict {
  return { requested, presented, method: 'inferred', confidence, evidence };
}

function unknown(evidence: string): MtlsVerdict {
  return { requested: null, presented: null, method: 'unknown', evidence };
}

/** mTLS as the plaintext handshake shows it (TLS ≤ 1.2). */
export function observe(conn: TlsConnection): MtlsVerdict {
  // The server flight is over once ServerHelloDone (or an abbreviated handshake) was seen.
  const serverFlightSeen = conn.history.includes('n') || conn.abbreviated;
  const requested = conn.certificateRequest !== undefined ? true : serverFlightSeen ? false : null;
  let presented: boolean | null = null;
  if (conn.clientCertificates !== undefined) presented = conn.clientCertificates.length > 0;
  else if (conn.clientKeyExchange || conn.abbreviated || requested === false) presented = false;
  if (requested === null && presented === null) return unknown('handshake ended before the server flight');
  return { requested, presented, method: 'observed' };
}

/** Client authentication of a connection: observed in TLS ≤ 1.2, inferred from sizes in TLS 1.3. */
export function mtlsOf(conn: TlsConnection): MtlsVerdict {
  if (!conn.serverHello && !conn.sslv2ServerHello) return unknown('no ServerHello seen');
  if (conn.tls13) {
    if (conn.resumed) return inferred(false, false, 'medium', 'PSK resumption: certificates are not exchanged again');
    return inferTls13(conn.recordSizes, conn.serverHello!.cipherSuite);
  }
  if (conn.sslv2ServerHello) return unknown('SSL 2.0');
  return observe(conn);
}
