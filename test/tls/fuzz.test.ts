import { describe, expect, it } from 'vitest';
import { parseCertificateMsg } from '../../parsers/tls/certificate-msg.js';
import { dtlsFragments, dtlsRecords } from '../../parsers/tls/dtls.js';
import { parseClientHello, parseServerHello } from '../../parsers/tls/hello.js';
import { parseAlert, parseCertificateRequest, parseNewSessionTicket, parseServerKeyExchange } from '../../parsers/tls/messages.js';
import { parseSslv2ClientHello, parseSslv2ServerHello } from '../../parsers/tls/sslv2.js';
import { certificateBody, clientHelloBody, extAlpn, extKeyShareClient, extSni, extVersionsClient, serverHelloBody } from '../support/tls-build.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Bit flips, byte overwrites with boundary values, truncation and extension of a valid input. */
function mutate(seed: Uint8Array, rnd: () => number): Uint8Array {
  let b = seed.slice();
  const n = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * b.length);
    switch (Math.floor(rnd() * 4)) {
      case 0:
        b[at] ^= 1 << Math.floor(rnd() * 8);
        break;
      case 1:
        b[at] = [0, 1, 0x7f, 0x80, 0xff][Math.floor(rnd() * 5)];
        break;
      case 2:
        b = b.slice(0, at);
        break;
      default: {
        const more = new Uint8Array(b.length + 8);
        more.set(b);
        for (let j = b.length; j < more.length; j++) more[j] = Math.floor(rnd() * 256);
        b = more;
      }
    }
    if (b.length === 0) break;
  }
  return b;
}

const seeds: Record<string, Uint8Array> = {
  clientHello: Uint8Array.from(clientHelloBody({ extensions: [extSni('fuzz.example'), extAlpn(['h2']), extVersionsClient([0x0304]), extKeyShareClient([29])] })),
  serverHello: Uint8Array.from(serverHelloBody({ extensions: [extAlpn(['h2'])] })),
  certificate: Uint8Array.from(certificateBody([[1, 2, 3], [4, 5, 6, 7]])),
};

const parsers: [string, (b: Uint8Array) => unknown][] = [
  ['ClientHello', (b) => parseClientHello(b, 0, b.length)],
  ['ClientHello (DTLS)', (b) => parseClientHello(b, 0, b.length, true)],
  ['ServerHello', (b) => parseServerHello(b, 0, b.length)],
  ['Certificate', (b) => parseCertificateMsg(b, 0, b.length, false)],
  ['Certificate (1.3)', (b) => parseCertificateMsg(b, 0, b.length, true)],
  ['ServerKeyExchange ECDHE', (b) => parseServerKeyExchange(b, 0, b.length, 'ecdhe', true)],
  ['ServerKeyExchange DHE', (b) => parseServerKeyExchange(b, 0, b.length, 'dhe', true)],
  ['CertificateRequest', (b) => parseCertificateRequest(b, 0, b.length, true)],
  ['NewSessionTicket', (b) => parseNewSessionTicket(b, 0, b.length)],
  ['Alert', (b) => parseAlert(b, 0, b.length)],
  ['SSLv2 CLIENT-HELLO', (b) => parseSslv2ClientHello(b, 0, b.length)],
  ['SSLv2 SERVER-HELLO', (b) => parseSslv2ServerHello(b, 0, b.length)],
  ['DTLS records', (b) => dtlsRecords(b, 0, b.length)],
  ['DTLS fragments', (b) => dtlsFragments(b, 0, b.length)],
];

describe('TLS parsers under fuzzing', () => {
  for (const [name, parse] of parsers) {
    it(`${name}: any bytes give a value, never a throw`, () => {
      const rnd = prng(name.length * 7919);
      const inputs: Uint8Array[] = [];
      for (const seed of Object.values(seeds)) for (let i = 0; i < 1500; i++) inputs.push(mutate(seed, rnd));
      // Pure noise too.
      for (let i = 0; i < 500; i++) inputs.push(Uint8Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)));
      for (const input of inputs) {
        const r = parse(input) as { ok?: boolean; error?: string } | unknown[];
        // Either a list (framing) or a result value: ok with a value, or not ok with a message.
        if (Array.isArray(r)) continue;
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(typeof r.error).toBe('string');
      }
    });
  }

  it('reads every view within the bounds it was given', () => {
    // A hello embedded in a larger buffer: parsing [off, off+len) must not see the bytes around it.
    const body = seeds.clientHello;
    const big = new Uint8Array(body.length + 200).fill(0xee);
    big.set(body, 100);
    const r = parseClientHello(big, 100, body.length);
    expect(r.ok && r.value.ext.serverNames).toEqual(['fuzz.example']);
    const cut = parseClientHello(big, 100, body.length - 3);
    expect(cut.ok && cut.value.ext.malformed.length).toBeGreaterThan(0);
  });
});
