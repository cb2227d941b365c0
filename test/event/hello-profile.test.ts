import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientHello } from '../../parsers/tls/hello.js';
import { ja3, ja4, type Ja4Transport } from '../../src/enrich/fingerprints/index.js';
import { helloFacts, type HelloFacts } from '../../src/event/hello-profile.js';
import { clientOffer, offeredExtensions } from '../../src/event/offer-lists.js';
import { Sensor } from '../../src/sensor.js';
import { readCapture } from '../../src/source/file-source.js';
import { capturesUnder, corpusRoot, pcapsDir } from '../support/paths.js';

/** Every first ClientHello of every capture under `dir`, with the transport JA4 gives it. */
async function hellosIn(dir: string): Promise<[ClientHello, Ja4Transport][]> {
  const out: [ClientHello, Ja4Transport][] = [];
  for (const file of capturesUnder(dir)) {
    const sensor = new Sensor((_flow, conn) => {
      if (conn.clientHello) out.push([conn.clientHello, conn.dtls ? 'd' : 't']);
    });
    await readCapture(file, sensor.packet.bind(sensor));
    sensor.finish();
  }
  return out;
}

function reference(ch: ClientHello, t: Ja4Transport): HelloFacts {
  return { offer: clientOffer(ch), extensions: offeredExtensions(ch.ext.types), ja3: ja3(ch), ja4: ja4(ch, t) };
}

/** The facts as plain data (the reference's JA3 object is frozen; ours need not be). */
const plain = (f: HelloFacts): unknown => JSON.parse(JSON.stringify(f));

const GREASE = [0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa];
const isGrease = (v: number): boolean => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);

/** The same hello with other lists: what a client that permutes extensions or picks new GREASE values sends. */
function variant(ch: ClientHello, types: number[], regrease = 0): ClientHello {
  const g = (l: number[]) => l.map((v) => (isGrease(v) ? GREASE[(GREASE.indexOf(v) + regrease) % 16] : v));
  return {
    ...ch,
    cipherSuites: g(ch.cipherSuites),
    ext: { ...ch.ext, types: g(types), supportedGroups: g(ch.ext.supportedGroups), supportedVersions: g(ch.ext.supportedVersions), keyShareGroups: g(ch.ext.keyShareGroups) },
  };
}

let hellos: [ClientHello, Ja4Transport][] = [];

beforeAll(async () => {
  hellos = [...(await hellosIn(path.join(corpusRoot, 'zeek/traces'))), ...(await hellosIn(path.join(corpusRoot, 'ja4/pcaps'))), ...(await hellosIn(path.join(corpusRoot, 'ja3'))), ...(await hellosIn(pcapsDir))];
}, 120_000);

describe('hello profiles: the same offer, JA3 and JA4 as the reference implementations', () => {
  it('on every first ClientHello of the corpora and our captures, first sighting and memoised', () => {
    expect(hellos.length).toBeGreaterThan(300);
    expect(hellos.some(([, t]) => t === 'd')).toBe(true);
    let compared = 0;
    // Three rounds: computed, stored on the second sighting, found on the third.
    for (let round = 0; round < 3; round++) {
      for (const [ch, t] of hellos) {
        expect(plain(helloFacts(ch, t))).toEqual(plain(reference(ch, t)));
        compared++;
      }
    }
    expect(compared).toBe(3 * hellos.length);
  });

  it('on permuted extension orders and new GREASE values (Chrome): only the order-dependent parts change', () => {
    let permuted = 0;
    for (const [ch, t] of hellos) {
      const types = ch.ext.types;
      if (types.length < 2) continue;
      const orders = [[...types].reverse(), [...types.slice(1), types[0]], [...types].sort((a, b) => a - b)];
      for (let i = 0; i < orders.length; i++) {
        const v = variant(ch, orders[i], i + 1);
        const got = helloFacts(v, t);
        const want = reference(v, t);
        expect(plain(got)).toEqual(plain(want));
        // the order-independent JA4 values are those of the original hello
        expect(got.ja4.ja4).toBe(ja4(ch, t).ja4);
        if (!isDeepStrictEqual(orders[i], types)) permuted++;
      }
    }
    expect(permuted).toBeGreaterThan(300);
  });

  it('does not fold hellos that differ outside the extension order', () => {
    const [ch, t] = hellos.find(([c]) => c.ext.alpnRaw.length > 0 && c.cipherSuites.length > 3)!;
    const fewer = { ...ch, cipherSuites: ch.cipherSuites.slice(1) };
    const otherAlpn = { ...ch, ext: { ...ch.ext, alpnRaw: [Uint8Array.of(0x68, 0x33)] } };
    const otherVersion = { ...ch, version: ch.version === 0x0303 ? 0x0301 : 0x0303 };
    for (const v of [ch, fewer, otherAlpn, otherVersion, ch, fewer, otherAlpn, otherVersion]) expect(plain(helloFacts(v, t))).toEqual(plain(reference(v, t)));
    // DTLS and TLS never share a profile
    expect(helloFacts(ch, 'd').ja4.ja4[0]).toBe('d');
    expect(helloFacts(ch, 't').ja4.ja4[0]).toBe('t');
  });

  it('computes hellos with repeated extensions directly, and still right', () => {
    const [ch, t] = hellos.find(([c]) => c.ext.types.length > 3)!;
    const dup = variant(ch, [...ch.ext.types, ch.ext.types.find((x) => !isGrease(x))!]);
    for (let i = 0; i < 3; i++) expect(plain(helloFacts(dup, t))).toEqual(plain(reference(dup, t)));
  });
});
