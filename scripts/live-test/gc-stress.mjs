#!/usr/bin/env node
// gc-stress.mjs — run tlsscope's live source under forced garbage collection.
//
//   node --expose-gc gc-stress.mjs <iface> [--gc-every-ms N] [--gc-every-packets N]
//
// Captures on <iface> (UDP only) and hands every packet to a Sensor, while global.gc() runs
// every N ms from a timer and every M packets from inside the packet callback (that is, with
// libpcap's dispatch on the stack, writing into the capture buffer). Only a WeakRef to the
// source is kept here: the capture must keep its own buffers alive. Each packet from
// inject.mjs's udp mode is checked byte for byte (a freed and reused buffer shows as
// corruption, or as a crash). Prints "READY" once capturing; on SIGTERM prints one JSON line
// {packets, valid, corrupt, gcs, stats} and exits 0.
import { PcapLiveSource } from '../../dist/src/source/live-pcap.js';
import { Sensor } from '../../dist/src/sensor.js';

if (typeof globalThis.gc !== 'function') {
  console.error('gc-stress: run with node --expose-gc');
  process.exit(2);
}
const gc = globalThis.gc;
const args = process.argv.slice(2);
const iface = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const everyMs = opt('gc-every-ms', 3);
const everyPackets = opt('gc-every-packets', 5000);

let packets = 0;
let valid = 0;
let corrupt = 0;
let gcs = 0;
const sensor = new Sensor(() => {});

function check(rec) {
  const d = rec.data;
  const o = rec.offset;
  if (rec.caplen !== 106 || d[o + 42] !== 0x54 || d[o + 43] !== 0x4c || d[o + 44] !== 0x53 || d[o + 45] !== 0x53) return false;
  const seq = ((d[o + 46] << 24) | (d[o + 47] << 16) | (d[o + 48] << 8) | d[o + 49]) >>> 0;
  for (let i = 0; i < 56; i++) if (d[o + 50 + i] !== ((seq * 31 + i) & 0xff)) return false;
  return true;
}

const ref = new WeakRef(
  (() => {
    const src = new PcapLiveSource();
    src.open([iface], { bpf: 'udp', snaplen: 2048, bufferSize: 256 << 20 });
    src.onPacket((rec) => {
      packets++;
      if (check(rec)) valid++;
      else corrupt++;
      sensor.packet(rec);
      if (packets % everyPackets === 0) {
        gc();
        gcs++;
      }
    });
    return src;
  })(),
);

let junk = [];
setInterval(() => {
  // garbage of every size, so the collector has something to move
  junk = Array.from({ length: 200 }, (_, i) => Buffer.alloc(64 + i * 37));
  gc();
  gcs++;
}, everyMs);

process.on('SIGTERM', () => {
  const src = ref.deref();
  const stats = src ? src.stats() : null;
  src?.close();
  process.stdout.write(JSON.stringify({ packets, valid, corrupt, gcs, sourceAlive: src !== undefined, stats, junk: junk.length }) + '\n');
  process.exit(0);
});
process.stdout.write('READY\n');
