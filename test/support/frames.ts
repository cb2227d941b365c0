/** Minimal Ethernet/IPv4/TCP frame builder for pipeline tests (checksums left zero: the sensor ignores them). */
export interface TcpFrame {
  src: number; // IPv4 as uint32
  dst: number;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  payload?: Uint8Array;
}

export function tcpFrame(f: TcpFrame): Uint8Array {
  const payload = f.payload ?? new Uint8Array(0);
  const out = new Uint8Array(14 + 20 + 20 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(12, 0x0800);
  out[14] = 0x45;
  v.setUint16(16, 20 + 20 + payload.length);
  out[22] = 64;
  out[23] = 6;
  v.setUint32(26, f.src);
  v.setUint32(30, f.dst);
  v.setUint16(34, f.sport);
  v.setUint16(36, f.dport);
  v.setUint32(38, f.seq >>> 0);
  v.setUint32(42, (f.ack ?? 0) >>> 0);
  out[46] = 5 << 4;
  out[47] = f.flags;
  v.setUint16(48, 65535);
  out.set(payload, 54);
  return out;
}

export function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}
