import { describe, it, expect } from 'vitest';
import { CaptureDecoder, sniffCaptureFormat } from '../../parsers/capture/index.js';
import type { CaptureError } from '../../parsers/capture/types.js';
import { writePcap, writePcapng, type CapturePacket } from '../../parsers/capture/write-pcap.js';
import { decodeChunked, prng, randomBytes } from './helpers.js';

const rand = prng(42);
const pkts = (n: number, linkType = 1): CapturePacket[] =>
  Array.from({ length: n }, (_, i) => ({ data: randomBytes(rand, 50 + i), tsSec: 1_700_000_000 + i, tsNsec: i * 1000, linkType }));

/** Every error: one line, names its own offset. */
function wellFormed(errors: CaptureError[]): void {
  for (const e of errors) {
    expect(e.message).not.toMatch(/[\r\n]/);
    expect(e.message).toContain(`offset ${e.offset}`);
    expect(Number.isInteger(e.offset) && e.offset >= 0).toBe(true);
  }
}

function only(errors: CaptureError[]): CaptureError {
  wellFormed(errors);
  expect(errors).toHaveLength(1);
  return errors[0];
}

/** Offsets of the blocks of a little-endian pcapng. */
function blocks(b: Uint8Array): { off: number; type: number; len: number }[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = [];
  for (let off = 0; off + 8 <= b.length; ) {
    const len = dv.getUint32(off + 4, true);
    out.push({ off, type: dv.getUint32(off, true), len });
    off += len;
  }
  return out;
}

const set32 = (b: Uint8Array, off: number, v: number, le = true): void => new DataView(b.buffer, b.byteOffset).setUint32(off, v, le);

describe('not a capture', () => {
  it('empty input: not_a_capture at end()', () => {
    const d = new CaptureDecoder();
    expect(d.end()).toEqual([{ kind: 'not_a_capture', message: 'not a capture: input has 0 bytes, too few for a magic number at offset 0', offset: 0, fatal: true }]);
    expect(d.format).toBeUndefined();
  });

  it('3 bytes (even of a real magic): not_a_capture at end()', () => {
    const got = decodeChunked(Uint8Array.of(0xd4, 0xc3, 0xb2), 1);
    expect(only(got.errors).kind).toBe('not_a_capture');
    expect(got.errors[0].message).toContain('3 bytes');
  });

  it('random bytes: fatal not_a_capture as soon as 4 bytes arrive, then input is ignored', () => {
    const junk = randomBytes(rand, 5000);
    junk[0] = 0x42;
    const d = new CaptureDecoder();
    let seen = 0;
    const e = only(d.push(junk.subarray(0, 2), () => seen++).concat(d.push(junk.subarray(2), () => seen++)));
    expect(e).toMatchObject({ kind: 'not_a_capture', offset: 0, fatal: true });
    expect(d.push(writePcap(pkts(3)), () => seen++)).toEqual([]);
    expect(d.end()).toEqual([]);
    expect(seen).toBe(0);
    expect(d.packets).toBe(0);
  });

  it('gzip data says so', () => {
    expect(only(decodeChunked(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0)).errors).message).toContain('gzip');
  });

  it('modified (Kuznetzov) pcap is reported as unsupported', () => {
    const b = writePcap(pkts(1));
    set32(b, 0, 0xa1b2cd34);
    expect(only(decodeChunked(b).errors)).toMatchObject({ kind: 'unsupported', fatal: true });
  });

  it('sniffCaptureFormat knows the magics, in either byte order', () => {
    expect(sniffCaptureFormat(Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1))).toBe('pcap');
    expect(sniffCaptureFormat(Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4))).toBe('pcap');
    expect(sniffCaptureFormat(Uint8Array.of(0x4d, 0x3c, 0xb2, 0xa1))).toBe('pcap');
    expect(sniffCaptureFormat(Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d))).toBe('pcap');
    expect(sniffCaptureFormat(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a))).toBe('pcapng');
    expect(sniffCaptureFormat(Uint8Array.of(0x0a, 0x0d, 0x0d))).toBeUndefined();
    expect(sniffCaptureFormat(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46))).toBeUndefined();
  });
});

describe('classic pcap', () => {
  const file = writePcap(pkts(5));
  const recordAt = (i: number): number => 24 + pkts(5).slice(0, i).reduce((n, _, j) => n + 16 + 50 + j, 0);

  it('cut inside the last record: earlier packets delivered, one truncated error at that record', () => {
    const last = recordAt(4);
    for (const cut of [last + 1, last + 15, last + 16, file.length - 1]) {
      for (const chunk of [1, 7, 4096]) {
        const got = decodeChunked(file.subarray(0, cut), chunk);
        expect(got.packets).toHaveLength(4);
        expect(only(got.errors)).toMatchObject({ kind: 'truncated', offset: last, fatal: true });
        expect(got.decoder.bytesConsumed).toBe(last);
      }
    }
  });

  it('cut inside the file header: truncated at offset 0', () => {
    const got = decodeChunked(file.subarray(0, 10), 3);
    expect(only(got.errors)).toMatchObject({ kind: 'truncated', offset: 0 });
    expect(got.errors[0].message).toContain('file header');
  });

  it('a header and no records is a valid empty capture', () => {
    const got = decodeChunked(file.subarray(0, 24), 5);
    expect(got.errors).toEqual([]);
    expect(got.decoder.format).toBe('pcap');
  });

  it('absurd caplen: fatal bad_record at that record, earlier packets delivered, rest ignored', () => {
    const b = file.slice();
    const at = recordAt(2);
    set32(b, at + 8, 0x7fffffff);
    for (const chunk of [1, 64, b.length]) {
      const got = decodeChunked(b, chunk);
      expect(got.packets).toHaveLength(2);
      const e = only(got.errors);
      expect(e).toMatchObject({ kind: 'bad_record', offset: at, fatal: true });
      expect(e.message).toBe(`pcap: record at offset ${at} has caplen 2147483647 (> 262144)`);
      expect(got.decoder.bytesConsumed).toBe(at);
    }
  });

  it('maxRecordBytes sets the caplen limit', () => {
    const got = decodeChunked(file, 7, { maxRecordBytes: 51 });
    expect(got.packets).toHaveLength(2);
    expect(only(got.errors)).toMatchObject({ kind: 'bad_record', offset: recordAt(2) });
  });

  it('an unknown major version is unsupported', () => {
    const b = file.slice();
    b[4] = 3;
    expect(only(decodeChunked(b).errors)).toMatchObject({ kind: 'unsupported', offset: 0, fatal: true });
  });

  it('an exception from onPacket propagates and stops the decoder', () => {
    const d = new CaptureDecoder();
    expect(() => d.push(file, () => { throw new Error('sink failed'); })).toThrow('sink failed');
    expect(d.push(file, () => undefined)).toEqual([]);
    expect(d.end()).toEqual([]);
  });
});

describe('pcapng', () => {
  const file = writePcapng({ items: pkts(4) });
  const bl = blocks(file);
  const epbs = bl.filter((b) => b.type === 6);

  it('block length 7: fatal, names the offset', () => {
    const b = file.slice();
    set32(b, epbs[1].off + 4, 7);
    const got = decodeChunked(b, 13);
    expect(got.packets).toHaveLength(1);
    const e = only(got.errors);
    expect(e).toEqual({ kind: 'bad_record', message: `pcapng: block at offset ${epbs[1].off} has length 7 (< 12)`, offset: epbs[1].off, fatal: true });
  });

  it('block length not a multiple of 4: fatal', () => {
    const b = file.slice();
    set32(b, epbs[2].off + 4, epbs[2].len + 2);
    const got = decodeChunked(b);
    expect(got.packets).toHaveLength(2);
    expect(only(got.errors).message).toBe(`pcapng: block at offset ${epbs[2].off} has length ${epbs[2].len + 2} (not a multiple of 4)`);
  });

  it('cut inside the last block: earlier packets delivered, one truncated error', () => {
    for (const chunk of [1, 9, file.length]) {
      const got = decodeChunked(file.subarray(0, file.length - 5), chunk);
      expect(got.packets).toHaveLength(3);
      expect(only(got.errors)).toMatchObject({ kind: 'truncated', offset: epbs[3].off, fatal: true });
    }
  });

  it('an unknown block running past the end: truncated', () => {
    const b = writePcapng({ items: [...pkts(1), { rawType: 0x7777, body: new Uint8Array(100_000) }] });
    const got = decodeChunked(b.subarray(0, b.length - 1000), 4096);
    expect(got.packets).toHaveLength(1);
    expect(only(got.errors)).toMatchObject({ kind: 'truncated', offset: blocks(b).at(-1)!.off });
  });

  it('bad byte-order magic in the first section: not_a_capture', () => {
    const b = file.slice();
    set32(b, 8, 0x12345678);
    expect(only(decodeChunked(b).errors)).toMatchObject({ kind: 'not_a_capture', offset: 0, fatal: true });
  });

  it('a section of major version 2: unsupported', () => {
    const b = file.slice();
    b[12] = 2;
    expect(only(decodeChunked(b).errors)).toMatchObject({ kind: 'unsupported', offset: 0, fatal: true });
  });

  it('a packet on an undefined interface is skipped; decoding goes on', () => {
    const b = file.slice();
    set32(b, epbs[1].off + 8, 5);
    const got = decodeChunked(b, 10);
    expect(got.packets).toHaveLength(3);
    expect(only(got.errors)).toMatchObject({ kind: 'bad_record', offset: epbs[1].off, fatal: false });
    expect(got.errors[0].message).toContain('no interface 5');
  });

  it('a trailing length that disagrees: block skipped; decoding goes on', () => {
    const b = file.slice();
    set32(b, epbs[0].off + epbs[0].len - 4, 999);
    const got = decodeChunked(b);
    expect(got.packets.map((p) => p.tsSec)).toEqual([1_700_000_001, 1_700_000_002, 1_700_000_003]);
    expect(only(got.errors)).toMatchObject({ kind: 'bad_record', offset: epbs[0].off, fatal: false });
  });

  it('a caplen beyond its block: skipped; decoding goes on', () => {
    const b = file.slice();
    set32(b, epbs[3].off + 20, 10_000);
    const got = decodeChunked(b, 3);
    expect(got.packets).toHaveLength(3);
    expect(only(got.errors)).toMatchObject({ kind: 'bad_record', offset: epbs[3].off, fatal: false });
  });

  it('a packet block over the size limit is skipped by its length, even across chunks', () => {
    const big = { data: new Uint8Array(400_000), tsSec: 5, tsNsec: 0, linkType: 1 };
    const b = writePcapng({ items: [...pkts(1), big, ...pkts(1)] });
    for (const chunk of [1000, 65536, b.length]) {
      const got = decodeChunked(b, chunk);
      expect(got.packets).toHaveLength(2);
      expect(only(got.errors)).toMatchObject({ kind: 'bad_record', fatal: false });
    }
  });

  it('maxRecordBytes bounds caplen here too: a larger packet is skipped, not fatal', () => {
    const got = decodeChunked(file, 5, { maxRecordBytes: 51 });
    expect(got.packets.map((p) => p.caplen)).toEqual([50, 51]);
    expect(got.errors.map((e) => [e.kind, e.offset, e.fatal])).toEqual([
      ['bad_record', epbs[2].off, false],
      ['bad_record', epbs[3].off, false],
    ]);
    wellFormed(got.errors);
  });

  it('a chunk full of bad blocks yields a bounded error list', () => {
    const many = writePcapng({ items: pkts(1000) });
    for (const e of blocks(many).filter((x) => x.type === 6)) set32(many, e.off + 8, 9);
    const d = new CaptureDecoder();
    const errs = d.push(many, () => undefined);
    wellFormed(errs);
    expect(errs.length).toBeLessThanOrEqual(101);
    expect(errs.at(-1)!.message).toContain('900 more errors');
  });
});
