import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { PacketCallback, PacketRecord } from '../../parsers/capture/types.js';
import { LiveClock, type Instant } from './live-clock.js';
import {
  activationError,
  badFilterError,
  CaptureError,
  linkTypeOfDlt,
  oneLine,
  type InterfaceStats,
  type LiveOptions,
  type LiveSource,
} from './live-source.js';

/**
 * The native side of node_pcap (`pcap` 3.x), used directly: its JavaScript wrapper allocates
 * an object and emits an event per packet, this source allocates nothing per packet.
 */
/** node_pcap's open arguments (a device, or a file for open_offline, then the same options). */
type OpenArgs = [
  deviceOrFile: string,
  filter: string,
  bufferSize: number,
  snaplen: number,
  dumpFile: string,
  onPacket: () => void,
  monitor: boolean,
  timeoutMs: number,
  onWarning: (msg: string) => void,
  promiscuous: boolean,
];

interface NativeSession {
  open_live(...args: OpenArgs): string;
  open_offline(...args: OpenArgs): string;
  /** Copies each packet into `buf` and its header (sec, usec, caplen, len: u32 each) into `hdr`. */
  dispatch(buf: Buffer, hdr: Buffer): number;
  start_polling(): void;
  close(): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  /** Called by the native poll handler when the capture socket is readable. */
  read_callback?: () => void;
}

interface PcapBinding {
  PcapSession: new () => NativeSession;
  findalldevs(): { name: string }[];
  lib_version(): string;
}

let binding: PcapBinding | undefined;

function loadBinding(): PcapBinding {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)('pcap/build/Release/pcap_binding.node') as PcapBinding;
  } catch (err) {
    throw new CaptureError(
      'other',
      `live capture needs the 'pcap' module built against libpcap (Debian: apt-get install libpcap-dev, then npm rebuild pcap): ${oneLine((err as Error).message)}`,
    );
  }
  return binding;
}

/** libpcap's version string, e.g. "libpcap version 1.10.3 (with TPACKET_V3)". */
export function libpcapVersion(): string {
  return loadBinding().lib_version();
}

const LINK_NAMES: Record<string, number> = {
  LINKTYPE_NULL: 0,
  LINKTYPE_ETHERNET: 1,
  LINKTYPE_RAW: 101,
  LINKTYPE_LINUX_SLL: 113,
  LINKTYPE_IEEE802_11_RADIO: 127,
};

function linkTypeOf(name: string): number {
  const known = LINK_NAMES[name];
  if (known !== undefined) return known;
  const m = /Unknown linktype (\d+)/.exec(name);
  return m ? linkTypeOfDlt(Number(m[1])) : -1;
}

const U32 = 2 ** 32;

/**
 * Everything of one interface's capture. The packet and header buffers are written by the
 * native code at every packet: they (and the native session) stay referenced here, and
 * `ACTIVE` keeps the handle itself referenced, for the capture's whole life.
 */
class Handle {
  readonly buf: Buffer;
  readonly hdr: Buffer;
  readonly hdr32: Uint32Array;
  readonly rec: PacketRecord;
  readonly session: NativeSession;
  received = 0;
  ownDrops = 0;
  kernelDrops = 0;
  ifDrops = 0;
  private lastDrop = 0;
  private lastIfDrop = 0;
  lastSec = 0;
  lastNsec = 0;
  open = true;

  constructor(
    readonly name: string,
    readonly index: number,
    snaplen: number,
  ) {
    this.buf = Buffer.alloc(snaplen);
    const hdrMem = new ArrayBuffer(16);
    this.hdr = Buffer.from(hdrMem);
    this.hdr32 = new Uint32Array(hdrMem); // host byte order, as libpcap writes it
    this.rec = { data: this.buf, offset: 0, caplen: 0, origLen: 0, linkType: 1, tsSec: 0, tsNsec: 0, interfaceId: index };
    this.session = new (loadBinding().PcapSession)();
  }

  /** Fold libpcap's 32-bit counters (they wrap) into ours. */
  pollStats(): void {
    if (!this.open) return;
    let s;
    try {
      s = this.session.stats();
    } catch {
      return;
    }
    this.kernelDrops += (s.ps_drop - this.lastDrop + U32) % U32;
    this.ifDrops += (s.ps_ifdrop - this.lastIfDrop + U32) % U32;
    this.lastDrop = s.ps_drop;
    this.lastIfDrop = s.ps_ifdrop;
  }
}

/** Every handle capturing right now, whoever holds (or dropped) its source. */
const ACTIVE = new Set<Handle>();

export interface PcapSourceOptions {
  clock?: LiveClock;
  /** A packet handler threw: the packet is counted in ownDrops. */
  onHandlerError?: (err: unknown, iface: string) => void;
  /** libpcap's warnings at open (e.g. an interface without an IPv4 address). */
  onWarning?: (msg: string, iface: string) => void;
}

/**
 * Live capture through libpcap with node_pcap: kernel timestamps (µs), original lengths,
 * kernel drop counters (pcap_stats), snap length, ring size, BPF, several interfaces.
 */
export class PcapLiveSource implements LiveSource {
  readonly clock: LiveClock;
  private handles: Handle[] = [];
  private cb: PacketCallback | null = null;
  private readonly ts: Instant = { sec: 0, nsec: 0 };

  constructor(private readonly o: PcapSourceOptions = {}) {
    this.clock = o.clock ?? new LiveClock();
  }

  open(interfaces: readonly string[], opts: LiveOptions): void {
    const b = loadBinding();
    const known = knownInterfaces(b);
    for (const name of interfaces) {
      if (known && !known.has(name)) throw new CaptureError('no_such_interface', `interface ${name} not found`);
    }
    try {
      interfaces.forEach((name, i) => this.handles.push(this.openOne(name, i, opts)));
    } catch (err) {
      this.close();
      throw err;
    }
  }

  private openOne(name: string, index: number, opts: LiveOptions): Handle {
    const h = new Handle(name, index, opts.snaplen);
    const filter = opts.bpf ?? '';
    let link: string;
    try {
      link = h.session.open_live(
        name,
        filter,
        opts.bufferSize,
        opts.snaplen,
        '',
        this.deliverer(h),
        false,
        Math.max(1, opts.timeoutMs ?? 100),
        (msg) => this.o.onWarning?.(oneLine(msg), name),
        opts.promiscuous ?? true,
      );
    } catch (err) {
      throw classify(name, filter, (err as Error).message);
    }
    ACTIVE.add(h);
    h.rec.linkType = linkTypeOf(link);
    if (h.rec.linkType < 0) {
      h.open = false;
      h.session.close();
      throw new CaptureError('other', `cannot capture on ${name}: link type ${link} is not supported`);
    }
    return h;
  }

  /** The per-packet callback of one handle: header → PacketRecord → handler. No allocation. */
  private deliverer(h: Handle): () => void {
    const ts = this.ts;
    const clock = this.clock;
    return () => {
      h.received++;
      const cb = this.cb;
      if (!h.open || cb === null) {
        h.ownDrops++;
        return;
      }
      const u = h.hdr32;
      clock.correct(u[0], u[1] * 1000, ts);
      // monotonic per interface, whatever the system clock did
      if (ts.sec < h.lastSec || (ts.sec === h.lastSec && ts.nsec < h.lastNsec)) {
        ts.sec = h.lastSec;
        ts.nsec = h.lastNsec;
      } else {
        h.lastSec = ts.sec;
        h.lastNsec = ts.nsec;
      }
      const rec = h.rec;
      rec.caplen = u[2] <= h.buf.length ? u[2] : h.buf.length;
      rec.origLen = u[3];
      rec.tsSec = ts.sec;
      rec.tsNsec = ts.nsec;
      try {
        cb(rec);
      } catch (err) {
        h.ownDrops++;
        this.o.onHandlerError?.(err, h.name);
      }
    };
  }

  onPacket(cb: PacketCallback): void {
    const first = this.cb === null;
    this.cb = cb;
    if (!first) return;
    for (const h of this.handles) {
      const { session, buf, hdr } = h;
      session.read_callback = () => {
        session.dispatch(buf, hdr);
      };
      session.start_polling();
      // packets may wait in the ring already: the socket will not become readable again for them
      setImmediate(() => {
        if (h.open) session.dispatch(buf, hdr);
      });
    }
  }

  stats(): InterfaceStats[] {
    return this.handles.map((h) => {
      h.pollStats();
      return { interface: h.name, received: h.received, kernelDrops: h.kernelDrops, ifDrops: h.ifDrops, ownDrops: h.ownDrops };
    });
  }

  /** Link type (LINKTYPE_*) of each interface, in the order of `open`. */
  linkTypes(): number[] {
    return this.handles.map((h) => h.rec.linkType);
  }

  /**
   * Stop: counters are taken a last time and no packet reaches the handler any more.
   * libpcap releases the socket at its next wake-up or at exit (node_pcap cannot close an
   * idle capture), so a process that is done capturing ends with process.exit().
   */
  close(): void {
    for (const h of this.handles) {
      if (!h.open) continue;
      h.pollStats();
      h.open = false;
      try {
        h.session.close();
      } catch {
        // already closed
      }
      // The native side may still write into the buffers until libpcap lets go of the
      // socket: they stay referenced through the handle (this source and ACTIVE).
    }
  }
}

function knownInterfaces(b: PcapBinding): Set<string> | undefined {
  try {
    const names = new Set(b.findalldevs().map((d) => d.name));
    names.add('any');
    return names;
  } catch {
    return undefined; // let libpcap say it at open
  }
}

/**
 * A failed open in one line. libpcap's messages do not say which step failed, so when the
 * message is not about the device or privileges, the filter is compiled on its own (against
 * an empty Ethernet capture file): if that fails too, the filter is the problem.
 */
function classify(iface: string, filter: string, message: string): CaptureError {
  const known = activationError(iface, message);
  if (known) return known;
  if (filter !== '') {
    const filterMsg = compileError(filter);
    if (filterMsg !== undefined) return badFilterError(filter, filterMsg);
  }
  if (/filter|syntax error|parse/i.test(message) && filter !== '') return badFilterError(filter, message);
  return new CaptureError('other', `cannot capture on ${iface}: ${oneLine(message)}`);
}

/** libpcap's complaint about a BPF expression, or undefined when it compiles. */
export function compileError(filter: string, linkType = 1): string | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-bpf-'));
  const file = path.join(dir, 'empty.pcap');
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(linkType, 20);
  writeFileSync(file, hdr);
  try {
    new (loadBinding().PcapSession)().open_offline(file, filter, 0, 0, '', () => {}, false, 0, () => {}, false);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
