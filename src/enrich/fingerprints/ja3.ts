import { hashHex } from '../../util/hash.js';
import type { ClientHello, ServerHello } from '../../../parsers/tls/hello.js';
import { ListMemo, Memo } from '../../util/memo.js';
import { isGrease } from './common.js';

/**
 * JA3 / JA3S (Salesforce, BSD-3-Clause method; this is an independent implementation
 * written from the README's description).
 *
 *   JA3  = md5("SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats")
 *   JA3S = md5("SSLVersion,Cipher,Extensions")
 *
 * Values are decimal, list items joined by '-', fields by ','. An absent or empty list leaves
 * its field empty but every comma stays ("769,4-5-10,,,").
 */
export interface Ja3 {
  /** The fingerprint string before hashing. */
  string: string;
  /** MD5 of `string`, 32 lower-case hex digits. */
  hash: string;
}

/**
 * JA3 of a ClientHello. Pass the connection's FIRST ClientHello (not the retry after a
 * HelloRetryRequest, and never a concatenation of both).
 *
 * - SSLVersion is the hello's legacy_version (`client_version`): 771 for TLS 1.2 and 1.3 alike;
 *   neither the record-layer version nor supported_versions is used.
 * - GREASE (RFC 8701) is removed from ciphers, extension types and groups. Everything else is
 *   kept in wire order: SCSVs (255, 22016), padding (21), pre_shared_key (41), ECH, SNI. No sorting.
 * - SSLv2-format hellos (RFC 5246 E.2) have no extensions: the string is
 *   "version,ciphers,,," over the cipher specs that are TLS suites (first byte 0), so the same
 *   client gives the same JA3 whichever hello format it uses. The 3-byte SSLv2-only kinds have
 *   no 16-bit value and are left out. The salesforce Python script and Wireshark read only
 *   TLS-record hellos and give no JA3 for these; no reference vector exists.
 */
export function ja3(ch: ClientHello): Ja3 {
  const e = ch.ext;
  // A client stack sends the same lists every time: string and hash are memoised by them.
  return ja3Memo.get(ch, [0x10000 | ch.version], ch.cipherSuites, e.types, e.supportedGroups, e.ecPointFormats);
}

const ja3Memo = new Memo((ch: ClientHello): Ja3 => {
  const e = ch.ext;
  // On a miss (a client that permutes its extensions, as Chrome does, misses every time) the
  // other lists' text still comes from memos; point formats are bytes, never GREASE.
  const s = ch.version + ',' + decimals.get(ch.cipherSuites) + ',' + decimalList(e.types, true) + ',' + decimals.get(e.supportedGroups) + ',' + decimals.get(e.ecPointFormats);
  return Object.freeze({ string: s, hash: md5(s) });
}, { greaseBlind: true });

const decimals = new ListMemo((list) => decimalList(list, true), { greaseBlind: true }); // GREASE is dropped from every list; the version is keyed with bit 16 set, never folded

/**
 * JA3S of a ServerHello. SSLVersion is the ServerHello's legacy_version (771 for TLS 1.3),
 * Cipher the chosen suite, Extensions the types in wire order. As in Salesforce's own
 * implementations, JA3S does not filter GREASE (a server has no reason to send any). No
 * extensions → trailing empty field ("771,49199,"). A HelloRetryRequest is a ServerHello on the
 * wire and can be fingerprinted the same way; which one to report is the caller's choice
 * (the corpus tests use the real ServerHello, `conn.serverHello`).
 */
export function ja3s(sh: ServerHello): Ja3 {
  return ja3sMemo.get(sh, [sh.version, sh.cipherSuite], sh.ext.types);
}

const ja3sMemo = new Memo((sh: ServerHello): Ja3 => {
  const s = sh.version + ',' + sh.cipherSuite + ',' + decimalList(sh.ext.types, false);
  return Object.freeze({ string: s, hash: md5(s) });
});

function decimalList(values: readonly number[], dropGrease: boolean): string {
  const parts: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!dropGrease || !isGrease(v)) parts.push(v);
  }
  return parts.join('-');
}

function md5(s: string): string {
  return hashHex('md5', s); // the JA3 string is ASCII digits and punctuation
}
