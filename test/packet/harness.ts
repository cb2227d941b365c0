import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { PacketDecoder } from '../../parsers/packet/decode.js';
import { newDecodedPacket, type DecodedPacket, type DecodeResult } from '../../parsers/packet/types.js';
import { ip4ToString, ip6ToString } from './build.js';

export interface Decoded {
  res: DecodeResult;
  p: DecodedPacket;
  /** The transport payload as a copy. */
  payload: Uint8Array;
  src: string;
  dst: string;
}

/** Decode one frame with a fresh (or the given) decoder. */
export function run(frame: Uint8Array, linkType = 1, tsSec = 0, dec = new PacketDecoder()): Decoded {
  const p = newDecodedPacket();
  const res = dec.decode(frame, 0, frame.length, linkType, tsSec, p);
  return describe(res, p);
}

export function describe(res: DecodeResult, p: DecodedPacket): Decoded {
  return {
    res,
    p,
    payload: p.payload.slice(p.payloadOffset, p.payloadOffset + p.payloadLength),
    src: addr(p, true),
    dst: addr(p, false),
  };
}

export function addr(p: DecodedPacket, src: boolean): string {
  if (p.ipVersion === 4) return ip4ToString(src ? p.src4 : p.dst4);
  if (p.ipVersion === 6) return ip6ToString(src ? p.src6 : p.dst6);
  return '';
}

// ---- classic pcap files through the pcap-parser devDependency (CommonJS, untyped) ----

interface PcapParser {
  parse(input: string): EventEmitter;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as PcapParser;

export interface PcapPacket {
  tsSec: number;
  tsUsec: number;
  origLen: number;
  data: Uint8Array;
}

export interface PcapFile {
  linkType: number;
  packets: PcapPacket[];
}

export function readPcap(file: string): Promise<PcapFile> {
  return new Promise((resolve, reject) => {
    const parser = pcapParser.parse(file);
    let linkType = -1;
    const packets: PcapPacket[] = [];
    let hdr: { timestampSeconds: number; timestampMicroseconds: number; originalLength: number } | null = null;
    parser.on('globalHeader', (h: { linkLayerType: number }) => {
      linkType = h.linkLayerType;
    });
    parser.on('packetHeader', (h: typeof hdr) => {
      hdr = h;
    });
    parser.on('packetData', (d: Uint8Array) => {
      if (hdr === null) return;
      packets.push({ tsSec: hdr.timestampSeconds, tsUsec: hdr.timestampMicroseconds, origLen: hdr.originalLength, data: new Uint8Array(d) });
    });
    parser.on('error', reject);
    parser.on('end', () => resolve({ linkType, packets }));
  });
}
