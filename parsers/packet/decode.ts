import { FragmentTable, type FragmentLimits, type FragmentStats } from './fragments.js';
import * as ipv4 from './ipv4.js';
import * as ipv6 from './ipv6.js';
import * as link from './link.js';
import * as tcpUdp from './tcp-udp.js';
import * as tunnels from './tunnels.js';
import type { TunnelStats } from './tunnels.js';
import type { DecodedPacket, DecodeResult } from './types.js';
import * as walk from './walk.js';

// Local copies of what the per-packet path uses: loaders that emulate ESM live bindings
// with property getters (vite/vitest's SSR transform) would otherwise pay a lookup per use
// and block inlining.
const { decodeIpv4 } = ipv4;
const { decodeIpv6, decodeIpv6Ext } = ipv6;
const { decodeEtherType, decodeEthernet, decodeIpByVersion, decodeLinkHeader, decodePpp } = link;
const { decodeTcp, decodeUdp } = tcpUdp;
const { decodeGeneve, decodeGre, decodeGtpU, decodeVxlan, PORT_GENEVE, PORT_GRE_IN_UDP, PORT_GTP_U, PORT_VXLAN, PORT_VXLAN_GPE } = tunnels;
const { L_ETHERNET, L_ETHERTYPE, L_GRE, L_IP, L_IPV4, L_IPV6, L_IPV6_EXT, L_PPP, L_TRANSPORT, R_MALFORMED, R_OK, R_OTHER_TRANSPORT, RESULT_NAME } = walk;

export type { FragmentLimits, FragmentStats } from './fragments.js';
export type { TunnelStats } from './tunnels.js';

export interface PacketDecoderOptions {
  /** Reassembly bounds; any field left out takes its default (DEFAULT_FRAGMENT_LIMITS). */
  fragments?: Partial<FragmentLimits>;
  /** Tunnel layers removed before a packet is given up as 'malformed' (default 8). */
  maxTunnelDepth?: number;
}

export interface PacketDecoderStats {
  fragments: FragmentStats;
  tunnels: TunnelStats;
}

export const DEFAULT_MAX_TUNNEL_DEPTH = 8;

/** Layer transitions per packet; every layer consumes bytes, this is a backstop. */
const MAX_STEPS = 64;

/**
 * Link layer down to TCP/UDP, through VLAN/PPPoE/MPLS, tunnels and IP fragment reassembly.
 * Pure apart from the fragment table; allocates nothing per packet except when storing or
 * reassembling fragments; never throws on packet bytes.
 */
export class PacketDecoder {
  readonly stats: PacketDecoderStats;
  private readonly walk = new walk.Walk();
  private readonly frags: FragmentTable;
  private readonly maxTunnelDepth: number;

  constructor(opts?: PacketDecoderOptions) {
    this.frags = new FragmentTable(opts?.fragments);
    const depth = opts?.maxTunnelDepth;
    this.maxTunnelDepth = depth !== undefined && depth >= 0 ? Math.floor(depth) : DEFAULT_MAX_TUNNEL_DEPTH;
    this.stats = { fragments: this.frags.stats, tunnels: tunnels.newTunnelStats() };
  }

  /**
   * Decode data[offset, offset + caplen) of link type `linkType` into `out`. tsSec is packet
   * time (seconds), used for fragment timeouts. `out.payload` may point into a buffer this
   * decoder owns (after reassembly): it is valid until the next call.
   */
  decode(data: Uint8Array, offset: number, caplen: number, linkType: number, tsSec: number, out: DecodedPacket): DecodeResult {
    out.ipVersion = 0;
    out.src4 = 0;
    out.dst4 = 0;
    out.protocol = 0;
    out.srcPort = 0;
    out.dstPort = 0;
    out.tcpSeq = 0;
    out.tcpAck = 0;
    out.tcpFlags = 0;
    out.tcpWindow = 0;
    out.payload = data;
    out.payloadOffset = 0;
    out.payloadLength = 0;
    out.vlan = 0;
    out.tunnelDepth = 0;
    out.reassembled = false;
    out.snapped = false;

    this.frags.advance(tsSec);
    if (!(offset >= 0 && caplen >= 0 && Number.isInteger(offset) && Number.isInteger(caplen))) return 'malformed';
    const w = this.walk;
    w.buf = data;
    w.off = offset;
    w.end = Math.min(offset + caplen, data.length);
    w.capEnd = true;
    w.vlanSeen = false;
    w.ipReassembled = false;
    let next = decodeLinkHeader(linkType, w);
    for (let steps = 0; next > 0; steps++) {
      if (steps >= MAX_STEPS) return 'malformed';
      switch (next) {
        case L_ETHERNET:
          next = decodeEthernet(w, out);
          break;
        case L_ETHERTYPE:
          next = decodeEtherType(w, out);
          break;
        case L_IPV4:
          next = decodeIpv4(w, out, this.frags);
          break;
        case L_IPV6:
          next = decodeIpv6(w, out);
          break;
        case L_IPV6_EXT:
          next = decodeIpv6Ext(w, out, this.frags);
          break;
        case L_TRANSPORT:
          next = this.transport(w, out);
          break;
        case L_GRE:
          next = decodeGre(w, this.stats.tunnels);
          break;
        case L_IP:
          next = decodeIpByVersion(w);
          break;
        case L_PPP:
          next = decodePpp(w);
          break;
        default:
          next = R_MALFORMED;
      }
    }
    return RESULT_NAME[-next];
  }

  /** Give up reassembly of datagrams older than the timeout at packet time tsSec (decode does this too). */
  expireFragments(tsSec: number): void {
    this.frags.advance(tsSec);
  }

  /** Drop every datagram in progress (end of input). */
  clearFragments(): void {
    this.frags.clear();
  }

  /** IP payload of protocol w.proto: the transport header, or the next tunnel layer. */
  private transport(w: walk.Walk, out: DecodedPacket): number {
    switch (w.proto) {
      case 6:
        return decodeTcp(w, out);
      case 17: {
        const r = decodeUdp(w, out);
        if (r !== R_OK) return r;
        const port = out.dstPort;
        if (port !== PORT_VXLAN && port !== PORT_VXLAN_GPE && port !== PORT_GENEVE && port !== PORT_GTP_U && port !== PORT_GRE_IN_UDP) return R_OK;
        if (!this.enterTunnel(out)) return R_MALFORMED;
        // the inner packet owns the transport fields now
        out.srcPort = 0;
        out.dstPort = 0;
        out.payloadLength = 0;
        const st = this.stats.tunnels;
        if (port === PORT_GENEVE) return decodeGeneve(w, st);
        if (port === PORT_GTP_U) return decodeGtpU(w, st);
        if (port === PORT_GRE_IN_UDP) return decodeGre(w, st);
        return decodeVxlan(w, st);
      }
      case 4:
        if (!this.enterTunnel(out)) return R_MALFORMED;
        this.stats.tunnels.ipInIp++;
        return L_IPV4;
      case 41:
        if (!this.enterTunnel(out)) return R_MALFORMED;
        this.stats.tunnels.ipInIp++;
        return L_IPV6;
      case 47:
        if (!this.enterTunnel(out)) return R_MALFORMED;
        return L_GRE;
      default:
        // ICMP, SCTP, ...: the IP payload is the payload
        out.payload = w.buf;
        out.payloadOffset = w.off;
        out.payloadLength = w.end - w.off;
        return R_OTHER_TRANSPORT;
    }
  }

  private enterTunnel(out: DecodedPacket): boolean {
    if (out.tunnelDepth >= this.maxTunnelDepth) {
      this.stats.tunnels.depthExceeded++;
      return false;
    }
    out.tunnelDepth++;
    return true;
  }
}
