import type { FragmentTable } from './fragments.js';
import type { DecodedPacket } from './types.js';
import * as walk from './walk.js';
import type { Walk } from './walk.js';

// Local copies of the per-packet imports (see decode.ts: getter-based live bindings are slow).
const { L_IPV6_EXT, L_TRANSPORT, R_FRAGMENT_DROPPED, R_MALFORMED, R_OK, R_OTHER_TRANSPORT, short, u16, u32 } = walk;

/** Extension headers walked per IPv6 layer; each is at least 8 bytes, this only bounds silly chains. */
export const MAX_IPV6_EXT_HEADERS = 16;

/** IPv6 fixed header at w.off (RFC 8200); the header chain continues in decodeIpv6Ext. */
export function decodeIpv6(w: Walk, out: DecodedPacket): number {
  const b = w.buf;
  const off = w.off;
  let end = w.end;
  if (end - off < 40) return short(w);
  if (b[off] >> 4 !== 6) return R_MALFORMED;
  const plen = u16(b, off + 4);
  if (plen !== 0) {
    if (off + 40 + plen <= end) {
      end = off + 40 + plen; // drop link-layer padding
      w.capEnd = false;
    } else {
      w.capEnd = true;
      out.snapped = true;
    }
  } // 0: jumbogram or segmentation offload: take what was captured
  const s = out.src6;
  const d = out.dst6;
  for (let i = 0; i < 16; i++) {
    s[i] = b[off + 8 + i];
    d[i] = b[off + 24 + i];
  }
  out.ipVersion = 6;
  out.protocol = b[off + 6];
  w.proto = b[off + 6];
  w.off = off + 40;
  w.end = end;
  w.ipReassembled = false;
  return L_IPV6_EXT;
}

/**
 * Walks hop-by-hop, routing, destination options, AH and fragment headers from w.proto at
 * w.off to the upper-layer protocol. A fragment goes to reassembly, and the walk resumes on
 * the reassembled payload (its fragmentable part may hold more extension headers).
 */
export function decodeIpv6Ext(w: Walk, out: DecodedPacket, frags: FragmentTable): number {
  let b = w.buf;
  let off = w.off;
  let end = w.end;
  let nh = w.proto;
  for (let n = 0; ; n++) {
    if (n > MAX_IPV6_EXT_HEADERS) return R_MALFORMED;
    switch (nh) {
      case 0: // hop-by-hop options
      case 43: // routing
      case 60: {
        // destination options: length in 8-byte units, not counting the first 8
        if (end - off < 2) return short(w);
        const len = (b[off + 1] + 1) << 3;
        if (end - off < len) return short(w);
        nh = b[off];
        off += len;
        break;
      }
      case 51: {
        // AH (RFC 4302): length in 4-byte units, minus 2
        if (end - off < 2) return short(w);
        const len = (b[off + 1] + 2) << 2;
        if (end - off < len) return short(w);
        nh = b[off];
        off += len;
        break;
      }
      case 44: {
        if (end - off < 8) return short(w);
        const fnh = b[off];
        const fo = u16(b, off + 2);
        const id = u32(b, off + 4);
        off += 8;
        const fragOff = fo & 0xfff8;
        const more = (fo & 1) !== 0;
        if (fragOff === 0 && !more) {
          nh = fnh; // atomic fragment (RFC 6946): a whole packet, nothing to reassemble
          break;
        }
        if (w.ipReassembled) return R_MALFORMED; // a fragment header inside a reassembled payload
        if (w.capEnd) {
          // snapped, or no payload length: the fragment's true extent is unknown
          frags.rejectSnapped();
          return R_FRAGMENT_DROPPED;
        }
        const r = frags.addV6(out.src6, out.dst6, id, fnh, fragOff, more, b, off, end - off);
        if (r !== R_OK) return r;
        b = w.buf = frags.output;
        off = 0;
        end = w.end = frags.outputLength;
        nh = frags.outputProto;
        w.capEnd = false;
        w.ipReassembled = true;
        out.reassembled = true;
        break;
      }
      case 50: // ESP: encrypted from here on
      case 59: // no next header
        out.protocol = nh;
        out.payload = b;
        out.payloadOffset = off;
        out.payloadLength = end - off;
        return R_OTHER_TRANSPORT;
      default:
        out.protocol = nh;
        w.proto = nh;
        w.off = off;
        w.end = end;
        return L_TRANSPORT;
    }
  }
}
