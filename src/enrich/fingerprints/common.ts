/**
 * Helpers shared by the TLS fingerprint methods. GREASE detection (the exact RFC 8701 §2 test,
 * so real values such as group 257 = 0x0101 are never dropped) lives with the TLS constants.
 */
export { isGrease } from '../../../parsers/tls/constants.js';

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

let HEX4: string[] | undefined;

/** A 16-bit value as 4 lower-case hex digits, zero-padded (0x002F → "002f"); from a table, no concatenation. */
export function hex4(v: number): string {
  HEX4 ??= Array.from({ length: 65536 }, (_, i) => HEX2[i >>> 8] + HEX2[i & 0xff]);
  return HEX4[v & 0xffff];
}

/** A byte as 2 lower-case hex digits. */
export function hex2(v: number): string {
  return HEX2[v & 0xff];
}
