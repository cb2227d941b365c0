import type { PacketCallback, PacketRecord } from './types.js';
import type { Report } from './index.js';

const SHB = 0x0a0d0d0a; // byte-order independent (palindrome)
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const BOM = 0x1a2b3c4d;
const BOM_SWAPPED = 0x4d3c2b1a;

function rd32(b: Uint8Array, p: number, le: boolean): number {
  return le
    ? (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0
    : ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

function rd16(b: Uint8Array, p: number, le: boolean): number {
  return le ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1];
}

function blockName(type: number): string {
  switch (type) {
    case SHB: return 'section header block';
    case IDB: return 'interface description block';
    case OPB: return 'packet block';
    case SPB: return 'simple packet block';
    case EPB: return 'enhanced packet block';
    default: return `block (type 0x${type.toString(16)})`;
  }
}

/**
 * How one interface turns 64-bit timestamp units into seconds + nanoseconds.
 * kind 0: units of 10^-k, k <= 9 (integer long division, no BigInt);
 * kind 1: units of 2^-e, e <= 32 (exact in doubles);
 * kind 2: anything else, via BigInt (rare resolutions only).
 */
interface Iface {
  ok: boolean;
  linkType: number;
  snaplen: number;
  kind: 0 | 1 | 2;
  /** kind 0: 10^k; kind 1: 2^e. */
  div: number;
  /** kind 0: ns per unit (10^(9-k)); kind 1: 2^(9-e) (see setTime). */
  mul: number;
  big: bigint;
  offSec: number;
}

function newIface(ok: boolean, linkType: number, snaplen: number): Iface {
  return { ok, linkType, snaplen, kind: 0, div: 1e6, mul: 1000, big: 0n, offSec: 0 };
}

function setResolution(ifc: Iface, tsresol: number): void {
  const exp = tsresol & 0x7f;
  if (tsresol & 0x80) {
    if (exp <= 32) {
      ifc.kind = 1;
      ifc.div = 2 ** exp;
      ifc.mul = 2 ** (9 - exp);
    } else {
      ifc.kind = 2;
      ifc.big = 1n << BigInt(exp);
    }
  } else if (exp <= 9) {
    ifc.kind = 0;
    ifc.div = 10 ** exp;
    ifc.mul = 10 ** (9 - exp);
  } else {
    ifc.kind = 2;
    ifc.big = 10n ** BigInt(exp);
  }
}

/** Timestamp (hi:lo units) to rec.tsSec/tsNsec, exactly, for every resolution. */
function setTime(rec: PacketRecord, ifc: Iface, hi: number, lo: number): void {
  let sec: number;
  let nsec: number;
  if (ifc.kind === 0) {
    const div = ifc.div;
    if (hi < 0x100000) {
      // value < 2^52: one exact division suffices (typical for µs since the epoch).
      const v = hi * 4294967296 + lo;
      sec = Math.floor(v / div);
      nsec = v - sec * div;
    } else {
      // Long division in 16-bit digits keeps every intermediate below 2^53.
      const q1 = Math.floor(hi / div);
      let r = hi - q1 * div;
      let t = r * 65536 + (lo >>> 16);
      const q2 = Math.floor(t / div);
      r = t - q2 * div;
      t = r * 65536 + (lo & 0xffff);
      const q3 = Math.floor(t / div);
      nsec = t - q3 * div;
      sec = q1 * 4294967296 + q2 * 65536 + q3;
    }
    nsec *= ifc.mul;
  } else if (ifc.kind === 1) {
    const div = ifc.div;
    const loSec = Math.floor(lo / div);
    sec = hi * (4294967296 / div) + loSec;
    // frac < 2^32 and 1e9 = 1953125 * 2^9, so frac * 1953125 < 2^53: exact, then a power-of-2 scale.
    nsec = Math.floor((lo - loSec * div) * 1953125 * ifc.mul);
  } else {
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    const s = v / ifc.big;
    sec = Number(s);
    nsec = Number(((v - s * ifc.big) * 1_000_000_000n) / ifc.big);
  }
  rec.tsSec = sec + ifc.offSec;
  rec.tsNsec = nsec;
}

/**
 * pcapng. Blocks are self-delimiting, so a well-framed block we cannot use is reported
 * and skipped; only a length that breaks the framing (< 12, not a multiple of 4) is fatal.
 * Blocks whose content we do not need are skipped without buffering them.
 */
export class PcapngParser {
  readonly format = 'pcapng' as const;
  fatal = false;
  /** Bytes to drop after what run() returned (the rest of a block we skip). */
  skip = 0;
  /** Stream offset of the block being skipped (for the end-of-input message). */
  skipFrom = 0;
  count = 0;
  private le = true;
  private inSection = false;
  private ifaces: Iface[] = [];
  private readonly maxBlock: number;

  constructor(
    private readonly rec: PacketRecord,
    private readonly maxCaplen: number,
    private readonly report: Report,
  ) {
    // Room for the packet plus block header, options and trailer.
    this.maxBlock = maxCaplen + 65536;
  }

  need(b: Uint8Array, pos: number, avail: number): number {
    if (avail < 8) return 8;
    const type = rd32(b, pos, this.le);
    if (type === SHB) return avail < 12 ? 12 : 16;
    const len = rd32(b, pos + 4, this.le);
    if (len < 12 || (len & 3) !== 0) return 8;
    if (type === EPB || type === OPB) return len >= 32 && len <= this.maxBlock ? len : 8;
    if (type === SPB) return len >= 16 && len <= this.maxBlock ? len : 8;
    if (type === IDB) return len < 20 ? 8 : len <= this.maxBlock ? len : 16;
    return 8;
  }

  what(b: Uint8Array, pos: number, avail: number, offset: number): string {
    if (avail < 8) return `pcapng: block header at offset ${offset} is truncated (${avail} of 8 bytes)`;
    const type = rd32(b, pos, this.le);
    return `pcapng: ${blockName(type)} at offset ${offset} is truncated (${avail} bytes left)`;
  }

  run(b: Uint8Array, pos: number, end: number, base: number, cb: PacketCallback): number {
    const rec = this.rec;
    while (end - pos >= 8) {
      const le = this.le;
      // Fast path: a well-formed EPB of a known interface.
      if (rd32(b, pos, le) === EPB && this.inSection) {
        const len = rd32(b, pos + 4, le);
        if (len >= 32 && len <= this.maxBlock && (len & 3) === 0) {
          if (len > end - pos) return pos;
          const ifid = rd32(b, pos + 8, le);
          const caplen = rd32(b, pos + 20, le);
          const ifaces = this.ifaces;
          if (ifid < ifaces.length && caplen <= len - 32 && caplen <= this.maxCaplen && rd32(b, pos + len - 4, le) === len) {
            const ifc = ifaces[ifid];
            if (ifc.ok) {
              setTime(rec, ifc, rd32(b, pos + 12, le), rd32(b, pos + 16, le));
              rec.data = b;
              rec.offset = pos + 28;
              rec.caplen = caplen;
              rec.origLen = rd32(b, pos + 24, le);
              rec.linkType = ifc.linkType;
              rec.interfaceId = ifid;
              this.count++;
              cb(rec);
              pos += len;
              continue;
            }
          }
        }
      }
      const next = this.block(b, pos, end, base, cb);
      if (this.fatal || next === pos) return pos; // fatal, or waiting for more input
      pos = next;
    }
    return pos;
  }

  /** One block by the slow path: returns the next position, or pos to wait / on fatal error. */
  private block(b: Uint8Array, pos: number, end: number, base: number, cb: PacketCallback): number {
    const le = this.le;
    const type = rd32(b, pos, le);
    const at = base + pos;
    if (type === SHB) return this.sectionHeader(b, pos, end, base);
    if (!this.inSection) return this.die('bad_record', `pcapng: ${blockName(type)} at offset ${at} before any section header`, at);
    const len = rd32(b, pos + 4, le);
    if (len < 12) return this.die('bad_record', `pcapng: block at offset ${at} has length ${len} (< 12)`, at);
    if ((len & 3) !== 0) return this.die('bad_record', `pcapng: block at offset ${at} has length ${len} (not a multiple of 4)`, at);
    const avail = end - pos;
    if (type === EPB || type === OPB || type === SPB) {
      const min = type === SPB ? 16 : 32;
      if (len < min) return this.skipBad(`pcapng: ${blockName(type)} at offset ${at} has length ${len} (< ${min}), skipped`, at, pos, len, end);
      if (len > this.maxBlock) return this.skipBad(`pcapng: ${blockName(type)} at offset ${at} has length ${len} (> ${this.maxBlock}), skipped`, at, pos, len, end);
      if (len > avail) return pos;
      if (rd32(b, pos + len - 4, le) !== len) return this.skipBad(this.trailerMsg(b, pos, len, at), at, pos, len, end);
      this.packet(b, pos, len, type, at, cb);
      return pos + len;
    }
    if (type === IDB) {
      if (len < 20) {
        this.ifaces.push(newIface(false, 0, 0));
        return this.skipBad(`pcapng: interface description block at offset ${at} has length ${len} (< 20), its packets will be dropped`, at, pos, len, end);
      }
      if (len > this.maxBlock) {
        if (avail < 16) return pos;
        this.ifaces.push(newIface(true, rd16(b, pos + 8, le), rd32(b, pos + 12, le)));
        return this.skipBad(`pcapng: interface description block at offset ${at} has length ${len} (> ${this.maxBlock}), options ignored`, at, pos, len, end);
      }
      if (len > avail) return pos;
      if (rd32(b, pos + len - 4, le) !== len) {
        this.ifaces.push(newIface(false, 0, 0));
        return this.skipBad(this.trailerMsg(b, pos, len, at) + ', its packets will be dropped', at, pos, len, end);
      }
      this.ifaces.push(this.interfaceBlock(b, pos, len));
      return pos + len;
    }
    // Name resolution, statistics, secrets, custom and unknown blocks: not needed.
    return this.skipBlock(pos, len, end, base);
  }

  private sectionHeader(b: Uint8Array, pos: number, end: number, base: number): number {
    const at = base + pos;
    if (end - pos < 12) return pos;
    const bom = rd32(b, pos + 8, true);
    if (bom !== BOM && bom !== BOM_SWAPPED) {
      const hex = bom.toString(16).padStart(8, '0');
      return this.die(at === 0 ? 'not_a_capture' : 'bad_record', `pcapng: section header at offset ${at} has byte-order magic ${hex} (expected 1a2b3c4d either way round)`, at);
    }
    const le = bom === BOM;
    const len = rd32(b, pos + 4, le);
    if (len < 28 || (len & 3) !== 0) return this.die('bad_record', `pcapng: section header at offset ${at} has length ${len} (${len < 28 ? '< 28' : 'not a multiple of 4'})`, at);
    if (end - pos < 16) return pos;
    const major = rd16(b, pos + 12, le);
    if (major !== 1) {
      return this.die('unsupported', `pcapng: section at offset ${at} has version ${major}.${rd16(b, pos + 14, le)} (only 1.x is read)`, at);
    }
    // A new section: its own byte order, and interface ids start again at 0.
    this.le = le;
    this.inSection = true;
    this.ifaces = [];
    return this.skipBlock(pos, len, end, base);
  }

  private interfaceBlock(b: Uint8Array, pos: number, len: number): Iface {
    const le = this.le;
    const ifc = newIface(true, rd16(b, pos + 8, le), rd32(b, pos + 12, le));
    const optEnd = pos + len - 4;
    let p = pos + 16;
    while (optEnd - p >= 4) {
      const code = rd16(b, p, le);
      const olen = rd16(b, p + 2, le);
      if (code === 0 || olen > optEnd - p - 4) break; // opt_endofopt, or an option overrunning the block
      if (code === 9 && olen === 1) setResolution(ifc, b[p + 4]);
      else if (code === 14 && olen === 8) {
        // if_tsoffset: signed 64-bit seconds added to every timestamp.
        const hi = rd32(b, p + (le ? 8 : 4), le) | 0;
        const lo = rd32(b, p + (le ? 4 : 8), le);
        ifc.offSec = hi * 4294967296 + lo;
      }
      p += 4 + ((olen + 3) & ~3);
    }
    return ifc;
  }

  private packet(b: Uint8Array, pos: number, len: number, type: number, at: number, cb: PacketCallback): void {
    const le = this.le;
    const rec = this.rec;
    let ifid: number;
    let caplen: number;
    let origLen: number;
    let dataAt: number;
    if (type === SPB) {
      ifid = 0;
      origLen = rd32(b, pos + 8, le);
      dataAt = pos + 12;
      caplen = Math.min(origLen, len - 16);
    } else {
      ifid = type === EPB ? rd32(b, pos + 8, le) : rd16(b, pos + 8, le);
      caplen = rd32(b, pos + 20, le);
      origLen = rd32(b, pos + 24, le);
      dataAt = pos + 28;
    }
    const ifc = ifid < this.ifaces.length ? this.ifaces[ifid] : undefined;
    if (ifc === undefined || !ifc.ok) {
      const why = ifc === undefined ? `no interface ${ifid} in this section (${this.ifaces.length} defined)` : `interface ${ifid} is unusable`;
      this.report('bad_record', `pcapng: ${blockName(type)} at offset ${at}: ${why}, skipped`, at, false);
      return;
    }
    if (type === SPB) {
      if (ifc.snaplen !== 0 && ifc.snaplen < caplen) caplen = ifc.snaplen;
      rec.tsSec = 0;
      rec.tsNsec = 0;
    } else {
      if (caplen > len - 32) {
        this.report('bad_record', `pcapng: ${blockName(type)} at offset ${at} has caplen ${caplen} (> ${len - 32} bytes of room), skipped`, at, false);
        return;
      }
      setTime(rec, ifc, rd32(b, pos + 12, le), rd32(b, pos + 16, le));
    }
    if (caplen > this.maxCaplen) {
      this.report('bad_record', `pcapng: ${blockName(type)} at offset ${at} has caplen ${caplen} (> ${this.maxCaplen}), skipped`, at, false);
      return;
    }
    rec.data = b;
    rec.offset = dataAt;
    rec.caplen = caplen;
    rec.origLen = origLen;
    rec.linkType = ifc.linkType;
    rec.interfaceId = ifid;
    this.count++;
    cb(rec);
  }

  private trailerMsg(b: Uint8Array, pos: number, len: number, at: number): string {
    return `pcapng: ${blockName(rd32(b, pos, this.le))} at offset ${at} has length ${len} but trailing length ${rd32(b, pos + len - 4, this.le)}, skipped`;
  }

  private skipBad(message: string, at: number, pos: number, len: number, end: number): number {
    this.report('bad_record', message, at, false);
    return this.skipBlock(pos, len, end, at - pos);
  }

  /** Past a whole block; if it runs beyond the input, drop the rest as it arrives. */
  private skipBlock(pos: number, len: number, end: number, base: number): number {
    if (len <= end - pos) return pos + len;
    this.skip = len - (end - pos);
    this.skipFrom = base + pos;
    return end;
  }

  private die(kind: 'bad_record' | 'unsupported' | 'not_a_capture', message: string, at: number): number {
    this.fatal = true;
    this.report(kind, message, at, true);
    return -1;
  }
}
