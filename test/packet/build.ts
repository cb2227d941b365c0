/**
 * Hand-built frames for the packet decoder tests. Every builder takes the layer's fields and
 * the already-built payload, and returns header + payload as a fresh Uint8Array.
 */

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytes(...v: number[]): Uint8Array {
  return Uint8Array.from(v);
}

export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function be16(v: number): Uint8Array {
  return bytes((v >> 8) & 0xff, v & 0xff);
}

export function be32(v: number): Uint8Array {
  return bytes((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function le32(v: number): Uint8Array {
  return bytes(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

/** '10.0.0.1' → unsigned 32-bit number. */
export function ip4(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export function ip4ToString(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** IPv6 text (with optional '::') → 16 bytes. */
export function ip6(s: string): Uint8Array {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

export function ip6ToString(a: Uint8Array): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((a[i] << 8) | a[i + 1]).toString(16));
  return g.join(':');
}

// ---- link layers ----

export interface VlanTag {
  tpid?: number; // 0x8100 by default
  vid: number;
  pcp?: number;
}

export interface EthernetOpts {
  type: number;
  dst?: Uint8Array;
  src?: Uint8Array;
  tags?: VlanTag[];
  /** Pad the frame to the 60-byte Ethernet minimum (as NICs do). */
  pad?: boolean;
}

export function ethernet(o: EthernetOpts, payload: Uint8Array): Uint8Array {
  const dst = o.dst ?? bytes(0x02, 0, 0, 0, 0, 0x02);
  const src = o.src ?? bytes(0x02, 0, 0, 0, 0, 0x01);
  const tags = (o.tags ?? []).map((t) => concat(be16(t.tpid ?? 0x8100), be16(((t.pcp ?? 0) << 13) | t.vid)));
  const frame = concat(dst, src, ...tags, be16(o.type), payload);
  if (o.pad && frame.length < 60) return concat(frame, new Uint8Array(60 - frame.length));
  return frame;
}

/** 802.3 frame with an LLC/SNAP header carrying `type`. */
export function ethernetSnap(type: number, payload: Uint8Array): Uint8Array {
  const llc = concat(bytes(0xaa, 0xaa, 0x03, 0, 0, 0), be16(type), payload);
  return concat(bytes(0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1), be16(llc.length), llc);
}

/** PPPoE session header + 2-byte PPP protocol. */
export function pppoe(pppProto: number, payload: Uint8Array, sessionId = 0x1234): Uint8Array {
  return concat(bytes(0x11, 0x00), be16(sessionId), be16(payload.length + 2), be16(pppProto), payload);
}

/** MPLS label stack (bottom-of-stack set on the last). */
export function mpls(labels: number[], payload: Uint8Array): Uint8Array {
  const hdr = labels.map((l, i) => be32(((l & 0xfffff) << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64));
  return concat(...hdr, payload);
}

export function sll(proto: number, payload: Uint8Array): Uint8Array {
  return concat(be16(0), be16(1), be16(6), bytes(2, 0, 0, 0, 0, 1, 0, 0), be16(proto), payload);
}

export function sll2(proto: number, payload: Uint8Array): Uint8Array {
  return concat(be16(proto), be16(0), be32(3), be16(1), bytes(0, 6), bytes(2, 0, 0, 0, 0, 1, 0, 0), payload);
}

/** BSD null/loopback header: address family in little- or big-endian order. */
export function nullLink(af: number, littleEndian: boolean, payload: Uint8Array): Uint8Array {
  return concat(littleEndian ? le32(af) : be32(af), payload);
}

// ---- IP ----

function checksum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += (b[i] << 8) | b[i + 1];
  if (b.length & 1) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export interface Ipv4Opts {
  src: string;
  dst: string;
  proto: number;
  id?: number;
  ttl?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  options?: Uint8Array;
  /** Override the total length field. */
  totalLength?: number;
  /** Override the IHL nibble. */
  ihl?: number;
}

export function ipv4(o: Ipv4Opts, payload: Uint8Array): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const hl = 20 + opts.length;
  const h = new Uint8Array(hl);
  h[0] = 0x40 | (o.ihl ?? hl >> 2);
  h.set(be16(o.totalLength ?? hl + payload.length), 2);
  h.set(be16(o.id ?? 1), 4);
  h.set(be16((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3)), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  h.set(be32(ip4(o.src)), 12);
  h.set(be32(ip4(o.dst)), 16);
  h.set(opts, 20);
  h.set(be16(checksum(h)), 10);
  return concat(h, payload);
}

export interface Ipv6Opts {
  src: string;
  dst: string;
  nextHeader: number;
  hopLimit?: number;
  /** Override the payload length field. */
  payloadLength?: number;
}

export function ipv6(o: Ipv6Opts, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(40);
  h[0] = 0x60;
  h.set(be16(o.payloadLength ?? payload.length), 4);
  h[6] = o.nextHeader;
  h[7] = o.hopLimit ?? 64;
  h.set(ip6(o.src), 8);
  h.set(ip6(o.dst), 24);
  return concat(h, payload);
}

/** Hop-by-hop (0), routing (43) or destination options (60) header of 8 * units bytes (PadN filled). */
export function ipv6Ext(nextHeader: number, payload: Uint8Array, units = 1): Uint8Array {
  const h = new Uint8Array(8 * units);
  h[0] = nextHeader;
  h[1] = units - 1;
  h[2] = 1; // PadN
  h[3] = 8 * units - 4;
  return concat(h, payload);
}

export function ipv6Frag(nextHeader: number, fragOffset: number, more: boolean, id: number, payload: Uint8Array): Uint8Array {
  return concat(bytes(nextHeader, 0), be16((fragOffset & 0xfff8) | (more ? 1 : 0)), be32(id), payload);
}

/** AH with an ICV of icvLen bytes (12 for HMAC-SHA1-96). */
export function ipv6Ah(nextHeader: number, payload: Uint8Array, icvLen = 12): Uint8Array {
  const len = 12 + icvLen;
  const h = new Uint8Array(len);
  h[0] = nextHeader;
  h[1] = len / 4 - 2;
  h.set(be32(0x100), 4);
  h.set(be32(1), 8);
  return concat(h, payload);
}

// ---- transport ----

export interface TcpOpts {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: Uint8Array;
  /** Override the data offset nibble. */
  dataOffset?: number;
}

export function tcp(o: TcpOpts, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const hl = 20 + opts.length;
  const h = new Uint8Array(hl);
  h.set(be16(o.sport), 0);
  h.set(be16(o.dport), 2);
  h.set(be32(o.seq ?? 1000), 4);
  h.set(be32(o.ack ?? 0), 8);
  h[12] = (o.dataOffset ?? hl >> 2) << 4;
  h[13] = o.flags ?? 0x18;
  h.set(be16(o.window ?? 65535), 14);
  h.set(opts, 20);
  return concat(h, payload);
}

export interface UdpOpts {
  sport: number;
  dport: number;
  /** Override the length field. */
  length?: number;
}

export function udp(o: UdpOpts, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat(be16(o.sport), be16(o.dport), be16(o.length ?? 8 + payload.length), be16(0), payload);
}

// ---- tunnels ----

export interface GreOpts {
  proto: number;
  checksum?: boolean;
  key?: number;
  seq?: number;
  /** RFC 1701 routing: these source-route entries, then the terminating null entry. */
  routing?: Uint8Array[];
  version?: number;
  /** Version 1 acknowledgment number. */
  ack?: number;
}

export function gre(o: GreOpts, payload: Uint8Array): Uint8Array {
  let flags = o.version ?? 0;
  const fields: Uint8Array[] = [];
  if (o.checksum || o.routing) {
    flags |= o.checksum ? 0x8000 : 0;
    flags |= o.routing ? 0x4000 : 0;
    fields.push(bytes(0, 0, 0, 0));
  }
  if (o.key !== undefined) {
    flags |= 0x2000;
    fields.push(be32(o.key));
  }
  if (o.seq !== undefined) {
    flags |= 0x1000;
    fields.push(be32(o.seq));
  }
  if (o.ack !== undefined) {
    flags |= 0x0080;
    fields.push(be32(o.ack));
  }
  const sres = (o.routing ?? []).map((r) => concat(be16(0x0800), bytes(0, r.length), r));
  if (o.routing) sres.push(bytes(0, 0, 0, 0));
  return concat(be16(flags), be16(o.proto), ...fields, ...sres, payload);
}

/** ERSPAN type II header (8 bytes): version 1, VLAN 0, session 20. */
export function erspan2(payload: Uint8Array, session = 20): Uint8Array {
  return concat(be16(0x1000), be16(session & 0x3ff), be32(1), payload);
}

/** ERSPAN type III header (12 bytes, + 8 with the platform subheader when o is set). */
export function erspan3(opts: { o?: boolean; frameType?: number }, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(opts.o ? 20 : 12);
  h.set(be16(0x2000), 0); // version 2
  h.set(be16(7), 2); // session
  h.set(be32(0xdeadbeef), 4); // timestamp
  h[10] = ((opts.frameType ?? 0) & 0x1f) << 2;
  h[11] = opts.o ? 0x01 : 0;
  if (opts.o) h.set(bytes(0x08, 0, 0, 0, 0, 0, 0, 0), 12); // platform id 1 subheader
  return concat(h, payload);
}

export function vxlan(vni: number, payload: Uint8Array): Uint8Array {
  return concat(bytes(0x08, 0, 0, 0), be32(vni << 8), payload);
}

/** VXLAN-GPE: next protocol 1 IPv4, 2 IPv6, 3 Ethernet. */
export function vxlanGpe(vni: number, nextProto: number, payload: Uint8Array): Uint8Array {
  return concat(bytes(0x0c, 0, 0, nextProto), be32(vni << 8), payload);
}

/** Geneve with `optionBytes` of options (multiple of 4). */
export function geneve(proto: number, payload: Uint8Array, optionBytes = 0, vni = 42): Uint8Array {
  const opts = new Uint8Array(optionBytes);
  if (optionBytes >= 4) opts.set(bytes(0x01, 0x02, 0x80, (optionBytes >> 2) - 1), 0); // class, type, length
  return concat(bytes(optionBytes >> 2, 0), be16(proto), be32(vni << 8), opts, payload);
}

/** GTP-U G-PDU; with `extension`, the optional fields and one 4-byte extension header. */
export function gtpu(payload: Uint8Array, extension = false, teid = 0x1234): Uint8Array {
  if (!extension) return concat(bytes(0x30, 0xff), be16(payload.length), be32(teid), payload);
  const opt = bytes(0, 1, 0, 0x85); // sequence, N-PDU, next extension: PDU session container
  const ext = bytes(1, 0x10, 0x05, 0); // 4 bytes, next 0
  return concat(bytes(0x34, 0xff), be16(payload.length + 8), be32(teid), opt, ext, payload);
}

// ---- payloads ----

/** The first bytes of a TLS 1.2 ClientHello record (enough for a sensor to recognise it). */
export function clientHelloStub(len = 64): Uint8Array {
  const b = new Uint8Array(len);
  b.set(bytes(0x16, 0x03, 0x01, (len - 5) >> 8, (len - 5) & 0xff, 0x01, 0, (len - 9) >> 8, (len - 9) & 0xff, 0x03, 0x03));
  for (let i = 11; i < len; i++) b[i] = i & 0xff;
  return b;
}

/** Split an IPv4 payload into fragments of at most `size` bytes (multiple of 8 except the last). */
export function fragmentIpv4(o: Omit<Ipv4Opts, 'mf' | 'fragOffset'>, payload: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += size) {
    const piece = payload.subarray(off, Math.min(off + size, payload.length));
    out.push(ipv4({ ...o, fragOffset: off, mf: off + size < payload.length }, piece));
  }
  return out;
}

/** Split the fragmentable part of an IPv6 packet into fragment-header packets. */
export function fragmentIpv6(
  o: Omit<Ipv6Opts, 'nextHeader'>,
  nextHeader: number,
  id: number,
  fragmentable: Uint8Array,
  size: number,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < fragmentable.length; off += size) {
    const piece = fragmentable.subarray(off, Math.min(off + size, fragmentable.length));
    out.push(ipv6({ ...o, nextHeader: 44 }, ipv6Frag(nextHeader, off, off + size < fragmentable.length, id, piece)));
  }
  return out;
}

export function eth4(payload: Uint8Array): Uint8Array {
  return ethernet({ type: 0x0800 }, payload);
}

export function eth6(payload: Uint8Array): Uint8Array {
  return ethernet({ type: 0x86dd }, payload);
}
