/**
 * A minimal DER walker: tag, length, where the content starts and ends. No allocation beyond
 * the returned record. Used for what an ASN.1 object model loses: the exact byte spans of the
 * SubjectPublicKeyInfo and the names (hashed, compared), and the extension values (decoded
 * here so that one odd GeneralName cannot make the whole extension list throw).
 */

export class DerError extends Error {}

export interface Tlv {
  /** The identifier octet (class, constructed bit, tag number < 31). */
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  content: number;
  /** Offset just past the last content octet. */
  end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
} as const;

/** Read the element at `off`; it must end at or before `limit`. */
export function readTlv(b: Uint8Array, off: number, limit: number = b.length): Tlv {
  if (off + 2 > limit) throw new DerError(`truncated element at offset ${off}`);
  const tag = b[off];
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag number at offset ${off}`);
  let len = b[off + 1];
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError(`indefinite length at offset ${off}`);
    if (n > 4) throw new DerError(`length of ${n} octets at offset ${off}`);
    if (p + n > limit) throw new DerError(`truncated length at offset ${off}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i];
    p += n;
  }
  if (p + len > limit) throw new DerError(`element at offset ${off} runs past its container (${len} octets)`);
  return { tag, start: off, content: p, end: p + len };
}

/** The elements inside a constructed element, in order. */
export function children(b: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.content; p < parent.end; ) {
    const t = readTlv(b, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** Read an element and insist on its tag. */
export function expect(b: Uint8Array, off: number, limit: number, tag: number, what: string): Tlv {
  const t = readTlv(b, off, limit);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${hex2(tag)}, found 0x${hex2(t.tag)} at offset ${off}`);
  return t;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Dotted-decimal text of an OBJECT IDENTIFIER's content. */
export function oidText(b: Uint8Array, t: Tlv): string {
  if (t.end === t.content) throw new DerError('empty OBJECT IDENTIFIER');
  const parts: number[] = [];
  let v = 0;
  let first = true;
  for (let i = t.content; i < t.end; i++) {
    const c = b[i];
    // 2^53 is far beyond any arc in real use; bound it so the text stays exact.
    if (v > 2 ** 45) throw new DerError('OBJECT IDENTIFIER arc too large');
    v = v * 128 + (c & 0x7f);
    if (c & 0x80) continue;
    if (first) {
      const top = v < 40 ? 0 : v < 80 ? 1 : 2;
      parts.push(top, v - top * 40);
      first = false;
    } else parts.push(v);
    v = 0;
  }
  if (b[t.end - 1] & 0x80) throw new DerError('truncated OBJECT IDENTIFIER');
  return parts.join('.');
}

const HEX_UPPER: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** Upper-case hex of a byte range. */
export function hexUpper(b: Uint8Array, from = 0, to = b.length): string {
  let s = '';
  for (let i = from; i < to; i++) s += HEX_UPPER[b[i]];
  return s;
}

/** Bits in an unsigned big-endian integer (leading zero octets and bits ignored). */
export function bitLength(b: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to && b[i] === 0) i++;
  if (i === to) return 0;
  return (to - i - 1) * 8 + (32 - Math.clz32(b[i]));
}

/** An INTEGER's value as a number when it fits exactly, else undefined. Negative values: undefined. */
export function smallUnsigned(b: Uint8Array, t: Tlv): number | undefined {
  if (t.end === t.content || b[t.content] & 0x80) return undefined;
  let v = 0;
  for (let i = t.content; i < t.end; i++) {
    v = v * 256 + b[i];
    if (v > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return v;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf16be = new TextDecoder('utf-16be', { fatal: false });

/**
 * Text of an ASN.1 string element. UTF8String as UTF-8; the ASCII-repertoire types
 * (Printable, IA5, Visible, Numeric) and T61String byte for byte as Latin-1 (what OpenSSL does
 * with T61 too); BMPString as UTF-16BE; UniversalString as UTF-32BE. Undefined for a
 * non-string element.
 */
export function stringValue(b: Uint8Array, t: Tlv): string | undefined {
  switch (t.tag) {
    case TAG.UTF8_STRING:
      return utf8.decode(b.subarray(t.content, t.end));
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.VISIBLE_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.T61_STRING:
    case 0x19: // GraphicString
    case 0x1b: // GeneralString
      return latin1(b, t.content, t.end);
    case TAG.BMP_STRING:
      return utf16be.decode(b.subarray(t.content, t.end));
    case TAG.UNIVERSAL_STRING: {
      let s = '';
      for (let i = t.content; i + 3 < t.end; i += 4) {
        const cp = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      return s;
    }
    default:
      return undefined;
  }
}

export function latin1(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]);
  return s;
}
