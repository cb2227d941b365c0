/**
 * What a capture-file decoder hands out: one reused, mutable record per packet.
 * The caller must copy anything it wants to keep before the next callback, because
 * `data` is a view into the decoder's current chunk (no per-packet allocation).
 */
export interface PacketRecord {
  /** Bytes of the chunk that holds this packet; the packet is data[offset, offset + caplen). */
  data: Uint8Array;
  offset: number;
  caplen: number;
  /** Length on the wire (may exceed caplen when the capture was snapped). */
  origLen: number;
  /** LINKTYPE_* of the interface that captured the packet. */
  linkType: number;
  /** Packet time: whole seconds since the epoch, and nanoseconds within that second. */
  tsSec: number;
  tsNsec: number;
  /** pcapng interface index (0 for classic pcap). */
  interfaceId: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export type CaptureErrorKind =
  | 'not_a_capture' // the first bytes are no known magic number
  | 'truncated' // the input ended inside a record or block header
  | 'bad_record' // a record/block header that cannot be right (length out of bounds, ...)
  | 'unsupported'; // a valid file of a kind we do not read (e.g. a pcapng section of an unknown major version)

export interface CaptureError {
  kind: CaptureErrorKind;
  /** One line, human readable, names the offset. */
  message: string;
  /** Byte offset in the input where it happened. */
  offset: number;
  /** true when decoding cannot go on (everything after is lost); false when the decoder skipped ahead. */
  fatal: boolean;
}

export type PacketCallback = (p: PacketRecord) => void;
