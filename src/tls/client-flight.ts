import type { RecordSize } from './connection.js';

/**
 * What the sizes of a TLS 1.3 client's encrypted flight say about client authentication.
 *
 * TLS 1.3 hides CertificateRequest and the client's Certificate, but not their sizes. The
 * client's flight after the server's Finished is one of:
 *   Finished                                   → not requested
 *   Certificate(empty) + Finished              → requested, not presented
 *   Certificate + CertificateVerify + Finished → requested and presented
 * in one record each (OpenSSL, GnuTLS, Go, Java) or coalesced (BoringSSL and NSS pack a flight
 * into one record), each record possibly padded. Readings, most certain first:
 *   1. exact sizes, no padding;
 *   2. the same padding on every record, measured on a record whose content is known (Finished,
 *      an empty Certificate) and confirmed on the others;
 *   3. one record too small to hold any certificate: Finished, padded (or an empty Certificate
 *      coalesced with it): nothing presented;
 *   4. a first record large enough for Certificate + CertificateVerify + Finished: presented.
 * No reading says presented unless the flight's first record can carry a real certificate;
 * 0-RTT data offered in the hello could be such a record, so reading 4 is not made then.
 */

/** AEAD expansion of one TLS 1.3 record: the inner content type byte and a 16-byte tag (RFC 8446 §5.2). */
const RECORD_OVERHEAD = 1 + 16;
/** An empty Certificate message: header, empty context, empty list (RFC 8446 §4.4.2). */
const EMPTY_CERTIFICATE = 4 + 1 + 3;
/** The smallest Certificate message that carries a certificate: no real DER certificate is this small. */
const MIN_CERTIFICATE = 4 + 1 + 3 + 3 + 200 + 2;
/** CertificateVerify: header, scheme, length, signature (Ed25519 64 bytes … RSA-8192 1024 bytes). */
const MIN_CERTIFICATE_VERIFY = 4 + 2 + 2 + 40;
const MAX_CERTIFICATE_VERIFY = 4 + 2 + 2 + 1024;
/** EndOfEarlyData: it precedes the flight after accepted 0-RTT data (only when the hello offered early data). */
const END_OF_EARLY_DATA = 4;
/**
 * Zero padding per record (RFC 8446 §5.4) accepted when every record of the flight carries the
 * same amount: Java's JSSE pads each TLS 1.3 record by 16 bytes.
 */
const MAX_PADDING = 255;

export interface FlightReading {
  requested: boolean;
  presented: boolean;
  confidence: 'high' | 'medium';
  /** The messages as read, e.g. "empty Certificate, Finished". */
  pattern: string;
  /** Padding per record the reading assumes (0: none). */
  padding: number;
  /** Lengths of the flight's first records (at most 3), as on the wire. */
  sizes: number[];
}

/** Finished carries a MAC of the suite's hash length (RFC 8446 §4.4.4). */
function finishedLength(suite: number): number {
  const hashLen = suite === 0x1302 ? 48 : 32; // TLS_AES_256_GCM_SHA384 is the one SHA-384 suite
  return 4 + hashLen;
}

const isCertificateVerify = (n: number): boolean => n >= MIN_CERTIFICATE_VERIFY && n <= MAX_CERTIFICATE_VERIFY;
const isPadding = (p: number): boolean => p > 0 && p <= MAX_PADDING;

function reading(sizes: number[], requested: boolean, presented: boolean, confidence: 'high' | 'medium', pattern: string, padding = 0): FlightReading {
  return { requested, presented, confidence, pattern, padding, sizes };
}

/**
 * Padding of a server's TLS 1.3 records, from the length of the last record of its flight when
 * that record is its Finished alone with the same padding as the others; 0 otherwise.
 */
export function serverFinishedPadding(lastRecordLength: number, suite: number): number {
  const p = lastRecordLength - RECORD_OVERHEAD - finishedLength(suite);
  return isPadding(p) ? p : 0;
}

/** The reading of a connection's client flight, or why there is none. */
export function readClientFlight(records: readonly RecordSize[], suite: number, earlyDataOffered: boolean): FlightReading | string {
  // Inner plaintext lengths (content plus padding) of the client's first encrypted records
  // after the server's first encrypted one.
  const inner: number[] = [];
  let serverSpoke = false;
  for (let i = 0; i < records.length && inner.length < 4; i++) {
    const r = records[i];
    if (r.type !== 23) continue;
    if (r.from === 'S') serverSpoke = true;
    else if (serverSpoke) inner.push(r.length - RECORD_OVERHEAD);
  }
  if (!serverSpoke) return 'no encrypted server flight seen';
  if (inner.length === 0) return 'no encrypted client flight seen';
  if (earlyDataOffered && inner[0] === END_OF_EARLY_DATA && inner.length > 1) inner.shift();
  if (inner.length > 3) inner.length = 3;
  const sizes = inner.map((n) => n + RECORD_OVERHEAD);
  const fin = finishedLength(suite);
  const [a, b = -1, c = -1] = inner;

  // 1. exact
  if (a === fin) return reading(sizes, false, false, 'high', 'Finished alone');
  if (a === EMPTY_CERTIFICATE && b === fin) return reading(sizes, true, false, 'high', 'empty Certificate, Finished');
  if (a === EMPTY_CERTIFICATE + fin) return reading(sizes, true, false, 'high', 'empty Certificate + Finished in one record');
  if (a >= MIN_CERTIFICATE) {
    if (isCertificateVerify(b) && c === fin) return reading(sizes, true, true, 'high', 'Certificate, CertificateVerify, Finished');
    if (b === fin) return reading(sizes, true, true, 'medium', 'Certificate + CertificateVerify in one record, Finished');
  }
  // 2. the same padding on every record
  const p = a - EMPTY_CERTIFICATE;
  if (isPadding(p) && b === fin + p) return reading(sizes, true, false, 'high', 'empty Certificate, Finished', p);
  const q = c - fin;
  if (isPadding(q) && a - q >= MIN_CERTIFICATE && isCertificateVerify(b - q)) return reading(sizes, true, true, 'high', 'Certificate, CertificateVerify, Finished', q);
  // 3. too small for a certificate
  if (a < MIN_CERTIFICATE && isPadding(a - fin)) return reading(sizes, false, false, 'medium', 'Finished (or an empty Certificate with it)', a - fin);
  // 4. a whole flight in one record
  if (!earlyDataOffered && a >= MIN_CERTIFICATE + MIN_CERTIFICATE_VERIFY + fin) {
    return reading(sizes, true, true, 'medium', 'Certificate + CertificateVerify + Finished in one record');
  }
  return `client flight sizes ${sizes.join(',')} match no known pattern (post-handshake authentication, or a flight not seen whole?)`;
}
