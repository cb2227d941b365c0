import type { PacketCallback } from '../../parsers/capture/types.js';

/** How to capture (what the backend allows). */
export interface LiveOptions {
  /** A BPF expression (pcap-filter(7)); empty or absent: every packet. */
  bpf?: string;
  /** Bytes kept of each packet. */
  snaplen: number;
  /** Size of the kernel's capture ring per interface, bytes. */
  bufferSize: number;
  /** Promiscuous mode (default true: a span or tap port carries frames for other MACs). */
  promiscuous?: boolean;
  /**
   * Longest a packet may wait in the kernel before it is handed over, ms (libpcap's read
   * timeout: the kernel fills blocks of packets and hands a block over when it is full or
   * this old). Default 100.
   */
  timeoutMs?: number;
}

/** Counters of one interface since the capture started. */
export interface InterfaceStats {
  interface: string;
  /** Packets handed to tlsscope by libpcap. */
  received: number;
  /** Packets the kernel dropped because the capture ring was full (libpcap's ps_drop). */
  kernelDrops: number;
  /** Packets the interface or its driver dropped (libpcap's ps_ifdrop; 0 where unknown). */
  ifDrops: number;
  /** Packets tlsscope received but did not process (after stop, or a failing handler). */
  ownDrops: number;
}

/**
 * A live packet source: one or more interfaces, one process. Packets are handed over one at
 * a time, synchronously, in a reused PacketRecord (copy what you keep). Timestamps are the
 * kernel's, kept monotonic per interface and anchored to the wall clock at start (see
 * LiveClock).
 */
export interface LiveSource {
  /** Open every interface; throws a CaptureError (one line) when one cannot be opened. */
  open(interfaces: readonly string[], opts: LiveOptions): void;
  /** Start delivering packets to `cb`. */
  onPacket(cb: PacketCallback): void;
  /** Counters per interface, in the order of `open`. */
  stats(): InterfaceStats[];
  /** Stop delivering packets; the counters stay readable. */
  close(): void;
}

export type CaptureErrorKind = 'no_such_interface' | 'bad_filter' | 'permission' | 'interface_down' | 'other';

/** A capture that cannot start, said in one line. */
export class CaptureError extends Error {
  constructor(
    readonly kind: CaptureErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}

const PERMISSION = /operation not permitted|permission denied|you don't have permission|EPERM|EACCES|CAP_NET_RAW/i;
const NO_DEVICE = /no such device|doesn't exist|does not exist|SIOCGIFINDEX/i;
const NOT_UP = /not up/i;

/** One line for libpcap's message when opening `iface` failed (the filter is judged by the caller). */
export function activationError(iface: string, message: string): CaptureError | undefined {
  const m = oneLine(message);
  if (PERMISSION.test(m)) return permissionError(iface);
  if (NO_DEVICE.test(m)) return new CaptureError('no_such_interface', `interface ${iface} not found`);
  if (NOT_UP.test(m)) return new CaptureError('interface_down', `interface ${iface} is down`);
  return undefined;
}

export function permissionError(iface: string): CaptureError {
  return new CaptureError(
    'permission',
    `permission denied capturing on ${iface}: needs CAP_NET_RAW (run as root or setcap cap_net_raw,cap_net_admin+eip on node)`,
  );
}

export function badFilterError(bpf: string, message: string): CaptureError {
  return new CaptureError('bad_filter', `bad BPF expression '${oneLine(bpf)}': ${oneLine(message)}`);
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** LINKTYPE_* of a DLT_* value as libpcap reports it (they differ only for a few old ones). */
export function linkTypeOfDlt(dlt: number): number {
  switch (dlt) {
    case 12: // DLT_RAW on Linux/BSD
    case 14: // DLT_RAW on OpenBSD
      return 101;
    default:
      return dlt;
  }
}
