import { isGrease } from '../../parsers/tls/constants.js';
import type { ClientHello } from '../../parsers/tls/hello.js';
import { hex4 } from '../enrich/fingerprints/common.js';
import { ja3, ja4, type Ja3, type Ja4, type Ja4Transport } from '../enrich/fingerprints/index.js';
import { hashHex } from '../util/hash.js';
import { FlatMemo } from '../util/memo.js';
import { markShared } from '../util/shared-json.js';
import { clientOffer, offeredExtensions, type ClientOffer } from './offer-lists.js';

/**
 * What a handshake event derives from a ClientHello's lists: the client offer and JA3/JA4.
 *
 * A client stack sends the same lists on every connection, so all of it is computed once per
 * stack and found again with one lookup (the lists hashed and compared once, not once per
 * fingerprint part). The key is every list but the extension order, with the extension types
 * as a sorted set: Chrome permutes its extensions on every connection, and for such a client
 * only what the order changes is computed anew (the JA3 extension field, JA4's original-order
 * part c, and their hashes). On a stack's first sighting the values come from the reference
 * implementations (ja3.ts, ja4.ts, offer-lists.ts); a test holds this module equal to them on
 * every corpus hello and on permutations of each.
 */
/** Facts shared by every connection of a stack that keeps its extension order are marked shared (util/shared-json.ts). */
export interface HelloFacts {
  offer: ClientOffer;
  /** Extension types in wire order, GREASE removed. */
  extensions: readonly number[];
  ja3: Ja3;
  ja4: Ja4;
}

/** Part c of JA4 for an empty list: a literal, not sha256(""). */
const EMPTY = '000000000000';
/** Hellos with more extensions than this, longer keys, or repeated extensions are computed directly: hostile or odd. */
const MAX_TYPES = 64;
const MAX_KEY = 4096;

interface Profile {
  offer: ClientOffer;
  /** JA3 string around its extension field: "version,ciphers," and ",groups,formats". */
  ja3Head: string;
  ja3Tail: string;
  /** Order-independent JA4 values. */
  ja4: string;
  ja4_r: string;
  /** JA4 original-order strings up to part c: "a_ciphersHash_" and "a_ciphers_". */
  ja4oHead: string;
  ja4roHead: string;
  /** "_" + signature algorithms, or "" when there are none (JA4.md). */
  sigSuffix: string;
  /** The facts of the first extension order seen, and that order as a key sees it (GREASE-blind). */
  first: HelloFacts;
  firstTypes: number[];
}

const blind = (v: number): number => (isGrease(v) ? 0x0a0a : v);

function newProfile(ch: ClientHello, transport: Ja4Transport): Profile {
  const j3 = ja3(ch);
  const j4 = ja4(ch, transport);
  const f3 = j3.string.split(','); // always five fields: version, ciphers, extensions, groups, formats
  const r = j4.ja4_ro.split('_'); // a, ciphers, extensions[, signature algorithms]
  const o = j4.ja4_o.split('_'); // a, ciphers hash, extensions hash
  const offer = clientOffer(ch);
  return {
    offer,
    ja3Head: f3[0] + ',' + f3[1] + ',',
    ja3Tail: ',' + f3[3] + ',' + f3[4],
    ja4: j4.ja4,
    ja4_r: j4.ja4_r,
    ja4oHead: o[0] + '_' + o[1] + '_',
    ja4roHead: r[0] + '_' + r[1] + '_',
    sigSuffix: r.length > 3 ? '_' + r[3] : '',
    first: markShared({ offer, extensions: offeredExtensions(ch.ext.types), ja3: j3, ja4: j4 }),
    firstTypes: ch.ext.types.map(blind),
  };
}

const profiles: Record<Ja4Transport, FlatMemo<ClientHello, Profile>> = {
  t: new FlatMemo((ch) => newProfile(ch, 't')),
  d: new FlatMemo((ch) => newProfile(ch, 'd')),
  q: new FlatMemo((ch) => newProfile(ch, 'q')),
};

/**
 * The key of a hello, written into one reused buffer: each list's length (bit 17 set, a value
 * no list holds) then its values, GREASE folded into 0x0A0A, and last the extension types as a
 * sorted set. Built by hand from the hello's lists, so the memo hashes and compares one typed
 * array, however many lists and of whatever kinds.
 */
let key = new Int32Array(1024);
/** Length of the key last written. */
let keyLength = 0;

// Writers take the buffer and position as arguments and return the new position: module
// variables would be loaded and stored on every value.
function addList(k: Int32Array, p: number, list: readonly number[]): number {
  k[p++] = 0x20000 | list.length;
  for (let i = 0; i < list.length; i++) k[p++] = blind(list[i]);
  return p;
}

function addBytes(k: Int32Array, p: number, bytes: Uint8Array | undefined): number {
  const len = bytes === undefined ? 0 : bytes.length;
  k[p++] = 0x20000 | len;
  for (let i = 0; i < len; i++) k[p++] = bytes![i];
  return p;
}

/** Append the types as a sorted set; -1 when they cannot key a profile (repeated). */
function addSortedTypes(k: Int32Array, p: number, types: readonly number[]): number {
  k[p++] = 0x20000 | types.length;
  const from = p;
  for (let i = 0; i < types.length; i++) {
    // insertion sort in place: a few dozen values at most
    const v = blind(types[i]);
    let j = p++;
    while (j > from && k[j - 1] > v) {
      k[j] = k[j - 1];
      j--;
    }
    k[j] = v;
  }
  for (let i = from + 1; i < p; i++) if (k[i] === k[i - 1] && k[i] !== 0x0a0a) return -1; // a repeated extension: no set
  return p;
}

/** Write the key of `ch` into `key` (length in keyLength); false when it has no profile (too large, repeated extensions). */
function writeKey(ch: ClientHello): boolean {
  const e = ch.ext;
  const size =
    10 + ch.cipherSuites.length + e.supportedVersions.length + e.supportedGroups.length + e.signatureAlgorithms.length + e.keyShareGroups.length +
    e.ecPointFormats.length + e.pskKeyExchangeModes.length + (e.alpnRaw.length > 0 ? e.alpnRaw[0].length : 0) + e.types.length;
  if (size > MAX_KEY || e.types.length > MAX_TYPES) return false;
  if (size > key.length) key = new Int32Array(MAX_KEY);
  const k = key;
  let p = 0;
  k[p++] = 0x10000 | ch.version; // bit 16: never folded with GREASE
  p = addList(k, p, ch.cipherSuites);
  p = addList(k, p, e.supportedVersions);
  p = addList(k, p, e.supportedGroups);
  p = addList(k, p, e.signatureAlgorithms);
  p = addList(k, p, e.keyShareGroups);
  p = addList(k, p, e.ecPointFormats);
  p = addList(k, p, e.pskKeyExchangeModes);
  p = addBytes(k, p, e.alpnRaw.length > 0 ? e.alpnRaw[0] : undefined);
  keyLength = addSortedTypes(k, p, e.types);
  return keyLength >= 0;
}

/** Offer, extension list, JA3 and JA4 of the connection's first ClientHello. */
export function helloFacts(ch: ClientHello, transport: Ja4Transport): HelloFacts {
  const types = ch.ext.types;
  if (!writeKey(ch)) return { offer: clientOffer(ch), extensions: offeredExtensions(types), ja3: ja3(ch), ja4: ja4(ch, transport) };
  const p = profiles[transport].get(ch, key, keyLength);
  if (sameOrder(p.firstTypes, types)) return p.first;
  // Another order of the same extensions: only what depends on the order is new.
  const extensions: number[] = [];
  for (let i = 0; i < types.length; i++) if (!isGrease(types[i])) extensions.push(types[i]);
  const j3 = p.ja3Head + extensions.join('-') + p.ja3Tail;
  const hex = hexList(extensions);
  return {
    offer: p.offer,
    extensions,
    ja3: { string: j3, hash: hashHex('md5', j3) },
    ja4: {
      ja4: p.ja4,
      ja4_r: p.ja4_r,
      ja4_o: p.ja4oHead + (extensions.length === 0 ? EMPTY : hashHex('sha256', hex + p.sigSuffix).slice(0, 12)),
      ja4_ro: p.ja4roHead + hex + p.sigSuffix,
    },
  };
}

function sameOrder(stored: readonly number[], types: readonly number[]): boolean {
  if (stored.length !== types.length) return false;
  for (let i = 0; i < stored.length; i++) if (stored[i] !== blind(types[i])) return false;
  return true;
}

function hexList(values: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) parts.push(hex4(values[i]));
  return parts.join(',');
}
