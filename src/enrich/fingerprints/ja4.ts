import { hashHex } from '../../util/hash.js';
import type { ClientHello } from '../../../parsers/tls/hello.js';
import type { HelloExtensions } from '../../../parsers/tls/extensions.js';
import { ListMemo, Memo } from '../../util/memo.js';
import { hex2, hex4, isGrease } from './common.js';

/**
 * JA4: TLS client fingerprint (FoxIO; the JA4 method itself is BSD-3-Clause, see
 * LICENSE-JA4). Independent implementation written from JA4.md. Only JA4 (TLS client) is
 * here; JA4S, JA4X and the rest of "JA4+" are under the FoxIO License and are NOT implemented.
 *
 *   ja4    = a_b_c
 *   a      = transport, version, SNI flag, cipher count, extension count, ALPN (10 chars)
 *   b      = trunc-sha256(sorted cipher list)
 *   c      = trunc-sha256(sorted extension list without SNI/ALPN [ "_" signature algorithms ])
 *   ja4_r  = a_<sorted ciphers>_<sorted extensions>[_<signature algorithms>] (unhashed)
 *   ja4_o  = like ja4, ciphers and extensions in wire order, SNI and ALPN kept
 *   ja4_ro = ja4_o unhashed
 *
 * GREASE (RFC 8701) is removed everywhere: ciphers, extension types, supported_versions and
 * signature algorithms.
 */
export interface Ja4 {
  ja4: string;
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
}

/** 't' TLS over TCP, 'q' QUIC, 'd' DTLS: decided by the transport the hello came over. */
export type Ja4Transport = 't' | 'q' | 'd';

/** Part b/c of an empty list: a literal, not sha256(""). */
const EMPTY = '000000000000';

const EXT_SNI = 0x0000;
const EXT_ALPN = 0x0010;

/**
 * JA4 of a ClientHello. Pass the connection's FIRST ClientHello (for QUIC, the one from the
 * Initial packets; for DTLS, the one before any HelloVerifyRequest).
 */
export function ja4(ch: ClientHello, transport: Ja4Transport): Ja4 {
  const e = ch.ext;
  const ciphers = cipherParts.get(ch.cipherSuites);
  const exts = extensionParts.get(e, e.types, e.signatureAlgorithms);

  const a =
    transport +
    versionCode(ch) +
    (exts.sni ? 'd' : 'i') +
    count2(ciphers.count) +
    count2(exts.count) +
    alpnCode(e.alpnRaw.length > 0 ? e.alpnRaw[0] : undefined);

  return {
    ja4: a + '_' + ciphers.sortedHash + '_' + exts.sorted.hash,
    ja4_r: a + '_' + ciphers.sorted + '_' + exts.sorted.text,
    ja4_o: a + '_' + ciphers.wireHash + '_' + exts.wireHash,
    ja4_ro: a + '_' + ciphers.wire + '_' + exts.wire,
  };
}

/*
 * Parts b and c are memoised by the lists they come from: client stacks repeat their lists,
 * so sorting, hex and hashing run once per stack. Stacks that permute their extension order
 * (Chrome) miss the wire-order memo but still share the sorted part, keyed by the sorted list.
 */

const cipherParts = new ListMemo((suites) => {
  // GREASE removed; SCSVs and reserved values are counted.
  const wire: number[] = [];
  for (const c of suites) if (!isGrease(c)) wire.push(c);
  const sorted = hexList(Uint16Array.from(wire).sort(), false);
  const wireHex = hexList(wire, false);
  const empty = wire.length === 0;
  return { count: wire.length, sorted, wire: wireHex, sortedHash: empty ? EMPTY : sha12(sorted), wireHash: empty ? EMPTY : sha12(wireHex) };
}, { greaseBlind: true });

interface SortedPart {
  text: string;
  hash: string;
}

const extensionParts = new Memo((e: HelloExtensions) => {
  // Extension types without GREASE: all of them in wire order (for _o), and the sorted list
  // without SNI and ALPN (for ja4/_r). Duplicates, if a client sends any, are kept.
  const wire: number[] = [];
  const sortable: number[] = [];
  let sni = false;
  for (const t of e.types) {
    if (isGrease(t)) continue;
    wire.push(t);
    if (t === EXT_SNI) sni = true;
    else if (t !== EXT_ALPN) sortable.push(t);
  }
  const sortedTypes = sortable.sort((x, y) => x - y);
  const sorted = sortedParts.get({ types: sortedTypes, e }, sortedTypes, e.signatureAlgorithms);
  // The original-order list keeps SNI/ALPN, so a hello whose only extension is SNI still
  // hashes "0000" here (9af15b336e6a) while its ja4 c part is 000000000000.
  const wireText = withSig(hexList(wire, false), signatureText(e));
  return { count: wire.length, sni, sorted, wire: wireText, wireHash: wire.length === 0 ? EMPTY : sha12(wireText) };
}, { greaseBlind: true });

const sortedParts = new Memo(({ types, e }: { types: number[]; e: HelloExtensions }): SortedPart => {
  const text = withSig(hexList(types, false), signatureText(e));
  return { text, hash: types.length === 0 ? EMPTY : sha12(text) };
}, { greaseBlind: true });

/** Signature algorithms from extension 0x000d only, wire order, GREASE removed. No "_" when there are none (JA4.md). */
function signatureText(e: HelloExtensions): string {
  return signatureTexts.get(e.signatureAlgorithms);
}

const signatureTexts = new ListMemo((algorithms) => hexList(algorithms, true), { greaseBlind: true });

/**
 * Part a's version: the numerically highest non-GREASE value of supported_versions when the
 * extension offers one, else the legacy_version. Never the record-layer version.
 * TLS 1.3 draft code points (0x7fxx) sort above 0x0304 and map to "00", as the references do.
 */
function versionCode(ch: ClientHello): string {
  let v = -1;
  for (const s of ch.ext.supportedVersions) if (!isGrease(s) && s > v) v = s;
  if (v < 0) v = ch.version;
  switch (v) {
    case 0x0304:
      return '13';
    case 0x0303:
      return '12';
    case 0x0302:
      return '11';
    case 0x0301:
      return '10';
    case 0x0300:
      return 's3';
    case 0x0002:
      return 's2';
    case 0xfeff:
      return 'd1';
    case 0xfefd:
      return 'd2';
    case 0xfefc:
      return 'd3';
    default:
      return '00';
  }
}

/** min(n, 99) as two decimal digits. */
function count2(n: number): string {
  return n > 99 ? '99' : n < 10 ? '0' + n : String(n);
}

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * First and last character of the first ALPN value (JA4.md "ALPN Extension Value"):
 * no ALPN, no value or an empty value → "00"; both end bytes ASCII alphanumeric → those two
 * characters (a 1-byte value gives its character twice); otherwise the first and last
 * characters of the value's lower-case hex (0xBA 0xAD → "bd"). Raw non-alphanumeric bytes
 * never reach the fingerprint.
 */
function alpnCode(p: Uint8Array | undefined): string {
  if (p === undefined || p.length === 0) return '00';
  const first = p[0];
  const last = p[p.length - 1];
  if (isAlnum(first) && isAlnum(last)) return String.fromCharCode(first, last);
  return hex2(first)[0] + hex2(last)[1];
}

function hexList(values: ArrayLike<number>, dropGrease: boolean): string {
  // Collected and joined: one flat string, not a chain of concatenations the hash must flatten.
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (dropGrease && isGrease(v)) continue;
    parts.push(hex4(v));
  }
  return parts.join(',');
}

function withSig(exts: string, sig: string): string {
  return sig.length === 0 ? exts : exts + '_' + sig;
}

/** First 12 hex digits of SHA-256 (callers handle the empty-list literal). */
function sha12(s: string): string {
  return hashHex('sha256', s).slice(0, 12); // hex digits and separators only: ASCII
}
