/**
 * DTLS framing (RFC 6347, RFC 9147): records carry an epoch and sequence number, and
 * handshake messages carry a message sequence and a fragment range, because datagrams
 * may be lost, reordered or duplicated.
 */
export const DTLS_RECORD_HEADER = 13;
export const DTLS_HANDSHAKE_HEADER = 12;

export interface DtlsRecord {
  type: number;
  version: number;
  epoch: number;
  /** Offset and length of the record body in the datagram. */
  off: number;
  len: number;
  /** A DTLS 1.3 ciphertext record with the unified header (RFC 9147 §4). */
  unified: boolean;
}

/** Whether a datagram starts with a DTLS handshake record carrying a ClientHello/ServerHello. */
export function looksLikeDtlsHello(buf: Uint8Array, off: number, len: number): 0 | 1 | 2 {
  if (len < DTLS_RECORD_HEADER + DTLS_HANDSHAKE_HEADER || buf[off] !== 22 || buf[off + 1] !== 0xfe) return 0;
  const minor = buf[off + 2];
  if (minor !== 0xff && minor !== 0xfd && minor !== 0xfc) return 0;
  const recLen = (buf[off + 11] << 8) | buf[off + 12];
  if (recLen + DTLS_RECORD_HEADER > len) return 0;
  const hs = buf[off + 13];
  return hs === 1 || hs === 2 || hs === 3 ? (hs === 3 ? 2 : (hs as 1 | 2)) : 0;
}

/**
 * Split a datagram into DTLS records. Stops at the first malformed record (what follows
 * cannot be framed); returns the records read so far.
 */
export function dtlsRecords(buf: Uint8Array, off: number, len: number): DtlsRecord[] {
  const out: DtlsRecord[] = [];
  const end = off + len;
  let p = off;
  while (p < end) {
    const t = buf[p];
    if ((t & 0xe0) === 0x20) {
      // Unified header: 001CSLEE — C: connection id, S: 16-bit sequence, L: length present.
      const hasCid = (t & 0x10) !== 0;
      if (hasCid) break; // the connection id length is not on the wire; cannot frame
      const seqLen = t & 0x08 ? 2 : 1;
      const hasLen = (t & 0x04) !== 0;
      const hdr = 1 + seqLen + (hasLen ? 2 : 0);
      if (p + hdr > end) break;
      const bodyLen = hasLen ? (buf[p + 1 + seqLen] << 8) | buf[p + 2 + seqLen] : end - p - hdr;
      if (p + hdr + bodyLen > end) break;
      out.push({ type: 23, version: 0xfefc, epoch: t & 3, off: p + hdr, len: bodyLen, unified: true });
      p += hdr + bodyLen;
      continue;
    }
    if (p + DTLS_RECORD_HEADER > end || t < 20 || t > 25 || buf[p + 1] !== 0xfe) break;
    const bodyLen = (buf[p + 11] << 8) | buf[p + 12];
    if (p + DTLS_RECORD_HEADER + bodyLen > end) break;
    out.push({
      type: t,
      version: (buf[p + 1] << 8) | buf[p + 2],
      epoch: (buf[p + 3] << 8) | buf[p + 4],
      off: p + DTLS_RECORD_HEADER,
      len: bodyLen,
      unified: false,
    });
    p += DTLS_RECORD_HEADER + bodyLen;
  }
  return out;
}

export interface DtlsFragment {
  type: number;
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
  /** Offset of the fragment's bytes. */
  off: number;
}

/** Handshake fragments inside one plaintext DTLS handshake record. */
export function dtlsFragments(buf: Uint8Array, off: number, len: number): DtlsFragment[] {
  const out: DtlsFragment[] = [];
  const end = off + len;
  let p = off;
  while (p + DTLS_HANDSHAKE_HEADER <= end) {
    const type = buf[p];
    const length = (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
    const messageSeq = (buf[p + 4] << 8) | buf[p + 5];
    const fragmentOffset = (buf[p + 6] << 16) | (buf[p + 7] << 8) | buf[p + 8];
    const fragmentLength = (buf[p + 9] << 16) | (buf[p + 10] << 8) | buf[p + 11];
    if (p + DTLS_HANDSHAKE_HEADER + fragmentLength > end || fragmentOffset + fragmentLength > length) break;
    out.push({ type, length, messageSeq, fragmentOffset, fragmentLength, off: p + DTLS_HANDSHAKE_HEADER });
    p += DTLS_HANDSHAKE_HEADER + fragmentLength;
  }
  return out;
}
