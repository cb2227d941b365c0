import { ETHERTYPE_MPLS } from './link.js';
import * as walk from './walk.js';
import type { Walk } from './walk.js';

// Local copies of the per-packet imports (see decode.ts: getter-based live bindings are slow).
const { L_ETHERNET, L_ETHERTYPE, L_IP, L_IPV4, L_IPV6, L_PPP, R_MALFORMED, R_NOT_IP, short, u16 } = walk;

/** Tunnel layers removed, by kind (one count per layer per packet). */
export interface TunnelStats {
  /** IPv4/IPv6 directly in IPv4/IPv6 (protocols 4 and 41). */
  ipInIp: number;
  /** GRE not carrying ERSPAN (incl. GRE-in-UDP and PPTP's enhanced GRE). */
  gre: number;
  /** GRE carrying ERSPAN type I, II or III. */
  erspan: number;
  /** VXLAN and VXLAN-GPE. */
  vxlan: number;
  geneve: number;
  gtpU: number;
  /** Packets nested deeper than the tunnel limit, given up as 'malformed'. */
  depthExceeded: number;
}

export function newTunnelStats(): TunnelStats {
  return { ipInIp: 0, gre: 0, erspan: 0, vxlan: 0, geneve: 0, gtpU: 0, depthExceeded: 0 };
}

// UDP ports whose payload is a tunnel (destination port: senders use it in both directions)
export const PORT_VXLAN = 4789;
export const PORT_VXLAN_GPE = 4790;
export const PORT_GENEVE = 6081;
export const PORT_GRE_IN_UDP = 4754;
export const PORT_GTP_U = 2152;

const GRE_CSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQ = 0x1000;
const GRE_ACK = 0x0080; // version 1 (PPTP) only

const ETHERTYPE_TEB = 0x6558; // transparent Ethernet bridging
const ETHERTYPE_ERSPAN_1_2 = 0x88be;
const ETHERTYPE_ERSPAN_3 = 0x22eb;
const ETHERTYPE_PPP = 0x880b;

/** GRE source-route entries accepted (RFC 1701 routing is obsolete, this only bounds it). */
const MAX_GRE_SRES = 16;

/**
 * GRE header at w.off: RFC 2784/2890 (version 0, with any of the checksum, key and sequence
 * fields), RFC 1701 routing, RFC 2637 enhanced GRE (version 1), and the ERSPAN headers that
 * ride on it. Names the inner layer.
 */
export function decodeGre(w: Walk, st: TunnelStats): number {
  const b = w.buf;
  let off = w.off;
  const end = w.end;
  if (end - off < 4) return short(w);
  const flags = u16(b, off);
  const proto = u16(b, off + 2);
  const version = flags & 0x07;
  if (version > 1) return R_MALFORMED;
  let hl = 4;
  if (flags & (GRE_CSUM | GRE_ROUTING)) hl += 4; // checksum and offset travel together
  if (flags & GRE_KEY) hl += 4;
  if (flags & GRE_SEQ) hl += 4;
  if (version === 1 && flags & GRE_ACK) hl += 4;
  if (end - off < hl) return short(w);
  off += hl;
  if (flags & GRE_ROUTING) {
    // source route entries: family (2), offset (1), length (1), data; ends with family 0 length 0
    for (let n = 0; ; n++) {
      if (n >= MAX_GRE_SRES) return R_MALFORMED;
      if (end - off < 4) return short(w);
      const af = u16(b, off);
      const len = b[off + 3];
      off += 4;
      if (af === 0 && len === 0) break;
      if (end - off < len) return short(w);
      off += len;
    }
  }
  w.off = off;
  switch (proto) {
    case ETHERTYPE_TEB:
      st.gre++;
      return L_ETHERNET;
    case ETHERTYPE_ERSPAN_1_2:
      st.erspan++;
      // type II has an 8-byte header and sets the GRE sequence bit; type I has neither
      if (flags & GRE_SEQ) {
        if (end - off < 8) return short(w);
        w.off = off + 8;
      }
      return L_ETHERNET;
    case ETHERTYPE_ERSPAN_3: {
      st.erspan++;
      // 12-byte header; the O bit (last bit) adds an 8-byte platform-specific subheader
      if (end - off < 12) return short(w);
      const frameType = (b[off + 10] >> 2) & 0x1f;
      const hlen = b[off + 11] & 0x01 ? 20 : 12;
      if (end - off < hlen) return short(w);
      w.off = off + hlen;
      if (frameType === 0) return L_ETHERNET;
      if (frameType === 2) return L_IP; // mirrored IP packet without its Ethernet header
      return R_NOT_IP;
    }
    case ETHERTYPE_PPP:
      st.gre++;
      return L_PPP;
    default:
      st.gre++;
      w.etherType = proto;
      return L_ETHERTYPE;
  }
}

/**
 * VXLAN (RFC 7348) or VXLAN-GPE header at w.off: 8 bytes. The GPE P bit says byte 3 names
 * the inner protocol; plain VXLAN always carries Ethernet.
 */
export function decodeVxlan(w: Walk, st: TunnelStats): number {
  const b = w.buf;
  const off = w.off;
  if (w.end - off < 8) return short(w);
  st.vxlan++;
  w.off = off + 8;
  if ((b[off] & 0x04) === 0) return L_ETHERNET;
  switch (b[off + 3]) {
    case 1:
      return L_IPV4;
    case 2:
      return L_IPV6;
    case 3:
      return L_ETHERNET;
    case 5:
      w.etherType = ETHERTYPE_MPLS;
      return L_ETHERTYPE;
    default:
      return R_NOT_IP; // NSH, ...
  }
}

/** Geneve header at w.off (RFC 8926): 8 bytes plus options, protocol type is an EtherType. */
export function decodeGeneve(w: Walk, st: TunnelStats): number {
  const b = w.buf;
  const off = w.off;
  if (w.end - off < 8) return short(w);
  if (b[off] >> 6 !== 0) return R_MALFORMED; // only version 0 exists
  const hl = 8 + ((b[off] & 0x3f) << 2);
  if (w.end - off < hl) return short(w);
  st.geneve++;
  const proto = u16(b, off + 2);
  w.off = off + hl;
  if (proto === ETHERTYPE_TEB) return L_ETHERNET;
  w.etherType = proto;
  return L_ETHERTYPE;
}

/**
 * GTP-U header at w.off (3GPP TS 29.281): version 1, G-PDU messages carry a user IP packet.
 * Optional fields and extension headers are skipped.
 */
export function decodeGtpU(w: Walk, st: TunnelStats): number {
  const b = w.buf;
  let off = w.off;
  const end = w.end;
  if (end - off < 8) return short(w);
  const flags = b[off];
  if (flags >> 5 !== 1 || (flags & 0x10) === 0) return R_NOT_IP; // not GTPv1 (GTP' has PT = 0)
  if (b[off + 1] !== 0xff) return R_NOT_IP; // echo, error indication...: no user packet
  let next = 0;
  if (flags & 0x07) {
    // E, S or PN: sequence number, N-PDU number and next-extension type are all present
    if (end - off < 12) return short(w);
    if (flags & 0x04) next = b[off + 11]; // the type byte only means something with E
    off += 12;
  } else {
    off += 8;
  }
  // extension headers: length in 4-byte units, last byte names the next one
  for (let n = 0; next !== 0; n++) {
    if (n >= 16) return R_MALFORMED;
    if (end - off < 1) return short(w);
    const len = b[off] << 2;
    if (len === 0) return R_MALFORMED;
    if (end - off < len) return short(w);
    next = b[off + len - 1];
    off += len;
  }
  st.gtpU++;
  w.off = off;
  return L_IP;
}
