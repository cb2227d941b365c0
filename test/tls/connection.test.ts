import { describe, expect, it } from 'vitest';
import { inferTls13 } from '../../src/enrich/mtls.js';
import { MemoryBudget } from '../../src/flow/budget.js';
import { TlsConnection } from '../../src/tls/connection.js';
import {
  certificateBody,
  clientHelloBody,
  extAlpn,
  extKeyShareClient,
  extKeyShareHrr,
  extKeyShareServer,
  extPskClient,
  extPskServer,
  extSni,
  extVersionServer,
  extVersionsClient,
  handshake,
  HRR_RANDOM,
  record,
  serverHelloBody,
  u16,
  vec,
} from '../support/tls-build.js';

type Flight = [0 | 1, number[]];

function run(flights: Flight[], segment = 0): { conn: TlsConnection; budget: MemoryBudget } {
  const budget = new MemoryBudget(1 << 24);
  const conn = new TlsConnection(budget, { maxHandshakeMessage: 1 << 20 });
  let t = 1000;
  for (const [dir, bytes] of flights) {
    const b = Uint8Array.from(bytes);
    const step = segment > 0 ? segment : b.length;
    for (let p = 0; p < b.length; p += step) conn.data(dir, b, p, Math.min(step, b.length - p), t++, 5000);
  }
  return { conn, budget };
}

const sid = new Array(32).fill(0x42);
const ch12 = record(22, handshake(1, clientHelloBody({ sessionId: sid, suites: [0xc02f, 0x009c], extensions: [extSni('shop.example'), extAlpn(['h2', 'http/1.1'])] })), 0x0301);
const sh12 = handshake(2, serverHelloBody({ suite: 0xc02f, extensions: [extAlpn(['h2'])] }));
const cert = handshake(11, certificateBody([new Array(1200).fill(0x30), new Array(900).fill(0x31)]));
// ServerKeyExchange, ECDHE on secp256r1 (named_curve 3, group 23), then a signature
const ske = handshake(12, [3, ...u16(23), ...vec(1, new Array(65).fill(4)), ...u16(0x0401), ...vec(2, new Array(256).fill(1))]);
const certReq = handshake(13, [...vec(1, [1, 64]), ...vec(2, [...u16(0x0401)]), ...vec(2, [])]);
const shd = handshake(14, []);
const clientCert = handshake(11, certificateBody([new Array(700).fill(0x32)]));
const emptyCert = handshake(11, certificateBody([]));
const cke = handshake(16, vec(1, new Array(65).fill(4)));
const cv = handshake(15, [...u16(0x0401), ...vec(2, new Array(256).fill(2))]);
const ccs = record(20, [1]);
const finished = record(22, new Array(40).fill(0x99)); // encrypted: unreadable after ChangeCipherSpec
const appData = record(23, new Array(500).fill(0x77));

describe('TLS connection: TLS 1.2', () => {
  const full: Flight[] = [
    [0, ch12],
    [1, record(22, [...sh12, ...cert, ...ske, ...certReq, ...shd])],
    [0, [...record(22, [...clientCert, ...cke, ...cv]), ...ccs, ...finished]],
    [1, [...ccs, ...finished]],
    [0, appData],
  ];

  for (const seg of [0, 1, 7, 100, 1448]) {
    it(`reads a full mTLS handshake cut into ${seg || 'whole'}-byte segments`, () => {
      const { conn, budget } = run(full, seg);
      expect(conn.established).toBe(true);
      expect(conn.done).toBe(true);
      expect(conn.clientDir).toBe(0);
      expect(conn.clientHello?.ext.serverNames).toEqual(['shop.example']);
      expect(conn.serverHello?.cipherSuite).toBe(0xc02f);
      expect(conn.serverHello?.ext.alpn).toEqual(['h2']);
      expect(conn.serverCertificates?.map((c) => c.length)).toEqual([1200, 900]);
      expect(conn.clientCertificates?.map((c) => c.length)).toEqual([700]);
      expect(conn.serverKeyExchange?.group).toBe(23);
      expect(conn.certificateRequest).toBeDefined();
      expect(conn.history).toBe('CsxkrnXGYIi');
      expect(conn.resumed).toBe(false);
      expect(conn.anomalies).toEqual([]);
      conn.close();
      expect(budget.used).toBe(0);
    });
  }

  it('sees a requested but empty client certificate', () => {
    const { conn } = run([
      [0, ch12],
      [1, record(22, [...sh12, ...cert, ...ske, ...certReq, ...shd])],
      [0, [...record(22, [...emptyCert, ...cke]), ...ccs, ...finished]],
      [1, [...ccs, ...finished]],
    ]);
    expect(conn.clientCertificates).toEqual([]);
    expect(conn.history).toBe('CsxkrnXGIi');
  });

  it('calls a session-ID echo with an abbreviated handshake resumed', () => {
    const sh = handshake(2, serverHelloBody({ suite: 0xc02f, sessionId: sid }));
    const { conn } = run([
      [0, ch12],
      [1, [...record(22, sh), ...ccs, ...finished]],
      [0, [...ccs, ...finished]],
    ]);
    expect(conn.established).toBe(true);
    expect(conn.resumed).toBe(true);
    expect(conn.history).toBe('CsiI');
  });

  it('ends on a fatal alert with the alert kept', () => {
    const { conn } = run([
      [0, ch12],
      [1, record(21, [2, 40])],
    ]);
    expect(conn.state).toBe('failed');
    expect(conn.done).toBe(true);
    expect(conn.fatalAlert).toEqual({ level: 2, description: 40, from: 'S' });
    expect(conn.history).toBe('Cl');
  });
});

describe('TLS connection: TLS 1.3', () => {
  const ch13 = record(
    22,
    handshake(1, clientHelloBody({ suites: [0x1301, 0x1302], extensions: [extSni('api.example'), extVersionsClient([0x0304, 0x0303]), extKeyShareClient([29]), extPskClient()] })),
    0x0301,
  );
  const enc = (n: number) => record(23, new Array(n).fill(0x55));

  it('is established once both sides send ciphertext, and done when the server speaks after the client flight', () => {
    const sh = record(22, handshake(2, serverHelloBody({ suite: 0x1301, extensions: [extVersionServer(0x0304), extKeyShareServer(29)] })));
    const { conn } = run([
      [0, ch13],
      [1, [...sh, ...ccs, ...enc(30), ...enc(2000), ...enc(280), ...enc(60)]],
      [0, [...ccs, ...enc(53)]],
    ]);
    expect(conn.tls13).toBe(true);
    expect(conn.established).toBe(true);
    expect(conn.done).toBe(false);
    expect(conn.resumed).toBe(false);
    conn.data(1, Uint8Array.from(enc(250)), 0, 255, 2000, 0);
    expect(conn.done).toBe(true);
    expect(conn.history).toBe('CsiI');
    expect(conn.recordSizes.filter((r) => r.from === 'C').map((r) => r.length)).toEqual([53]);
  });

  it('keeps watching a client flight the server answers half way (Go sends tickets before the client Finished)', () => {
    const sh = record(22, handshake(2, serverHelloBody({ suite: 0x1301, extensions: [extVersionServer(0x0304), extKeyShareServer(29)] })));
    const { conn } = run([
      [0, ch13],
      [1, [...sh, ...ccs, ...enc(30), ...enc(2000), ...enc(280), ...enc(53)]],
      [0, [...ccs, ...enc(789), ...enc(281)]],
      [1, enc(1669)],
    ]);
    expect(conn.established).toBe(true);
    expect(conn.done).toBe(false); // Certificate and CertificateVerify seen, not yet the Finished
    const fin = Uint8Array.from(enc(53));
    conn.data(0, fin, 0, fin.length, 2000, 0);
    expect(conn.done).toBe(true);
    expect(conn.recordSizes.filter((r) => r.from === 'C').map((r) => r.length)).toEqual([789, 281, 53]);
    expect(inferTls13(conn.recordSizes, 0x1301)).toMatchObject({ requested: true, presented: true, confidence: 'high' });
  });

  it('calls an accepted pre_shared_key resumed', () => {
    const sh = record(22, handshake(2, serverHelloBody({ suite: 0x1301, extensions: [extVersionServer(0x0304), extKeyShareServer(29), extPskServer()] })));
    const { conn } = run([
      [0, ch13],
      [1, [...sh, ...enc(30)]],
      [0, enc(60)],
    ]);
    expect(conn.resumed).toBe(true);
  });

  it('follows a HelloRetryRequest to the second ClientHello', () => {
    const hrr = record(22, handshake(2, serverHelloBody({ random: HRR_RANDOM, suite: 0x1302, extensions: [extVersionServer(0x0304), extKeyShareHrr(24)] })));
    const sh = record(22, handshake(2, serverHelloBody({ suite: 0x1302, extensions: [extVersionServer(0x0304), extKeyShareServer(24)] })));
    const { conn } = run([
      [0, ch13],
      [1, [...hrr, ...ccs]],
      [0, [...ccs, ...ch13]],
      [1, [...sh, ...enc(30)]],
      [0, enc(60)],
    ]);
    expect(conn.helloRetryRequest).toBeDefined();
    expect(conn.retryClientHello).toBeDefined();
    expect(conn.serverHello?.ext.keyShareGroups).toEqual([24]);
    expect(conn.established).toBe(true);
    expect(conn.history).toBe('CjiICs');
  });
});

describe('TLS connection: detection and hostile input', () => {
  it('ignores a plaintext prologue (STARTTLS) and starts at the hello', () => {
    const conn = new TlsConnection(new MemoryBudget(1 << 20), { maxHandshakeMessage: 1 << 20 });
    const hello = Uint8Array.from(Buffer.from('STARTTLS\r\n'));
    conn.data(0, hello, 0, hello.length, 1, 0);
    const ch = Uint8Array.from(ch12);
    conn.data(0, ch, 0, ch.length, 2, 0);
    expect(conn.clientHello?.ext.serverNames).toEqual(['shop.example']);
  });

  it('never throws on random bytes after a valid hello', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24);
    for (let i = 0; i < 500; i++) {
      const conn = new TlsConnection(new MemoryBudget(1 << 20), { maxHandshakeMessage: 1 << 16 });
      const ch = Uint8Array.from(ch12);
      conn.data(0, ch, 0, ch.length, 1, 0);
      const junk = Uint8Array.from({ length: 2000 }, rnd);
      // a plausible record header in front of random bodies, to get past the framing
      junk.set([22, 3, 3, 0x07, 0xc0], 0);
      conn.data(1, junk, 0, junk.length, 2, 0);
      conn.data(0, junk, 0, junk.length, 3, 0);
    }
  });
});
