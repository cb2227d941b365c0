import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writePcap, writePcapng, type CapturePacket, type PcapngSection } from '../../parsers/capture/write-pcap.js';
import { decodeChunked, prng, randomBytes, type Pkt } from './helpers.js';

const rand = prng(0x5eed);
const hexOf = (d: Uint8Array): string => Buffer.from(d).toString('hex');

/** A packet whose time is exactly representable in `units` per second (2^-20 needs care). */
function packet(linkType: number, len: number, sec: number, units: number | 'ns' | 'us'): CapturePacket {
  let nsec: number;
  if (units === 'ns') nsec = Math.floor(rand() * 1e9);
  else if (units === 'us') nsec = Math.floor(rand() * 1e6) * 1000;
  else nsec = Number((BigInt(Math.floor(rand() * units)) * 1_000_000_000n) / BigInt(units));
  return { data: randomBytes(rand, len), tsSec: sec, tsNsec: nsec, linkType };
}

function expected(p: CapturePacket, over: Partial<Pkt> = {}): Pkt {
  return {
    hex: hexOf(p.data),
    caplen: p.data.length,
    origLen: p.origLen ?? p.data.length,
    linkType: p.linkType,
    tsSec: p.tsSec,
    tsNsec: p.tsNsec,
    interfaceId: 0,
    ...over,
  };
}

interface Variant {
  name: string;
  bytes: Uint8Array;
  want: Pkt[];
}

function pcapVariant(name: string, opts: { nanos: boolean; bigEndian: boolean; linkType: number; flags?: number }): Variant {
  const pkts = [0, 1, 13, 60, 1514, 3, 200].map((len, i) =>
    packet(opts.linkType, len, i === 6 ? 4294967295 : 1_700_000_000 + i, opts.nanos ? 'ns' : 'us'),
  );
  pkts[2].origLen = 9000; // snapped
  const bytes = writePcap(pkts, { nanos: opts.nanos, bigEndian: opts.bigEndian, linkTypeFlags: opts.flags });
  return { name, bytes, want: pkts.map((p) => expected(p)) };
}

/** Two sections of opposite byte order, two interfaces each (ns and 2^-20), SPB, OPB, unknown blocks. */
function pcapngVariant(): Variant {
  const want: Pkt[] = [];
  const sections: PcapngSection[] = [];
  for (const bigEndian of [false, true]) {
    const s: PcapngSection = {
      bigEndian,
      interfaces: [
        { linkType: 1, tsresol: 9, snaplen: 64 },
        { linkType: 113, tsresol: 0x80 | 20, tsoffset: 1_000_000 },
      ],
      items: [],
    };
    const spbFull = { data: randomBytes(rand, 61), tsSec: 0, tsNsec: 0, linkType: 1 };
    const spbSnapped = { data: randomBytes(rand, 64), tsSec: 0, tsNsec: 0, linkType: 1, origLen: 1500 };
    const a = packet(1, 60, 1_700_000_000, 'ns');
    const b = packet(113, 99, 1_700_000_001, 1 << 20);
    const c = packet(113, 0, 1_700_000_002, 1 << 20);
    const d = { ...packet(1, 1514, 1_999_999_999, 'ns'), comment: 'an EPB option' };
    s.items.push(
      { rawType: 0x00007777, body: randomBytes(rand, 37) }, // a block type nobody defined
      a,
      { ...b, interfaceId: 1 },
      { rawType: 4, body: new Uint8Array(4) }, // name resolution block (just nrb_record_end): skipped
      { ...spbFull, block: 'spb' },
      { ...spbSnapped, block: 'spb' },
      { ...c, interfaceId: 1, block: 'opb' },
      { rawType: 5, body: new Uint8Array(12) }, // interface statistics (no options): skipped
      d,
    );
    want.push(
      expected(a),
      expected(b, { interfaceId: 1 }),
      expected(spbFull),
      expected(spbSnapped),
      expected(c, { interfaceId: 1 }),
      expected(d),
    );
    sections.push(s);
  }
  return { name: 'pcapng: 2 sections (LE, BE), 2 interfaces (ns, 2^-20 + tsoffset), SPB, OPB, unknown blocks', bytes: writePcapng(sections), want };
}

const variants: Variant[] = [
  pcapVariant('pcap µs little-endian', { nanos: false, bigEndian: false, linkType: 1 }),
  pcapVariant('pcap µs big-endian', { nanos: false, bigEndian: true, linkType: 101 }),
  pcapVariant('pcap ns little-endian', { nanos: true, bigEndian: false, linkType: 276 }),
  pcapVariant('pcap ns big-endian, FCS bits in the link-type field', { nanos: true, bigEndian: true, linkType: 127, flags: 0x14000000 }),
  pcapngVariant(),
];

describe('round trips through write-pcap', () => {
  it.each(variants.map((v) => [v.name, v] as const))('%s: whole input', (_name, v) => {
    const got = decodeChunked(v.bytes);
    expect(got.errors).toEqual([]);
    expect(got.packets).toEqual(v.want);
    expect(got.decoder.packets).toBe(v.want.length);
    expect(got.decoder.bytesConsumed).toBe(v.bytes.length);
  });

  it.each(variants.map((v) => [v.name, v] as const))('%s: identical for every chunk size 1..97', (_name, v) => {
    for (let size = 1; size <= 97; size++) {
      const got = decodeChunked(v.bytes, size);
      expect(got.errors, `chunk ${size}`).toEqual([]);
      expect(got.packets, `chunk ${size}`).toEqual(v.want);
    }
  });

  it('reports the format from the magic number', () => {
    expect(decodeChunked(variants[0].bytes).decoder.format).toBe('pcap');
    expect(decodeChunked(variants[4].bytes).decoder.format).toBe('pcapng');
  });

  it('an unknown block larger than the record limit is skipped without error, across chunks', () => {
    const big = new Uint8Array(3 << 20);
    const p = packet(1, 100, 1_700_000_000, 'ns');
    const bytes = writePcapng({ items: [{ rawType: 0x40000001, body: big }, p] });
    for (const size of [4096, 1 << 20, bytes.length]) {
      const got = decodeChunked(bytes, size);
      expect(got.errors).toEqual([]);
      expect(got.packets).toEqual([expected(p)]);
    }
  });
});

/** Reference conversion with BigInt: the exact answer for any resolution. */
function reference(hi: number, lo: number, tsresol: number): [number, number] {
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  const d = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  return [Number(v / d), Number(((v % d) * 1_000_000_000n) / d)];
}

/** An EPB written by hand (little-endian), so any 64-bit unit count can be tested. */
function rawEpb(ifid: number, hi: number, lo: number): { rawType: number; body: Uint8Array } {
  const body = new Uint8Array(24);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, ifid, true);
  dv.setUint32(4, hi, true);
  dv.setUint32(8, lo, true);
  dv.setUint32(12, 4, true);
  dv.setUint32(16, 4, true);
  return { rawType: 6, body };
}

describe('pcapng timestamps are exact for every if_tsresol', () => {
  const resolutions = [0, 1, 3, 6, 9, 12, 19, 0x80, 0x80 | 10, 0x80 | 20, 0x80 | 31, 0x80 | 32, 0x80 | 40, 0x80 | 63];
  it.each(resolutions.map((r) => [r & 0x80 ? `2^-${r & 0x7f}` : `10^-${r}`, r] as const))('%s', (_n, tsresol) => {
    const items = [];
    const want: [number, number][] = [];
    const edges: [number, number][] = [
      [0, 0],
      [0, 0xffffffff],
      [0xfffff, 0xffffffff],
      [0x100000, 0],
      [0x17a2b3c4, 0xd5e6f708], // ~1.7e18: ns since the epoch today
      [0xffffffff, 0xffffffff],
    ];
    for (let i = 0; i < 300; i++) edges.push([Math.floor(rand() * 2 ** 32), Math.floor(rand() * 2 ** 32)]);
    for (const [hi, lo] of edges) {
      items.push(rawEpb(0, hi, lo));
      want.push(reference(hi, lo, tsresol));
    }
    const got = decodeChunked(writePcapng({ interfaces: [{ linkType: 1, tsresol }], items }));
    expect(got.errors).toEqual([]);
    expect(got.packets.map((p) => [p.tsSec, p.tsNsec])).toEqual(want);
  });

  it('no if_tsresol means microseconds; if_tsoffset (negative too) adds seconds', () => {
    const items = [rawEpb(0, 0x60000, 0x12345678), rawEpb(1, 0x60000, 0x12345678)];
    const bytes = writePcapng({ interfaces: [{ linkType: 1 }, { linkType: 1, tsoffset: -100 }], items });
    const [sec, nsec] = reference(0x60000, 0x12345678, 6);
    expect(decodeChunked(bytes).packets.map((p) => [p.tsSec, p.tsNsec])).toEqual([
      [sec, nsec],
      [sec - 100, nsec],
    ]);
  });
});

const hasTshark = existsSync('/usr/bin/tshark');

describe('an independent reader agrees on what write-pcap writes', () => {
  it.skipIf(!hasTshark).each(variants.map((v) => [v.name, v] as const))('tshark: %s', (_name, v) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tlsscope-capture-'));
    try {
      const file = path.join(dir, 'x.cap');
      writeFileSync(file, v.bytes);
      const out = execFileSync('/usr/bin/tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const theirs = out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
      const ours = decodeChunked(v.bytes).packets.map((p) => [
        // tshark prints no time for a simple packet block (it has none); we say 0.
        p.tsSec === 0 && p.tsNsec === 0 ? '' : `${p.tsSec}.${String(p.tsNsec).padStart(9, '0')}`,
        String(p.caplen),
        String(p.origLen),
      ]);
      expect(ours).toEqual(theirs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
