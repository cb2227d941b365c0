/** TLS record header (RFC 8446 §5.1): type(1) version(2) length(2). */
export const RECORD_HEADER = 5;
/** Largest legal record body: 2^14 plaintext + 2048 expansion (RFC 5246 §6.2.3); 1.3 allows less. */
export const MAX_RECORD_BODY = 16384 + 2048;

/**
 * Whether bytes look like the start of a TLS record: a known content type, a 3.x record
 * version and a legal length. Cheap enough to run on every unclassified segment.
 */
export function looksLikeRecord(buf: Uint8Array, off: number, avail: number): boolean {
  if (avail < RECORD_HEADER) return false;
  const type = buf[off];
  if (type < 20 || type > 24) return false;
  if (buf[off + 1] !== 3 || buf[off + 2] > 4) return false;
  const len = (buf[off + 3] << 8) | buf[off + 4];
  return len > 0 && len <= MAX_RECORD_BODY;
}

/**
 * Whether bytes start a handshake record whose first message is a ClientHello (1) or
 * ServerHello (2): the signal used to detect TLS on any port and after STARTTLS.
 */
export function looksLikeHelloRecord(buf: Uint8Array, off: number, avail: number): 0 | 1 | 2 {
  if (avail < RECORD_HEADER + 4 || buf[off] !== 22 || !looksLikeRecord(buf, off, avail)) return 0;
  const hs = buf[off + 5];
  if (hs !== 1 && hs !== 2) return 0;
  const recLen = (buf[off + 3] << 8) | buf[off + 4];
  const msgLen = (buf[off + 6] << 16) | (buf[off + 7] << 8) | buf[off + 8];
  // A hello can span records, but its declared length must at least hold the fixed part.
  if (msgLen < 38 || msgLen > 1 << 20) return 0;
  if (recLen < 4) return 0;
  // version inside the hello: 3.x (or a TLS 1.3 draft marker for early-draft ServerHellos)
  if (avail >= RECORD_HEADER + 6) {
    const major = buf[off + 9];
    if (major !== 3 && major !== 0x7f) return 0;
  }
  return hs as 1 | 2;
}
