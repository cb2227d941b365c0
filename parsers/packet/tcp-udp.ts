import type { DecodedPacket } from './types.js';
import * as walk from './walk.js';
import type { Walk } from './walk.js';

// Local copies of the per-packet imports (see decode.ts: getter-based live bindings are slow).
const { R_MALFORMED, R_OK, short, u16, u32 } = walk;

/** TCP header at w.off (RFC 9293); the payload runs to the end of the IP payload. */
export function decodeTcp(w: Walk, out: DecodedPacket): number {
  const b = w.buf;
  const off = w.off;
  const end = w.end;
  if (end - off < 20) return short(w);
  const hl = (b[off + 12] >> 4) << 2;
  if (hl < 20) return R_MALFORMED;
  if (end - off < hl) return short(w);
  out.srcPort = u16(b, off);
  out.dstPort = u16(b, off + 2);
  out.tcpSeq = u32(b, off + 4);
  out.tcpAck = u32(b, off + 8);
  // the 8 classic flags, plus AE (formerly NS, RFC 9768) as 0x100
  out.tcpFlags = ((b[off + 12] & 0x01) << 8) | b[off + 13];
  out.tcpWindow = u16(b, off + 14);
  out.payload = b;
  out.payloadOffset = off + hl;
  out.payloadLength = end - off - hl;
  return R_OK;
}

/** UDP header at w.off (RFC 768); leaves w.off/w.end around the UDP payload for tunnel decoding. */
export function decodeUdp(w: Walk, out: DecodedPacket): number {
  const b = w.buf;
  const off = w.off;
  let end = w.end;
  if (end - off < 8) return short(w);
  const len = u16(b, off + 4);
  if (len !== 0) {
    if (len < 8) return R_MALFORMED;
    if (off + len <= end) {
      end = off + len;
      w.capEnd = false;
    } else if (w.capEnd) {
      out.snapped = true;
    } else {
      return R_MALFORMED; // longer than the IP payload that carries it
    }
  } // 0: jumbogram (RFC 2675) or segmentation offload: the IP payload is the datagram
  out.srcPort = u16(b, off);
  out.dstPort = u16(b, off + 2);
  out.payload = b;
  out.payloadOffset = off + 8;
  out.payloadLength = end - off - 8;
  w.off = off + 8;
  w.end = end;
  return R_OK;
}
