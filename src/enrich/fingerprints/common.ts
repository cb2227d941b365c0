/**
 * Helpers shared by the TLS fingerprint methods. Written from the method descriptions
 * (RFC 8701 for GREASE; the JA3 README and JA4.md for the formatting rules), no code copied.
 */

/**
 * RFC 8701 §2 GREASE code point: 0x0A0A, 0x1A1A, … 0xFAFA (both bytes equal, low nibble 0xA).
 * Exact test, so real values such as group 257 (0x0101) are never dropped.
 */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A 16-bit value as 4 lower-case hex digits, zero-padded (0x002F → "002f"). */
export function hex4(v: number): string {
  return HEX2[(v >>> 8) & 0xff] + HEX2[v & 0xff];
}

/** A byte as 2 lower-case hex digits. */
export function hex2(v: number): string {
  return HEX2[v & 0xff];
}
