import type { DecodeResult } from './types.js';

/**
 * The layer decoders hand control to each other through one mutable `Walk` (no allocation
 * per packet) and a numeric code: > 0 names the next layer to decode at `walk.off`,
 * <= 0 ends the walk with a result. Numbers rather than strings keep the hot loop's switch
 * on small integers; `RESULT_NAME` maps the end codes back to `DecodeResult`.
 */

// next layer
export const L_ETHERNET = 1; // Ethernet header at off
export const L_ETHERTYPE = 2; // payload of type walk.etherType at off (VLAN, PPPoE, MPLS, IP...)
export const L_IP = 3; // IPv4 or IPv6, by the first nibble
export const L_IPV4 = 4;
export const L_IPV6 = 5;
export const L_IPV6_EXT = 6; // IPv6 header chain continuing with walk.proto at off
export const L_PPP = 7; // PPP protocol field (optionally after FF 03) at off
export const L_TRANSPORT = 8; // IP payload of protocol walk.proto at off
export const L_GRE = 9;

// end codes
export const R_OK = 0;
export const R_TRUNCATED = -1;
export const R_MALFORMED = -2;
export const R_NOT_IP = -3;
export const R_UNSUPPORTED_LINK = -4;
export const R_FRAGMENT_PENDING = -5;
export const R_FRAGMENT_DROPPED = -6;
export const R_OTHER_TRANSPORT = -7;

/** Indexed by -code. */
export const RESULT_NAME: readonly DecodeResult[] = [
  'ok',
  'truncated',
  'malformed',
  'not_ip',
  'unsupported_link',
  'fragment_pending',
  'fragment_dropped',
  'other_transport',
];

export class Walk {
  /** Bytes being decoded: the caller's buffer, or the reassembly buffer after reassembly. */
  buf: Uint8Array = new Uint8Array(0);
  /** Current layer starts at off; its enclosing datagram/frame ends at end (exclusive). */
  off = 0;
  end = 0;
  /**
   * `end` is where the capture stopped (true at the link layer, and after any length field
   * that claimed more than was captured) rather than where a length field says the data
   * ends: a header running past `end` is then 'truncated', otherwise 'malformed'.
   */
  capEnd = true;
  etherType = 0;
  /** An 802.1Q/802.1ad tag was already seen (out.vlan holds the outermost one). */
  vlanSeen = false;
  proto = 0;
  /** Set when the current IP layer has already been reassembled (a second fragment header is bogus). */
  ipReassembled = false;
}

/** A header that does not fit before `end`: the capture's fault if it stopped there, the packet's otherwise. */
export function short(w: Walk): number {
  return w.capEnd ? R_TRUNCATED : R_MALFORMED;
}

export function u16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

export function u32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}
