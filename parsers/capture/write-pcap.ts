/**
 * Builds pcap and pcapng files in memory, for tests and benchmark inputs. Pure; throws
 * only on misuse (e.g. two link types in one classic pcap).
 */

export interface CapturePacket {
  data: Uint8Array;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  /** Length on the wire; defaults to data.length. */
  origLen?: number;
}

export interface PcapWriteOptions {
  /** Nanosecond magic (a1b23c4d) instead of microseconds. */
  nanos?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
  /** Link type when there are no packets. */
  linkType?: number;
  /** OR-ed into the header's link-type field (FCS bits live in the upper bits). */
  linkTypeFlags?: number;
}

export interface PcapngInterface {
  linkType: number;
  snaplen?: number;
  /** Raw if_tsresol byte (6 = µs, 9 = ns, 0x80|20 = 2^-20 s); omitted ⇒ no option (µs). */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffset?: number;
}

export interface PcapngPacket extends CapturePacket {
  /** Defaults to the first interface of the section with the packet's link type. */
  interfaceId?: number;
  /** Enhanced (default), simple or obsolete packet block. */
  block?: 'epb' | 'spb' | 'opb';
  /** Written as opt_comment, so readers must walk options. */
  comment?: string;
}

/** Written verbatim (type, body padded to 4): for unknown or skippable blocks. */
export interface PcapngRawBlock {
  rawType: number;
  body?: Uint8Array;
}

export interface PcapngSection {
  bigEndian?: boolean;
  /** Omitted ⇒ one per distinct link type of the packets, with tsresol 9 (ns). */
  interfaces?: PcapngInterface[];
  items: (PcapngPacket | PcapngRawBlock)[];
}

/** Little growable byte sink with an explicit byte order. */
class Out {
  buf = new Uint8Array(1024);
  dv = new DataView(this.buf.buffer);
  len = 0;
  le = true;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.len + n, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
    this.dv = new DataView(grown.buffer);
  }
  u16(v: number): void {
    this.room(2);
    const b = this.buf;
    const p = this.len;
    if (this.le) (b[p] = v & 0xff), (b[p + 1] = (v >>> 8) & 0xff);
    else (b[p] = (v >>> 8) & 0xff), (b[p + 1] = v & 0xff);
    this.len += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.dv.setUint32(this.len, v >>> 0, this.le);
    this.len += 4;
  }
  u64(v: bigint): void {
    const hi = Number((v >> 32n) & 0xffffffffn);
    const lo = Number(v & 0xffffffffn);
    if (this.le) this.u32(lo), this.u32(hi);
    else this.u32(hi), this.u32(lo);
  }
  bytes(d: Uint8Array): void {
    this.room(d.length);
    this.buf.set(d, this.len);
    this.len += d.length;
  }
  pad4(): void {
    while (this.len & 3) this.bytes(ZERO);
  }
  patch32(at: number, v: number): void {
    this.dv.setUint32(at, v >>> 0, this.le);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const ZERO = new Uint8Array(1);

export function writePcap(packets: readonly CapturePacket[], opts: PcapWriteOptions = {}): Uint8Array {
  const o = new Out();
  o.le = !opts.bigEndian;
  const linkType = packets[0]?.linkType ?? opts.linkType ?? 1;
  o.u32(opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4);
  o.u16(2);
  o.u16(4);
  o.u32(0);
  o.u32(0);
  o.u32(opts.snaplen ?? 262144);
  o.u32((linkType & 0xffff) | (opts.linkTypeFlags ?? 0));
  for (const p of packets) {
    if (p.linkType !== linkType) throw new Error(`classic pcap holds one link type (${linkType}), got ${p.linkType}`);
    o.u32(p.tsSec);
    o.u32(opts.nanos ? p.tsNsec : Math.floor(p.tsNsec / 1000));
    o.u32(p.data.length);
    o.u32(p.origLen ?? p.data.length);
    o.bytes(p.data);
  }
  return o.result();
}

/** One or more sections; each may have its own byte order and interfaces. */
export function writePcapng(sections: PcapngSection | readonly PcapngSection[]): Uint8Array {
  const o = new Out();
  for (const s of Array.isArray(sections) ? sections : [sections as PcapngSection]) writeSection(o, s);
  return o.result();
}

function isRaw(item: PcapngPacket | PcapngRawBlock): item is PcapngRawBlock {
  return (item as PcapngRawBlock).rawType !== undefined;
}

function writeSection(o: Out, s: PcapngSection): void {
  o.le = !s.bigEndian;
  const ifaces = s.interfaces ?? deriveInterfaces(s.items);
  block(o, 0x0a0d0d0a, () => {
    o.u32(0x1a2b3c4d);
    o.u16(1);
    o.u16(0);
    o.u64(0xffffffffffffffffn); // section length unknown
    option(o, 4, new TextEncoder().encode('tlsscope write-pcap')); // shb_userappl
    o.u32(0); // opt_endofopt
  });
  for (const ifc of ifaces) {
    block(o, 1, () => {
      o.u16(ifc.linkType);
      o.u16(0);
      o.u32(ifc.snaplen ?? 0);
      option(o, 2, new TextEncoder().encode('test0')); // if_name, before the options we read
      if (ifc.tsresol !== undefined) option(o, 9, Uint8Array.of(ifc.tsresol));
      if (ifc.tsoffset !== undefined) {
        o.u16(14);
        o.u16(8);
        o.u64(BigInt.asUintN(64, BigInt(ifc.tsoffset)));
      }
      o.u32(0);
    });
  }
  for (const item of s.items) {
    if (isRaw(item)) {
      block(o, item.rawType, () => item.body && o.bytes(item.body));
      continue;
    }
    const id = item.interfaceId ?? ifaces.findIndex((i) => i.linkType === item.linkType);
    const ifc = ifaces[id];
    if (ifc === undefined) throw new Error(`no interface for link type ${item.linkType}`);
    const origLen = item.origLen ?? item.data.length;
    if (item.block === 'spb') {
      block(o, 3, () => {
        o.u32(origLen);
        o.bytes(item.data);
      });
      continue;
    }
    const units = toUnits(item, ifc);
    block(o, item.block === 'opb' ? 2 : 6, () => {
      if (item.block === 'opb') o.u16(id), o.u16(0);
      else o.u32(id);
      // Timestamps are two words, high first, whatever the byte order (unlike other 64-bit fields).
      o.u32(Number(units >> 32n));
      o.u32(Number(units & 0xffffffffn));
      o.u32(item.data.length);
      o.u32(origLen);
      o.bytes(item.data);
      o.pad4();
      if (item.comment !== undefined) {
        option(o, 1, new TextEncoder().encode(item.comment));
        o.u32(0);
      }
    });
  }
}

function deriveInterfaces(items: readonly (PcapngPacket | PcapngRawBlock)[]): PcapngInterface[] {
  const out: PcapngInterface[] = [];
  for (const it of items) {
    if (!isRaw(it) && !out.some((i) => i.linkType === it.linkType)) out.push({ linkType: it.linkType, tsresol: 9 });
  }
  return out;
}

/**
 * Time to interface units, rounding up: the smallest count that decodes to >= the time,
 * so a time that was itself decoded from this resolution survives a round trip exactly.
 */
function toUnits(p: CapturePacket, ifc: PcapngInterface): bigint {
  const r = ifc.tsresol ?? 6;
  const perSec = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
  const ns = (BigInt(p.tsSec) - BigInt(ifc.tsoffset ?? 0)) * 1_000_000_000n + BigInt(p.tsNsec);
  if (ns < 0n) throw new Error('timestamp before the interface offset');
  const units = (ns * perSec + 999_999_999n) / 1_000_000_000n;
  if (units >> 64n) throw new Error('timestamp does not fit 64 bits at this resolution');
  return units;
}

function option(o: Out, code: number, value: Uint8Array): void {
  o.u16(code);
  o.u16(value.length);
  o.bytes(value);
  o.pad4();
}

/** Type, length placeholder, body (padded), trailing length; then patch the length. */
function block(o: Out, type: number, body: () => unknown): void {
  const start = o.len;
  o.u32(type);
  o.u32(0);
  body();
  o.pad4();
  const len = o.len - start + 4;
  o.u32(len);
  o.patch32(start + 4, len);
}
