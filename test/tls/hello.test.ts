import { describe, expect, it } from 'vitest';
import { parseClientHello, parseServerHello } from '../../parsers/tls/hello.js';
import { isGrease } from '../../parsers/tls/constants.js';
import {
  clientHelloBody,
  ext,
  extAlpn,
  extGroups,
  extKeyShareClient,
  extKeyShareHrr,
  extKeyShareServer,
  extPskClient,
  extSni,
  extVersionServer,
  extVersionsClient,
  HRR_RANDOM,
  serverHelloBody,
  u16,
} from '../support/tls-build.js';

const bytes = (a: number[]) => Uint8Array.from(a);

describe('ClientHello parsing', () => {
  it('reads suites, SNI, ALPN, versions, groups, key shares and PSK in wire order', () => {
    const body = clientHelloBody({
      suites: [0x0a0a, 0x1301, 0x1302, 0xc02b],
      sessionId: new Array(32).fill(3),
      extensions: [
        ext(0x1a1a, []),
        extSni('example.org'),
        extAlpn(['h2', 'http/1.1']),
        extVersionsClient([0x2a2a, 0x0304, 0x0303]),
        extGroups([0x001d, 0x0017]),
        extKeyShareClient([0x001d]),
        ext(23, []),
        ext(0xff01, [0]),
        extPskClient(),
      ],
    });
    const r = parseClientHello(bytes(body), 0, body.length);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const ch = r.value;
    expect(ch.cipherSuites).toEqual([0x0a0a, 0x1301, 0x1302, 0xc02b]);
    expect(ch.sessionId.length).toBe(32);
    expect(ch.ext.types).toEqual([0x1a1a, 0, 16, 43, 10, 51, 23, 0xff01, 41]);
    expect(ch.ext.serverNames).toEqual(['example.org']);
    expect(ch.ext.alpn).toEqual(['h2', 'http/1.1']);
    expect(ch.ext.supportedVersions.filter((v) => !isGrease(v))).toEqual([0x0304, 0x0303]);
    expect(ch.ext.supportedGroups).toEqual([29, 23]);
    expect(ch.ext.keyShareGroups).toEqual([29]);
    expect(ch.ext.extendedMasterSecret).toBe(true);
    expect(ch.ext.renegotiationInfo).toBe(true);
    expect(ch.ext.pskIdentities).toBe(1);
    expect(ch.ext.malformed).toEqual([]);
  });

  it('reports a hello cut short as an error value, never a throw', () => {
    const body = clientHelloBody({ extensions: [extSni('a.example')] });
    for (let n = 0; n < 40; n++) {
      const r = parseClientHello(bytes(body), 0, n);
      expect(r.ok).toBe(false);
    }
  });

  it('keeps what parses when one extension body is malformed', () => {
    const body = clientHelloBody({ extensions: [ext(0, [0, 9, 0]), extAlpn(['h2'])] });
    const r = parseClientHello(bytes(body), 0, body.length);
    expect(r.ok && r.value.ext.malformed).toEqual([0]);
    expect(r.ok && r.value.ext.alpn).toEqual(['h2']);
  });

  it('escapes non-printable bytes in names instead of passing them through', () => {
    const body = clientHelloBody({ extensions: [extAlpn(['h\x002'])] });
    const r = parseClientHello(bytes(body), 0, body.length);
    expect(r.ok && r.value.ext.alpn).toEqual(['h\\x002']);
  });
});

describe('ServerHello parsing', () => {
  it('takes the negotiated version from supported_versions and the group from key_share', () => {
    const body = serverHelloBody({ suite: 0x1301, extensions: [extVersionServer(0x0304), extKeyShareServer(29)] });
    const r = parseServerHello(bytes(body), 0, body.length);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.selectedVersion).toBe(0x0304);
    expect(r.value.cipherSuite).toBe(0x1301);
    expect(r.value.ext.keyShareGroups).toEqual([29]);
    expect(r.value.isHelloRetryRequest).toBe(false);
  });

  it('recognises a HelloRetryRequest by its random', () => {
    const body = serverHelloBody({ random: HRR_RANDOM, suite: 0x1302, extensions: [extVersionServer(0x0304), extKeyShareHrr(24)] });
    const r = parseServerHello(bytes(body), 0, body.length);
    expect(r.ok && r.value.isHelloRetryRequest).toBe(true);
    expect(r.ok && r.value.ext.keyShareGroups).toEqual([24]);
  });

  it('reads early TLS 1.3 draft ServerHellos that have no session id or compression', () => {
    const body = [...u16(0x7f0e), ...new Array(32).fill(2), ...u16(0xcca9), ...u16(0)];
    const r = parseServerHello(bytes(body), 0, body.length);
    expect(r.ok && r.value.selectedVersion).toBe(0x7f0e);
    expect(r.ok && r.value.cipherSuite).toBe(0xcca9);
  });
});
