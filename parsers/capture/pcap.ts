import type { PacketCallback, PacketRecord } from './types.js';
import type { Report } from './index.js';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** Magic numbers as read big-endian from the first four bytes. */
export const PCAP_MAGICS: ReadonlySet<number> = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);

function rd32(b: Uint8Array, p: number, le: boolean): number {
  return le
    ? (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0
    : ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/**
 * Classic libpcap files. A record header is not self-checking, so after a bad one there
 * is no way to find the next record: every bad record is fatal.
 */
export class PcapParser {
  readonly format = 'pcap' as const;
  fatal = false;
  /** Bytes to drop after what run() returned (never used by classic pcap). */
  skip = 0;
  skipFrom = 0;
  count = 0;
  private started = false;
  private le = true;
  /** Multiplier from the fraction field to nanoseconds: 1000 (µs magic) or 1 (ns magic). */
  private fracMul = 1000;
  private linkType = 0;

  constructor(
    private readonly rec: PacketRecord,
    private readonly maxCaplen: number,
    private readonly report: Report,
  ) {}

  /** Bytes the record at b[pos] needs to be decoded in one piece (given avail bytes of it). */
  need(b: Uint8Array, pos: number, avail: number): number {
    if (!this.started) return FILE_HEADER;
    if (avail < RECORD_HEADER) return RECORD_HEADER;
    const caplen = rd32(b, pos + 8, this.le);
    return caplen > this.maxCaplen ? RECORD_HEADER : RECORD_HEADER + caplen;
  }

  what(_b: Uint8Array, _pos: number, avail: number, offset: number): string {
    return this.started
      ? `pcap: record at offset ${offset} is truncated (${avail} bytes of header+data left)`
      : `pcap: file header at offset ${offset} is truncated (${avail} of 24 bytes)`;
  }

  /** Decodes whole records in b[pos, end); returns where it stopped (incomplete record or fatal error). */
  run(b: Uint8Array, pos: number, end: number, base: number, cb: PacketCallback): number {
    if (!this.started) {
      if (end - pos < FILE_HEADER || !this.header(b, pos, base)) return pos;
      pos += FILE_HEADER;
    }
    const rec = this.rec;
    const le = this.le;
    const max = this.maxCaplen;
    const fracMul = this.fracMul;
    const linkType = this.linkType;
    while (end - pos >= RECORD_HEADER) {
      const caplen = rd32(b, pos + 8, le);
      if (caplen > max) {
        this.fatal = true;
        this.report('bad_record', `pcap: record at offset ${base + pos} has caplen ${caplen} (> ${max})`, base + pos, true);
        return pos;
      }
      const next = pos + RECORD_HEADER + caplen;
      if (next > end) break;
      let sec = rd32(b, pos, le);
      let nsec = rd32(b, pos + 4, le) * fracMul;
      if (nsec >= 1e9) {
        // Out-of-range fraction (seen in some writers): carry into seconds.
        sec += Math.floor(nsec / 1e9);
        nsec %= 1e9;
      }
      rec.data = b;
      rec.offset = pos + RECORD_HEADER;
      rec.caplen = caplen;
      rec.origLen = rd32(b, pos + 12, le);
      rec.linkType = linkType;
      rec.tsSec = sec;
      rec.tsNsec = nsec;
      rec.interfaceId = 0;
      this.count++;
      cb(rec);
      pos = next;
    }
    return pos;
  }

  private header(b: Uint8Array, pos: number, base: number): boolean {
    const magic = rd32(b, pos, false);
    this.le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
    this.fracMul = magic === 0xa1b23c4d || magic === 0x4d3cb2a1 ? 1 : 1000;
    const major = b[pos + (this.le ? 4 : 5)];
    const majorHi = b[pos + (this.le ? 5 : 4)];
    if (major !== 2 || majorHi !== 0) {
      const minor = this.le ? b[pos + 6] | (b[pos + 7] << 8) : (b[pos + 6] << 8) | b[pos + 7];
      this.fatal = true;
      this.report('unsupported', `pcap: file header at offset ${base + pos} has version ${major | (majorHi << 8)}.${minor} (only 2.x is read)`, base + pos, true);
      return false;
    }
    // Upper bits of the link-type field carry FCS information; the link type is the low 16.
    this.linkType = rd32(b, pos + 20, this.le) & 0xffff;
    this.started = true;
    return true;
  }
}
