/**
 * One decoded packet, down to the transport layer. A single instance is reused for
 * every packet (see `newDecodedPacket`); decoders overwrite every field they own.
 */
export interface DecodedPacket {
  /** 4 or 6 for the innermost IP header that carried the transport payload; 0 when there is none. */
  ipVersion: 0 | 4 | 6;
  /** IPv4 addresses as unsigned 32-bit numbers (valid when ipVersion === 4). */
  src4: number;
  dst4: number;
  /** IPv6 addresses, copied into these preallocated arrays (valid when ipVersion === 6). */
  src6: Uint8Array;
  dst6: Uint8Array;
  /** IP protocol of the transport payload: 6 (TCP), 17 (UDP), or another number. */
  protocol: number;
  srcPort: number;
  dstPort: number;
  /** TCP only. */
  tcpSeq: number;
  tcpAck: number;
  tcpFlags: number;
  tcpWindow: number;
  /** Transport payload: payload[payloadOffset, payloadOffset + payloadLength). */
  payload: Uint8Array;
  payloadOffset: number;
  payloadLength: number;
  /** Outer VLAN id of the outermost 802.1Q/802.1ad tag (0 when untagged). */
  vlan: number;
  /** Number of tunnel layers removed (GRE, ERSPAN, VXLAN, Geneve, IP-in-IP). */
  tunnelDepth: number;
  /** Whether the payload came out of IP fragment reassembly. */
  reassembled: boolean;
  /**
   * The capture cut the packet short: some IP (or UDP) length field declares more bytes
   * than were captured, so payloadLength is less than the segment's length on the wire.
   */
  snapped: boolean;
}

/** Why a packet could not be decoded to the transport layer; counted by kind in the run summary. */
export type DecodeResult =
  | 'ok'
  | 'unsupported_link' // link type we do not decode
  | 'truncated' // a header runs past the captured bytes
  | 'malformed' // a header field that cannot be right (bad IHL, bad length, ...)
  | 'not_ip' // ARP, LLDP, ... : fine, just nothing for us
  | 'fragment_pending' // an IP fragment was stored; the datagram is not complete yet
  | 'fragment_dropped' // a fragment was dropped (limits, overlap, timeout)
  | 'other_transport'; // IP packet with neither TCP nor UDP (ICMP, ESP, ...)

export function newDecodedPacket(): DecodedPacket {
  return {
    ipVersion: 0,
    src4: 0,
    dst4: 0,
    src6: new Uint8Array(16),
    dst6: new Uint8Array(16),
    protocol: 0,
    srcPort: 0,
    dstPort: 0,
    tcpSeq: 0,
    tcpAck: 0,
    tcpFlags: 0,
    tcpWindow: 0,
    payload: new Uint8Array(0),
    payloadOffset: 0,
    payloadLength: 0,
    vlan: 0,
    tunnelDepth: 0,
    reassembled: false,
    snapped: false,
  };
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
