/**
 * Helpers shared by the TLS fingerprint methods. GREASE detection (the exact RFC 8701 §2 test,
 * so real values such as group 257 = 0x0101 are never dropped) lives with the TLS constants.
 */
export { isGrease } from '../../../parsers/tls/constants.js';

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Filled as values are met: a full table costs ~10 ms and 2.5 MB at start for a few hundred values in use. */
const HEX4: (string | undefined)[] = new Array<string | undefined>(65536);

/** A 16-bit value as 4 lower-case hex digits, zero-padded (0x002F → "002f"); from a table, no concatenation. */
export function hex4(v: number): string {
  v &= 0xffff;
  return (HEX4[v] ??= HEX2[v >>> 8] + HEX2[v & 0xff]);
}

/** A byte as 2 lower-case hex digits. */
export function hex2(v: number): string {
  return HEX2[v & 0xff];
}
