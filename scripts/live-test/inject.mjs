#!/usr/bin/env node
// inject.mjs — put crafted Ethernet frames on an interface with libpcap (pcap_inject), for
// the live-capture tests. Bounded in count and time; meant to run inside a test network
// namespace on one end of a veth pair, so the frames arrive on the other end.
//
//   node inject.mjs <iface> udp <count> [--seconds S] [--burst B]
//       IPv4/UDP 10.97.0.1:4000 → 10.97.0.2:4001; payload: "TLSS", u32 sequence number, then
//       56 bytes (seq * 31 + i) & 0xff — a receiver can check every packet arrived intact.
//   node inject.mjs <iface> tlsflood <flows> [--seconds S] [--burst B]
//       per flow (distinct source address and port): a SYN, then one segment with the first
//       600 bytes of a TLS record that announces 16 KiB of ClientHello: each such flow holds
//       buffered bytes until it ends, so a flood spends the sensor's flow memory.
//
// Frames go to a locally administered MAC (02:00:00:00:00:02): the receiving kernel's IP
// stack ignores them, only packet capture sees them. Prints one JSON line: {sent, ms}.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const binding = require('pcap/build/Release/pcap_binding.node');

const [iface, mode, countArg, ...rest] = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? Number(rest[i + 1]) : dflt;
};
const count = Number(countArg);
const maxMs = opt('seconds', 20) * 1000;
const burst = opt('burst', 1000);
if (!iface || !['udp', 'tlsflood'].includes(mode) || !(count > 0)) {
  console.error('usage: inject.mjs <iface> udp|tlsflood <count> [--seconds S] [--burst B]');
  process.exit(2);
}

const session = new binding.PcapSession();
// A filter that matches nothing: this handle only sends.
session.open_live(iface, 'ether proto 0x88b5', 1 << 20, 128, '', () => {}, false, 1000, () => {}, false);

const DST_MAC = [0x02, 0, 0, 0, 0, 0x02];
const SRC_MAC = [0x02, 0, 0, 0, 0, 0x01];

function checksum(buf, off, len) {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (buf[off + i] << 8) | (i + 1 < len ? buf[off + i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4(frame, proto, src, dst, payloadLen) {
  DST_MAC.forEach((b, i) => (frame[i] = b));
  SRC_MAC.forEach((b, i) => (frame[6 + i] = b));
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame[15] = 0;
  frame.writeUInt16BE(20 + payloadLen, 16);
  frame.writeUInt32BE(0x40000000, 18); // id 0, DF
  frame[22] = 64;
  frame[23] = proto;
  frame.writeUInt16BE(0, 24);
  frame.writeUInt32BE(src >>> 0, 26);
  frame.writeUInt32BE(dst >>> 0, 30);
  frame.writeUInt16BE(checksum(frame, 14, 20), 24);
}

const A = (10 << 24) | (97 << 16) | 1;
const B = (10 << 24) | (97 << 16) | 2;

function udpFrame(seq) {
  const payload = 64;
  const f = Buffer.alloc(14 + 20 + 8 + payload);
  ipv4(f, 17, A, B, 8 + payload);
  f.writeUInt16BE(4000, 34);
  f.writeUInt16BE(4001, 36);
  f.writeUInt16BE(8 + payload, 38);
  f.write('TLSS', 42, 'latin1');
  f.writeUInt32BE(seq >>> 0, 46);
  for (let i = 0; i < 56; i++) f[50 + i] = (seq * 31 + i) & 0xff;
  return f;
}

function tcpFrame(src, sport, seq, flags, payload) {
  const f = Buffer.alloc(14 + 20 + 20 + payload.length);
  ipv4(f, 6, src, B, 20 + payload.length);
  f.writeUInt16BE(sport, 34);
  f.writeUInt16BE(443, 36);
  f.writeUInt32BE(seq >>> 0, 38);
  f.writeUInt32BE(0, 42);
  f[46] = 5 << 4;
  f[47] = flags;
  f.writeUInt16BE(65535, 48);
  payload.copy(f, 54);
  return f;
}

// A TLS record header for 16 KiB of handshake, a ClientHello header for 16380 bytes, and the
// first bytes of the hello: the rest never comes.
const partialHello = Buffer.alloc(600);
partialHello.set([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x3f, 0xfc, 0x03, 0x03]);
for (let i = 11; i < partialHello.length; i++) partialHello[i] = i & 0xff;

function* frames() {
  if (mode === 'udp') {
    for (let seq = 0; seq < count; seq++) yield udpFrame(seq);
    return;
  }
  for (let i = 0; i < count; i++) {
    // 10.98.x.y sources, ports 1024..65535: every flow distinct
    const src = ((10 << 24) | (98 << 16) | ((i >>> 6) & 0xffff)) >>> 0;
    const sport = 1024 + ((i * 997) % 64000);
    const isn = (i * 2654435761) >>> 0;
    yield tcpFrame(src, sport, isn, 0x02, Buffer.alloc(0));
    yield tcpFrame(src, sport, isn + 1, 0x18, partialHello);
  }
}

const it = frames();
const t0 = Date.now();
let sent = 0;
let done = false;
function step() {
  for (let i = 0; i < burst; i++) {
    const n = it.next();
    if (n.done) {
      done = true;
      break;
    }
    try {
      session.inject(n.value);
      sent++;
    } catch {
      // ENOBUFS: the device queue is full; give it a moment
      setTimeout(step, 1);
      return;
    }
  }
  if (done || Date.now() - t0 > maxMs) {
    console.log(JSON.stringify({ sent, ms: Date.now() - t0 }));
    process.exit(0);
  }
  setImmediate(step);
}
step();
