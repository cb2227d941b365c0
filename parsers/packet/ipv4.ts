import type { FragmentTable } from './fragments.js';
import type { DecodedPacket } from './types.js';
import * as walk from './walk.js';
import type { Walk } from './walk.js';

// Local copies of the per-packet imports (see decode.ts: getter-based live bindings are slow).
const { L_TRANSPORT, R_FRAGMENT_DROPPED, R_MALFORMED, R_OK, short, u16, u32 } = walk;

/**
 * IPv4 header at w.off (RFC 791). Leaves w.off/w.end around the IP payload and w.proto set,
 * or, for a fragment, hands it to reassembly and continues on the reassembled payload.
 * The header checksum is not verified: offloading makes it wrong in many captures.
 */
export function decodeIpv4(w: Walk, out: DecodedPacket, frags: FragmentTable): number {
  const b = w.buf;
  const off = w.off;
  let end = w.end;
  if (end - off < 20) return short(w);
  const vihl = b[off];
  if (vihl >> 4 !== 4) return R_MALFORMED;
  const hl = (vihl & 0x0f) << 2;
  if (hl < 20) return R_MALFORMED;
  const total = u16(b, off + 2);
  let known = true; // the datagram's end is known and captured
  if (total === 0) {
    // segmentation offload on the capturing host leaves the field 0: take what was captured
    known = false;
  } else if (total < hl) {
    return R_MALFORMED;
  } else if (off + total <= end) {
    // trust the IP length over the frame length (Ethernet pads short frames)
    end = off + total;
    w.capEnd = false;
  } else {
    // snapped: keep what was captured, headers past it are 'truncated'
    known = false;
    w.capEnd = true;
    out.snapped = true;
  }
  if (off + hl > end) return short(w);
  const src = u32(b, off + 12);
  const dst = u32(b, off + 16);
  const proto = b[off + 9];
  out.ipVersion = 4;
  out.src4 = src;
  out.dst4 = dst;
  out.protocol = proto;
  w.proto = proto;
  w.off = off + hl;
  w.end = end;
  w.ipReassembled = false;

  const frag = u16(b, off + 6);
  if ((frag & 0x3fff) === 0) return L_TRANSPORT; // neither MF nor an offset: not a fragment
  if (!known) {
    frags.rejectSnapped();
    return R_FRAGMENT_DROPPED;
  }
  const r = frags.addV4(src, dst, u16(b, off + 4), proto, (frag & 0x1fff) << 3, (frag & 0x2000) !== 0, b, w.off, end - w.off);
  if (r !== R_OK) return r;
  w.buf = frags.output;
  w.off = 0;
  w.end = frags.outputLength;
  w.capEnd = false;
  w.ipReassembled = true;
  out.reassembled = true;
  return L_TRANSPORT;
}
