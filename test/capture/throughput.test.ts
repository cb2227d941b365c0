import { describe, it, expect } from 'vitest';
import { CaptureDecoder } from '../../parsers/capture/index.js';
import type { PacketRecord } from '../../parsers/capture/types.js';
import { writePcap, writePcapng, type CapturePacket } from '../../parsers/capture/write-pcap.js';

const N = 200_000;
/** Loose on purpose: must pass on a busy 2-core CI box; a healthy run is several times this. */
const MIN_PACKETS_PER_SEC = 1_000_000;
const CHUNK = 4 << 20; // what the file source reads at a time

const data = new Uint8Array(60).fill(0x45);
const packets: CapturePacket[] = Array.from({ length: N }, (_, i) => ({
  data,
  tsSec: 1_700_000_000 + Math.floor(i / 1000),
  tsNsec: (i % 1000) * 1_000_123,
  linkType: 1,
}));

/** Best of a few runs, in packets per second. */
function rate(bytes: Uint8Array): number {
  let best = 0;
  let sink = 0;
  const onPacket = (p: PacketRecord): void => {
    sink += p.caplen + p.data[p.offset] + p.tsNsec;
  };
  for (let run = 0; run < 5; run++) {
    const d = new CaptureDecoder();
    const t0 = performance.now();
    for (let i = 0; i < bytes.length; i += CHUNK) d.push(bytes.subarray(i, i + CHUNK), onPacket);
    const errs = d.end();
    const secs = (performance.now() - t0) / 1000;
    expect(errs).toEqual([]);
    expect(d.packets).toBe(N);
    best = Math.max(best, N / secs);
  }
  expect(sink).toBeGreaterThan(0);
  return best;
}

describe('throughput', () => {
  const cases: [string, Uint8Array][] = [
    ['pcap µs', writePcap(packets)],
    ['pcap ns big-endian', writePcap(packets, { nanos: true, bigEndian: true })],
    ['pcapng EPB, default µs', writePcapng({ interfaces: [{ linkType: 1 }], items: packets })],
    ['pcapng EPB, ns', writePcapng({ items: packets })],
    ['pcapng EPB, ns big-endian', writePcapng({ bigEndian: true, items: packets })],
  ];
  it.each(cases)(`%s: > ${MIN_PACKETS_PER_SEC / 1e6}M packets/s on ${N} small packets`, (name, bytes) => {
    const r = rate(bytes);
    console.log(`throughput ${name}: ${(r / 1e6).toFixed(1)}M packets/s (${((r * bytes.length) / N / 1e9).toFixed(2)} GB/s)`);
    expect(r).toBeGreaterThan(MIN_PACKETS_PER_SEC);
  });
});
