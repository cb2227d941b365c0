import type { DecodedPacket } from './types.js';
import * as walk from './walk.js';
import type { Walk } from './walk.js';

// Local copies of the per-packet imports (see decode.ts: getter-based live bindings are slow).
const { L_ETHERNET, L_ETHERTYPE, L_IP, L_IPV4, L_IPV6, L_PPP, R_MALFORMED, R_NOT_IP, R_TRUNCATED, R_UNSUPPORTED_LINK, short, u16 } = walk;

// LINKTYPE_* values (tcpdump.org/linktypes.html); 12 and 14 are DLT_RAW on some BSDs.
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_QINQ_OLD2 = 0x9200;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;

/** Stacked VLAN tags accepted in one Ethernet frame; more is not a real network. */
export const MAX_VLAN_TAGS = 4;
/** MPLS labels accepted in one stack. */
export const MAX_MPLS_LABELS = 16;

/** Where decoding starts for a capture link type: the first layer code, with w.off past any link header. */
export function decodeLinkHeader(linkType: number, w: Walk): number {
  const b = w.buf;
  const off = w.off;
  const avail = w.end - off;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return L_ETHERNET;
    case LINKTYPE_LINUX_SLL:
      // packet type, ARPHRD type, address length, 8 address bytes, protocol
      if (avail < 16) return R_TRUNCATED;
      w.etherType = u16(b, off + 14);
      w.off = off + 16;
      // below 0x0600 the field is an ARPHRD-specific code (802.2 LLC, CAN, netlink family...)
      return w.etherType >= 0x0600 ? L_ETHERTYPE : R_NOT_IP;
    case LINKTYPE_LINUX_SLL2:
      // protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes
      if (avail < 20) return R_TRUNCATED;
      w.etherType = u16(b, off);
      w.off = off + 20;
      return w.etherType >= 0x0600 ? L_ETHERTYPE : R_NOT_IP;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      // address family in the capturing host's byte order (NULL) or network order (LOOP, but
      // writers disagree): try both; the values cannot collide.
      if (avail < 4) return R_TRUNCATED;
      w.off = off + 4;
      let af = b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24);
      if (!isKnownAf(af)) af = (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
      if (af === 2) return L_IPV4;
      // AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin)
      if (af === 24 || af === 28 || af === 30) return L_IPV6;
      return R_NOT_IP;
    }
    case 12:
    case 14:
    case LINKTYPE_RAW:
      return L_IP;
    case LINKTYPE_IPV4:
      return L_IPV4;
    case LINKTYPE_IPV6:
      return L_IPV6;
    case LINKTYPE_PPP:
      return L_PPP;
    default:
      return R_UNSUPPORTED_LINK;
  }
}

function isKnownAf(af: number): boolean {
  return af === 2 || af === 24 || af === 28 || af === 30;
}

/** Ethernet II header, or an 802.3 frame with LLC/SNAP carrying an EtherType. */
export function decodeEthernet(w: Walk, out: DecodedPacket): number {
  const b = w.buf;
  const off = w.off;
  if (w.end - off < 14) return short(w);
  const type = u16(b, off + 12);
  w.off = off + 14;
  if (type >= 0x0600) {
    w.etherType = type;
    return decodeEtherType(w, out);
  }
  if (type > 1500) return R_NOT_IP;
  // 802.3: the field is the payload length (it also trims the minimum-frame padding)
  if (w.off + type <= w.end) {
    w.end = w.off + type;
    w.capEnd = false;
  }
  if (w.end - w.off < 8) return R_NOT_IP;
  // SNAP: DSAP AA, SSAP AA, UI control, OUI, then an EtherType
  if (b[w.off] !== 0xaa || b[w.off + 1] !== 0xaa || b[w.off + 2] !== 0x03) return R_NOT_IP;
  w.etherType = u16(b, w.off + 6);
  w.off += 8;
  return decodeEtherType(w, out);
}

/**
 * Payload of EtherType w.etherType at w.off: peels VLAN tags, PPPoE session and MPLS
 * headers in place (they are not tunnels: no inner addresses), then names the network layer.
 */
export function decodeEtherType(w: Walk, out: DecodedPacket): number {
  const b = w.buf;
  let type = w.etherType;
  let tags = 0;
  for (;;) {
    switch (type) {
      case ETHERTYPE_IPV4:
        return L_IPV4;
      case ETHERTYPE_IPV6:
        return L_IPV6;
      case ETHERTYPE_VLAN:
      case ETHERTYPE_QINQ:
      case ETHERTYPE_QINQ_OLD:
      case ETHERTYPE_QINQ_OLD2: {
        if (++tags > MAX_VLAN_TAGS) return R_MALFORMED;
        if (w.end - w.off < 4) return short(w);
        // only the outermost tag of the whole packet is reported (tunnelled frames keep theirs)
        if (!w.vlanSeen) {
          w.vlanSeen = true;
          out.vlan = u16(b, w.off) & 0x0fff;
        }
        type = u16(b, w.off + 2);
        w.off += 4;
        break;
      }
      case ETHERTYPE_PPPOE_SESSION: {
        // RFC 2516: ver/type 0x11, code 0, session id, length (of the PPP frame)
        if (w.end - w.off < 6) return short(w);
        if (b[w.off] !== 0x11 || b[w.off + 1] !== 0) return R_MALFORMED;
        const len = u16(b, w.off + 4);
        w.off += 6;
        if (w.off + len <= w.end) {
          w.end = w.off + len;
          w.capEnd = false;
        }
        return L_PPP;
      }
      case ETHERTYPE_MPLS:
      case ETHERTYPE_MPLS_MULTICAST:
        return decodeMpls(w);
      default:
        return R_NOT_IP;
    }
  }
}

/** MPLS label stack, then whatever the first nibble suggests (there is no type field). */
function decodeMpls(w: Walk): number {
  const b = w.buf;
  for (let n = 0; ; n++) {
    if (n >= MAX_MPLS_LABELS) return R_MALFORMED;
    if (w.end - w.off < 4) return short(w);
    const bottom = (b[w.off + 2] & 0x01) !== 0;
    w.off += 4;
    if (bottom) break;
  }
  if (w.end - w.off < 1) return short(w);
  switch (b[w.off] >> 4) {
    case 4:
      return L_IPV4;
    case 6:
      return L_IPV6;
    case 0:
      // pseudowire control word (RFC 4385), then the emulated Ethernet frame
      w.off += 4;
      return L_ETHERNET;
    default:
      return R_NOT_IP;
  }
}

/** PPP frame: optional HDLC address/control (FF 03), then a 1- or 2-byte protocol field. */
export function decodePpp(w: Walk): number {
  const b = w.buf;
  if (w.end - w.off >= 2 && b[w.off] === 0xff && b[w.off + 1] === 0x03) w.off += 2;
  if (w.end - w.off < 1) return short(w);
  let proto: number;
  if (b[w.off] & 0x01) {
    // protocol field compression: an odd first byte is the whole (1-byte) protocol
    proto = b[w.off];
    w.off += 1;
  } else {
    if (w.end - w.off < 2) return short(w);
    proto = u16(b, w.off);
    w.off += 2;
  }
  switch (proto) {
    case 0x21:
      return L_IPV4;
    case 0x57:
      return L_IPV6;
    case 0x0281:
      w.etherType = ETHERTYPE_MPLS;
      return L_ETHERTYPE;
    default:
      return R_NOT_IP; // LCP, IPCP, CCP-compressed data...
  }
}

/** Raw IP: the version nibble picks IPv4 or IPv6. */
export function decodeIpByVersion(w: Walk): number {
  if (w.end - w.off < 1) return short(w);
  const v = w.buf[w.off] >> 4;
  if (v === 4) return L_IPV4;
  if (v === 6) return L_IPV6;
  return R_MALFORMED;
}
