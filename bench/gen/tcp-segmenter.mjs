// TCP connections as packet descriptors (three-way handshake, data cut at the MSS, delayed and
// lagging ACKs, FIN exchange) with correct sequence and acknowledgement numbers, and their
// encoding into Ethernet/IPv4|IPv6/TCP frames with real checksums and TCP timestamps.

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
/** MSS with TCP timestamps on a 1500-byte MTU: 1460 - 12 (IPv4), 1440 - 12 (IPv6). */
export const MSS_V4 = 1448;
export const MSS_V6 = 1428;

const seqGt = (a, b) => ((a - b) | 0) > 0;

/**
 * One TCP connection. Side 0 is the client (sends the SYN), side 1 the server. Methods are
 * generators of packet descriptors { flow, dir, flags, seq, ack, payload }; emit them in order.
 */
export class TcpFlow {
  /**
   * o: { rng, v6, mac: [Buffer6, Buffer6], ip: [Buffer4|16, Buffer4|16], port: [c, s],
   *      win: [clientWindow, serverWindow] (already scaled by 2^7), ttl: [c, s] }
   */
  constructor(o) {
    const { rng } = o;
    this.rng = rng;
    this.v6 = o.v6;
    this.mac = o.mac;
    this.ip = o.ip;
    this.port = o.port;
    this.mss = o.v6 ? MSS_V6 : MSS_V4;
    this.nxt = [rng.u32(), rng.u32()];
    this.lastAck = [0, 0];
    this.acked = [false, false];
    this.win = o.win ?? [502, 509];
    this.ttl = o.ttl ?? [64, 54];
    this.ipId = [rng.int(65536), rng.int(65536)];
    this.tsOff = [rng.u32(), rng.u32()];
    this.tsLast = [0, 0];
    this.flowLabel = rng.int(1 << 20);
    // Pseudo-header sums (addresses + protocol), per direction; the TCP length is added per packet.
    const sum = (b) => { let s = 0; for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | b[i + 1]; return s; };
    this.psum = sum(o.ip[0]) + sum(o.ip[1]) + 6;
  }

  pkt(dir, flags, payload = null, ackValue = undefined) {
    const p = { flow: this, dir, flags, seq: this.nxt[dir], ack: 0, payload };
    if (flags & ACK) {
      p.ack = ackValue ?? this.nxt[1 - dir];
      this.lastAck[dir] = p.ack;
      this.acked[dir] = true;
    }
    const len = (payload ? payload.length : 0) + (flags & (SYN | FIN) ? 1 : 0);
    this.nxt[dir] = (this.nxt[dir] + len) >>> 0;
    return p;
  }

  *open() {
    yield this.pkt(0, SYN);
    yield this.pkt(1, SYN | ACK);
    yield this.pkt(0, ACK);
  }

  /**
   * Sends `data` from `dir` as MSS-sized segments (PSH on the last). The peer ACKs every second
   * full segment, `lag` segments late (0..lagMax, as on a path with a real RTT); with `tail` it
   * also ACKs whatever is left at the end (its delayed-ACK timer), otherwise its next segment
   * carries the ACK.
   */
  *send(dir, data, { lagMax = 0, tail = false } = {}) {
    const peer = 1 - dir;
    const mss = this.mss;
    const pending = [];
    let segs = 0;
    for (let off = 0; off < data.length; off += mss) {
      const end = Math.min(data.length, off + mss);
      yield this.pkt(dir, end === data.length ? ACK | PSH : ACK, data.subarray(off, end));
      segs++;
      if (segs % 2 === 0) pending.push({ ack: this.nxt[dir], due: segs + (lagMax ? this.rng.int(lagMax + 1) : 0) });
      while (pending.length && pending[0].due <= segs) yield this.pkt(peer, ACK, null, pending.shift().ack);
    }
    if (!tail) return;
    for (const p of pending) yield this.pkt(peer, ACK, null, p.ack);
    if (seqGt(this.nxt[dir], this.lastAck[peer])) yield this.pkt(peer, ACK);
  }

  /** A bare ACK from `dir` of everything the peer sent, if anything is unacknowledged. */
  *ackAll(dir) {
    if (seqGt(this.nxt[1 - dir], this.lastAck[dir])) yield this.pkt(dir, ACK);
  }

  /** `first` sends FIN, the peer answers FIN, `first` ACKs it. */
  *close(first) {
    yield this.pkt(first, FIN | ACK);
    yield this.pkt(1 - first, FIN | ACK);
    yield this.pkt(first, ACK);
  }
}

/**
 * Encodes packet descriptor `p` as an Ethernet frame straight into the pcap writer's buffer.
 * IPv4 and TCP checksums are computed; TCP carries timestamps (TSval in ms on each host's clock).
 */
export function writeFrame(w, tsUs, p) {
  const f = p.flow;
  const d = p.dir;
  const pl = p.payload;
  const plen = pl ? pl.length : 0;
  const syn = (p.flags & SYN) !== 0;
  const tcpHdr = syn ? 40 : 32;
  const tcpLen = tcpHdr + plen;
  const ipHdr = f.v6 ? 40 : 20;
  const len = 14 + ipHdr + tcpLen;
  const at = w.begin(tsUs, len);
  const b = w.buf;

  // Ethernet
  const dst = f.mac[1 - d], src = f.mac[d];
  for (let i = 0; i < 6; i++) { b[at + i] = dst[i]; b[at + 6 + i] = src[i]; }
  b[at + 12] = f.v6 ? 0x86 : 0x08;
  b[at + 13] = f.v6 ? 0xdd : 0x00;

  // IP
  const ip = at + 14;
  const sip = f.ip[d], dip = f.ip[1 - d];
  if (f.v6) {
    b[ip] = 0x60 | 0; b[ip + 1] = (f.flowLabel >>> 16) & 0x0f; b[ip + 2] = (f.flowLabel >>> 8) & 0xff; b[ip + 3] = f.flowLabel & 0xff;
    b[ip + 4] = tcpLen >>> 8; b[ip + 5] = tcpLen & 0xff; b[ip + 6] = 6; b[ip + 7] = f.ttl[d];
    for (let i = 0; i < 16; i++) { b[ip + 8 + i] = sip[i]; b[ip + 24 + i] = dip[i]; }
  } else {
    const total = 20 + tcpLen;
    const id = f.ipId[d];
    f.ipId[d] = (id + 1) & 0xffff;
    b[ip] = 0x45; b[ip + 1] = 0; b[ip + 2] = total >>> 8; b[ip + 3] = total & 0xff;
    b[ip + 4] = id >>> 8; b[ip + 5] = id & 0xff; b[ip + 6] = 0x40; b[ip + 7] = 0;
    b[ip + 8] = f.ttl[d]; b[ip + 9] = 6; b[ip + 10] = 0; b[ip + 11] = 0;
    for (let i = 0; i < 4; i++) { b[ip + 12 + i] = sip[i]; b[ip + 16 + i] = dip[i]; }
    let s = 0;
    for (let i = 0; i < 20; i += 2) s += (b[ip + i] << 8) | b[ip + i + 1];
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    s = ~s & 0xffff;
    b[ip + 10] = s >>> 8; b[ip + 11] = s & 0xff;
  }

  // TCP
  const t = ip + ipHdr;
  const sp = f.port[d], dp = f.port[1 - d];
  b[t] = sp >>> 8; b[t + 1] = sp & 0xff; b[t + 2] = dp >>> 8; b[t + 3] = dp & 0xff;
  const seq = p.seq, ack = p.ack;
  b[t + 4] = seq >>> 24; b[t + 5] = (seq >>> 16) & 0xff; b[t + 6] = (seq >>> 8) & 0xff; b[t + 7] = seq & 0xff;
  b[t + 8] = ack >>> 24; b[t + 9] = (ack >>> 16) & 0xff; b[t + 10] = (ack >>> 8) & 0xff; b[t + 11] = ack & 0xff;
  b[t + 12] = (tcpHdr / 4) << 4; b[t + 13] = p.flags;
  const win = syn ? (d === 0 ? 64240 : 65160) : f.win[d];
  b[t + 14] = win >>> 8; b[t + 15] = win & 0xff;
  b[t + 16] = 0; b[t + 17] = 0; b[t + 18] = 0; b[t + 19] = 0;
  const tsval = (f.tsOff[d] + Math.floor(tsUs / 1000)) >>> 0;
  const tsecr = f.tsLast[1 - d];
  f.tsLast[d] = tsval;
  let o = t + 20;
  if (syn) {
    // MSS, SACK permitted, timestamps, NOP, window scale 7 (Linux's order)
    const mss = f.v6 ? 1440 : 1460;
    b[o++] = 2; b[o++] = 4; b[o++] = mss >>> 8; b[o++] = mss & 0xff;
    b[o++] = 4; b[o++] = 2;
  } else {
    b[o++] = 1; b[o++] = 1;
  }
  b[o++] = 8; b[o++] = 10;
  b[o++] = tsval >>> 24; b[o++] = (tsval >>> 16) & 0xff; b[o++] = (tsval >>> 8) & 0xff; b[o++] = tsval & 0xff;
  b[o++] = tsecr >>> 24; b[o++] = (tsecr >>> 16) & 0xff; b[o++] = (tsecr >>> 8) & 0xff; b[o++] = tsecr & 0xff;
  if (syn) { b[o++] = 1; b[o++] = 3; b[o++] = 3; b[o++] = 7; }
  if (plen) b.set(pl, o);

  // TCP checksum over the pseudo-header, header and payload.
  let s = f.psum + tcpLen;
  const end = t + tcpLen;
  let i = t;
  for (; i + 1 < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if (i < end) s += b[i] << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  s = ~s & 0xffff;
  b[t + 16] = s >>> 8; b[t + 17] = s & 0xff;
  return len;
}
