/**
 * Unit tests for src/enrich/fingerprints: one hand-built hello per rule and pitfall of
 * JA3/JA3S (salesforce README) and JA4 (JA4.md), see ../shared/docs/fingerprints.md §2–3,
 * §6–7, §9–10. Hellos are built as wire bytes and parsed by the real parser.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ja3, ja3s, ja4 } from '../../src/enrich/fingerprints/index.js';
import { hex4 } from '../../src/enrich/fingerprints/common.js';
import { parseClientHello, parseServerHello, type ClientHello, type ServerHello } from '../../parsers/tls/hello.js';
import { parseSslv2ClientHello } from '../../parsers/tls/sslv2.js';
import { isGrease } from '../../parsers/tls/constants.js';
import {
  ascii,
  clientHelloBody,
  ext,
  extAlpn,
  extGroups,
  extKeyShareClient,
  extPskClient,
  extSni,
  extVersionServer,
  extVersionsClient,
  serverHelloBody,
  u16,
  vec,
  type HelloOpts,
} from '../support/tls-build.js';

const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const ZERO = '000000000000';

function ch(o: HelloOpts = {}): ClientHello {
  const body = clientHelloBody(o);
  const r = parseClientHello(Uint8Array.from(body), 0, body.length);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
function sh(o: HelloOpts & { suite?: number } = {}): ServerHello {
  const body = serverHelloBody(o);
  const r = parseServerHello(Uint8Array.from(body), 0, body.length);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const extSigAlgs = (algs: number[]) => ext(13, vec(2, algs.flatMap(u16)));
const extPointFormats = (f: number[]) => ext(11, vec(1, f));
/** ALPN with arbitrary bytes per protocol name. */
const extAlpnBytes = (protos: number[][]) => ext(16, vec(2, protos.flatMap((p) => vec(1, p))));
/** An extension with an empty body, for types whose content does not matter here. */
const bare = (t: number) => ext(t, []);

// The JA4.md example (also FoxIO's Rust unit test): Chrome, 15 ciphers, 16 extensions.
const SPEC_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
const SPEC_EXT_ORDER = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
const SPEC_SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

/** One extension of type t with a plausible body (bodies matter only for 0, 10, 11, 13, 16, 43). */
function specExt(t: number, sigalgs = SPEC_SIGALGS): number[] {
  switch (t) {
    case 0x0000:
      return extSni('example.com');
    case 0x0010:
      return extAlpn(['h2', 'http/1.1']);
    case 0x000d:
      return extSigAlgs(sigalgs);
    case 0x002b:
      return extVersionsClient([0x0304, 0x0303]);
    case 0x000a:
      return extGroups([0x001d, 0x0017, 0x0018]);
    case 0x000b:
      return extPointFormats([0]);
    case 0x0033:
      return extKeyShareClient([0x001d]);
    default:
      return bare(t);
  }
}

const SPEC_JA4 = {
  ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1',
  ja4_r:
    't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
  ja4_o: 't13d1516h2_acb858a92679_18f69afefd3d',
  ja4_ro:
    't13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601',
};

describe('shared helpers', () => {
  it('GREASE is exactly the 16 RFC 8701 values', () => {
    const grease: number[] = [];
    for (let v = 0; v < 0x10000; v++) if (isGrease(v)) grease.push(v);
    expect(grease).toEqual(Array.from({ length: 16 }, (_, i) => i * 0x1010 + 0x0a0a));
    // An over-broad test drops real code points such as group 257 (ffdhe2048 = 0x0100 family).
    for (const v of [0x0101, 0x0a0b, 0x0b0a, 0x1a0a, 0x00a0, 0x0a00]) expect(isGrease(v)).toBe(false);
  });

  it('hex4 is 4 lower-case, zero-padded digits', () => {
    expect(hex4(0x002f)).toBe('002f');
    expect(hex4(0xcca9)).toBe('cca9');
    expect(hex4(0)).toBe('0000');
    expect(hex4(0xffff)).toBe('ffff');
  });
});

describe('JA4 (JA4.md)', () => {
  const spec = () => ch({ suites: SPEC_CIPHERS, extensions: SPEC_EXT_ORDER.map((t) => specExt(t)) });

  it("reproduces JA4.md's example: ja4, ja4_r, ja4_o, ja4_ro", () => {
    expect(ja4(spec(), 't')).toEqual(SPEC_JA4);
    expect(sha12('002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9')).toBe('8daaf6152771');
  });

  it('ignores GREASE in ciphers, extension types, supported_versions and signature algorithms', () => {
    const exts = SPEC_EXT_ORDER.map((t) => specExt(t, [0x0a0a, ...SPEC_SIGALGS.slice(0, 3), 0xfafa, ...SPEC_SIGALGS.slice(3)]));
    const i43 = SPEC_EXT_ORDER.indexOf(0x002b);
    exts[i43] = extVersionsClient([0x7a7a, 0x0304, 0x0303]);
    const h = ch({
      suites: [0x2a2a, ...SPEC_CIPHERS.slice(0, 5), 0x9a9a, ...SPEC_CIPHERS.slice(5)],
      extensions: [bare(0x1a1a), ...exts.slice(0, 8), ext(0xcaca, [0]), ...exts.slice(8), bare(0xeaea)],
    });
    expect(ja4(h, 't')).toEqual(SPEC_JA4);
  });

  describe('part a', () => {
    it('protocol character comes from the transport argument', () => {
      expect(ja4(spec(), 'q').ja4).toBe('q' + SPEC_JA4.ja4.slice(1));
      expect(ja4(spec(), 'd').ja4_ro.startsWith('d13d1516h2_')).toBe(true);
    });

    it('version: highest non-GREASE supported_versions value, else legacy_version', () => {
      const a = (o: HelloOpts) => ja4(ch(o), 't').ja4.slice(0, 4);
      expect(a({ version: 0x0303, extensions: [extVersionsClient([0x0303, 0x0304])] })).toBe('t13i');
      expect(a({ version: 0x0303, extensions: [extVersionsClient([0x0302, 0x0301])] })).toBe('t11i');
      // supported_versions wins over a higher legacy_version
      expect(a({ version: 0x0304, extensions: [extVersionsClient([0x0303])] })).toBe('t12i');
      expect(a({ version: 0x0301 })).toBe('t10i');
      expect(a({ version: 0x0302 })).toBe('t11i');
      expect(a({ version: 0x0300 })).toBe('ts3i');
      expect(a({ version: 0x0002 })).toBe('ts2i');
      expect(a({ version: 0xfeff })).toBe('td1i');
      expect(a({ version: 0xfefd })).toBe('td2i');
      expect(a({ version: 0xfefc })).toBe('td3i');
      expect(a({ version: 0x0305 })).toBe('t00i');
      // Only GREASE in supported_versions: nothing to take, fall back to legacy_version.
      expect(a({ version: 0x0303, extensions: [extVersionsClient([0x3a3a])] })).toBe('t12i');
      // TLS 1.3 draft code points sort above 0x0304 and map to "00" (plain maximum, as the references).
      expect(a({ version: 0x0303, extensions: [extVersionsClient([0x0304, 0x7f1c, 0x7f1b])] })).toBe('t00i');
    });

    it('the record-layer version is never looked at (it is not part of the hello body)', () => {
      // A TLS 1.3 hello is usually sent in a 0x0301 record; the body alone decides.
      expect(ja4(spec(), 't').ja4.slice(1, 3)).toBe('13');
    });

    it('SNI flag: d when extension 0x0000 is present (even empty), else i', () => {
      expect(ja4(ch({ extensions: [extSni('a.example')] }), 't').ja4[3]).toBe('d');
      expect(ja4(ch({ extensions: [bare(0)] }), 't').ja4[3]).toBe('d');
      expect(ja4(ch({ extensions: [bare(23)] }), 't').ja4[3]).toBe('i');
      expect(ja4(ch(), 't').ja4[3]).toBe('i');
    });

    it('counts exclude GREASE, include SCSVs, reserved values, SNI and ALPN, and stop at 99', () => {
      const a = ja4(ch({ suites: [0x0a0a, 0x00ff, 0x5600, 0xfe00, 0x1301], extensions: [bare(0x2a2a), extSni('x.y'), extAlpn(['h2']), bare(23)] }), 't');
      expect(a.ja4.slice(0, 10)).toBe('t12d0403h2');
      const many = Array.from({ length: 150 }, (_, i) => 0x0100 + i);
      const big = ja4(ch({ suites: many, extensions: many.map((t) => bare(t + 0x1000)) }), 't');
      expect(big.ja4.slice(4, 8)).toBe('9999');
      // The lists themselves are not capped.
      expect(big.ja4_ro.split('_')[1].split(',')).toHaveLength(150);
      const ten = ja4(ch({ suites: many.slice(0, 10), extensions: many.slice(0, 9).map((t) => bare(t + 0x1000)) }), 't');
      expect(ten.ja4.slice(4, 8)).toBe('1009');
    });

    it('ALPN: first and last character of the first value, per JA4.md', () => {
      const code = (protos: number[][] | null) => ja4(ch({ extensions: protos === null ? [] : [extAlpnBytes(protos)] }), 't').ja4.slice(8, 10);
      const s = (x: string) => ascii(x);
      expect(code([s('h2'), s('http/1.1')])).toBe('h2');
      expect(code([s('http/1.1'), s('h2')])).toBe('h1');
      expect(code([s('h3-29')])).toBe('h9');
      expect(code([s('spdy/3.1')])).toBe('s1');
      expect(code([s('H2')])).toBe('H2'); // characters are taken as sent, not lower-cased
      // A single character is both first and last.
      expect(code([s('a')])).toBe('aa');
      // No extension, an empty list, an empty first value → "00".
      expect(code(null)).toBe('00');
      expect(code([])).toBe('00');
      expect(code([[], s('h2')])).toBe('00');
      // First or last byte not ASCII alphanumeric → first/last character of the hex of the value
      // (JA4.md's examples). The FoxIO tools still print "99" here (fingerprints.md §9).
      expect(code([[0xab]])).toBe('ab');
      expect(code([[0xab, 0xcd]])).toBe('ad');
      expect(code([[0x30, 0xab]])).toBe('3b');
      expect(code([[0x30, 0x31, 0xab, 0xcd]])).toBe('3d');
      expect(code([[0x30, 0xab, 0xcd, 0x31]])).toBe('01');
      expect(code([[0x20]])).toBe('20');
      expect(code([[0x20, 0x61]])).toBe('21');
      expect(code([[0x61, 0x20]])).toBe('60');
      expect(code([[0xba, 0xad]])).toBe('bd');
      expect(code([[0x0a]])).toBe('0a');
      // Only the first value counts.
      expect(code([[0xff], s('h2')])).toBe('ff');
      // A GREASE-looking ALPN id is not special-cased by the spec (Suricata skips it).
      expect(code([[0x0a, 0x0a], s('h2')])).toBe('0a');
    });

    it('raw non-alphanumeric bytes never reach part a, so "_" splitting stays safe', () => {
      const r = ja4(ch({ extensions: [extAlpnBytes([[0x5f, 0x5f]])] }), 't');
      expect(r.ja4.slice(8, 10)).toBe('5f');
      expect(r.ja4.split('_')).toHaveLength(3);
    });
  });

  describe('part b', () => {
    it('sorted hex4 ciphers, SHA-256 first 12 hex (ja4), wire order (ja4_o)', () => {
      const r = ja4(ch({ suites: [0xc02f, 0x000a, 0x1301] }), 't');
      expect(r.ja4_r.split('_')[1]).toBe('000a,1301,c02f');
      expect(r.ja4_ro.split('_')[1]).toBe('c02f,000a,1301');
      expect(r.ja4.split('_')[1]).toBe(sha12('000a,1301,c02f'));
      expect(r.ja4_o.split('_')[1]).toBe(sha12('c02f,000a,1301'));
    });

    it('sorts numerically as 16-bit values (00ff before 1301 before c02f)', () => {
      const r = ja4(ch({ suites: [0xc02f, 0x1301, 0x00ff, 0x0005] }), 't');
      expect(r.ja4_r.split('_')[1]).toBe('0005,00ff,1301,c02f');
    });

    it('an empty cipher list (or only GREASE) gives 000000000000, not sha256("")', () => {
      for (const suites of [[], [0x0a0a, 0x1a1a]]) {
        const r = ja4(ch({ suites, extensions: [bare(23)] }), 't');
        expect(r.ja4).toBe(`t12i000100_${ZERO}_${sha12('0017')}`);
        expect(r.ja4_o).toBe(`t12i000100_${ZERO}_${sha12('0017')}`);
        expect(r.ja4_r).toBe('t12i000100__0017');
        expect(r.ja4_ro).toBe('t12i000100__0017');
      }
    });
  });

  describe('part c', () => {
    it('drops SNI and ALPN from the sorted list only; _o keeps them in wire order', () => {
      const r = ja4(ch({ extensions: [extAlpn(['h2']), bare(23), extSni('a.b'), bare(5)] }), 't');
      expect(r.ja4_r.split('_')[2]).toBe('0005,0017');
      expect(r.ja4_ro.split('_')[2]).toBe('0010,0017,0000,0005');
      expect(r.ja4.split('_')[2]).toBe(sha12('0005,0017'));
      expect(r.ja4_o.split('_')[2]).toBe(sha12('0010,0017,0000,0005'));
    });

    it('appends "_" + signature algorithms in wire order, GREASE removed', () => {
      const r = ja4(ch({ extensions: [extSigAlgs([0x0804, 0x0a0a, 0x0403, 0x0201])] }), 't');
      expect(r.ja4_r).toBe(`t12i020100_1301,c02f_000d_0804,0403,0201`);
      expect(r.ja4).toBe(`t12i020100_${sha12('1301,c02f')}_${sha12('000d_0804,0403,0201')}`);
    });

    it('no signature algorithms → no trailing "_" (JA4.md vector 6d807ffa2a79; Suricata differs)', () => {
      const exts = SPEC_EXT_ORDER.filter((t) => t !== 0x000d).map((t) => specExt(t));
      const r = ja4(ch({ suites: SPEC_CIPHERS, extensions: exts }), 't');
      expect(r.ja4_r.endsWith('4469,ff01')).toBe(true);
      // JA4.md's vector for the same E without signature algorithms (000d itself is still listed there).
      expect(sha12('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01')).toBe('6d807ffa2a79');
      expect(r.ja4.split('_')[2]).toBe(sha12('0005,000a,000b,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01'));
      // Extension 0x000d present but empty: nothing to append either.
      const empty = ja4(ch({ extensions: [extSigAlgs([]), bare(23)] }), 't');
      expect(empty.ja4_r.split('_').slice(2)).toEqual(['000d,0017']);
      // Only GREASE signature algorithms: same.
      const onlyGrease = ja4(ch({ extensions: [extSigAlgs([0x0a0a])] }), 't');
      expect(onlyGrease.ja4_r.split('_').slice(2)).toEqual(['000d']);
    });

    it('signature algorithms come from extension 0x000d only, not 0x0032 or delegated_credentials', () => {
      const sigCert = ext(0x0032, vec(2, [0x0401, 0x0501].flatMap(u16)));
      const delegated = ext(0x0022, vec(2, [0x0403].flatMap(u16)));
      const r = ja4(ch({ extensions: [sigCert, delegated, extSigAlgs([0x0804])] }), 't');
      expect(r.ja4_r.split('_').slice(2)).toEqual(['000d,0022,0032', '0804']);
      const none = ja4(ch({ extensions: [sigCert, delegated] }), 't');
      expect(none.ja4_r.split('_').slice(2)).toEqual(['0022,0032']);
    });

    it('no extensions at all (old clients; block absent) → 000000000000 everywhere', () => {
      const h = ch({ version: 0x0301, suites: [0x0005, 0x0004] });
      expect(h.hasExtensions).toBe(false);
      expect(ja4(h, 't')).toEqual({
        ja4: `t10i020000_${sha12('0004,0005')}_${ZERO}`,
        ja4_r: 't10i020000_0004,0005_',
        ja4_o: `t10i020000_${sha12('0005,0004')}_${ZERO}`,
        ja4_ro: 't10i020000_0005,0004_',
      });
      // An empty (zero-length) extension block is the same.
      expect(ja4(ch({ version: 0x0301, suites: [0x0005, 0x0004], extensions: [] }), 't')).toEqual(ja4(h, 't'));
    });

    it('only SNI: ja4 c is 000000000000 but ja4_o c hashes "0000" (9af15b336e6a)', () => {
      const r = ja4(ch({ version: 0x0301, suites: [0x0039], extensions: [extSni('www.example.com')] }), 't');
      expect(r.ja4).toBe(`t10d010100_${sha12('0039')}_${ZERO}`);
      expect(r.ja4_o).toBe(`t10d010100_${sha12('0039')}_9af15b336e6a`);
      expect(r.ja4_r).toBe('t10d010100_0039_');
      expect(r.ja4_ro).toBe('t10d010100_0039_0000');
      // Only ALPN: the same rule.
      const alpn = ja4(ch({ extensions: [extAlpn(['h2'])] }), 't');
      expect(alpn.ja4.endsWith(`_${ZERO}`)).toBe(true);
      expect(alpn.ja4_o.endsWith(`_${sha12('0010')}`)).toBe(true);
    });

    it('padding (0015), session_ticket (0023), pre_shared_key (0029) and ECH (fe0d) are kept', () => {
      const r = ja4(ch({ extensions: [extSni('a.b'), bare(0x0023), ext(0x0015, new Array(40).fill(0)), bare(0xfe0d), extPskClient()] }), 't');
      expect(r.ja4.slice(0, 10)).toBe('t12d020500');
      expect(r.ja4_r.split('_')[2]).toBe('0015,0023,0029,fe0d');
      expect(r.ja4_ro.split('_')[2]).toBe('0000,0023,0015,fe0d,0029');
    });
  });

  it('the ALPN value JA4 reads is a copy: reusing the packet buffer does not change it', () => {
    const body = clientHelloBody({ extensions: [extAlpn(['h2'])] });
    const buf = Buffer.from(body); // a Node Buffer, as the capture reader hands over
    const r = parseClientHello(buf, 0, buf.length);
    if (!r.ok) throw new Error(r.error);
    buf.fill(0x41);
    expect(ja4(r.value, 't').ja4.slice(8, 10)).toBe('h2');
    expect(r.value.ext.alpnRaw).toEqual([Uint8Array.from([0x68, 0x32])]);
  });

  it('SSLv2-format hello: version from the hello, TLS cipher specs only, no extensions', () => {
    const h = sslv2Hello(0x0301, [0x000039, 0x010080, 0x00002f, 0x00ff]);
    expect(h.sslv2Format).toBe(true);
    // 0x010080 is an SSLv2-only kind (no 16-bit value); the SCSV 0x00ff is a TLS suite and counts.
    expect(ja4(h, 't')).toEqual({
      ja4: `t10i030000_${sha12('002f,0039,00ff')}_${ZERO}`,
      ja4_r: 't10i030000_002f,0039,00ff_',
      ja4_o: `t10i030000_${sha12('0039,002f,00ff')}_${ZERO}`,
      ja4_ro: 't10i030000_0039,002f,00ff_',
    });
    // A genuine SSL 2.0 hello offering only SSLv2 kinds.
    expect(ja4(sslv2Hello(0x0002, [0x0700c0, 0x050080]), 't').ja4).toBe(`ts2i000000_${ZERO}_${ZERO}`);
  });
});

/** An SSLv2 CLIENT-HELLO message (from the msg-type byte), parsed. Specs are 3-byte values. */
function sslv2Hello(version: number, specs: number[]): ClientHello {
  const challenge = new Array(16).fill(0x11);
  const msg = [1, ...u16(version), ...u16(specs.length * 3), ...u16(0), ...u16(challenge.length), ...specs.flatMap((s) => [(s >> 16) & 255, (s >> 8) & 255, s & 255]), ...challenge];
  const r = parseSslv2ClientHello(Uint8Array.from(msg), 0, msg.length);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('JA3 (salesforce README)', () => {
  it("reproduces the README's example", () => {
    const h = ch({
      version: 0x0301,
      suites: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
      extensions: [extSni('example.com'), extGroups([23, 24, 25]), extPointFormats([0])],
    });
    expect(ja3(h)).toEqual({ string: '769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0', hash: 'ada70206e40642a3e4461f35503241d5' });
  });

  it('keeps all four commas when lists are missing (no extension block)', () => {
    const h = ch({ version: 0x0301, suites: [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99] });
    expect(ja3(h)).toEqual({ string: '769,4-5-10-9-100-98-3-6-19-18-99,,,', hash: 'de350869b8c85de67a350c8d186f11e6' });
    // An empty extension block gives the same string.
    expect(ja3(ch({ version: 0x0301, suites: [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99], extensions: [] })).hash).toBe('de350869b8c85de67a350c8d186f11e6');
  });

  it('no ec_point_formats → empty last field (suricata-verify tls13-draft22)', () => {
    const h = ch({
      version: 0x0303,
      suites: [4865, 4867],
      extensions: [extSni('a.b'), extVersionsClient([0x7f16]), extSigAlgs([0x0403]), extGroups([23]), bare(40)],
    });
    expect(ja3(h)).toEqual({ string: '771,4865-4867,0-43-13-10-40,23,', hash: '786468211b4d23f9b725987b0de9d090' });
  });

  it('an empty cipher list and an empty groups extension leave empty fields', () => {
    expect(ja3(ch({ suites: [], extensions: [extGroups([]), extPointFormats([])] })).string).toBe('771,,10-11,,');
  });

  it('SSLVersion is legacy_version: 771 for a TLS 1.3 hello, never supported_versions', () => {
    const h = ch({ version: 0x0303, extensions: [extVersionsClient([0x0304, 0x0303])] });
    expect(ja3(h).string.startsWith('771,')).toBe(true);
    // Draft-era clients that put 0x0304 in legacy_version get 772 (suricata-verify tls13-draft14).
    expect(ja3(ch({ version: 0x0304 })).string.startsWith('772,')).toBe(true);
  });

  it('removes GREASE from ciphers, extensions and groups, keeps real look-alikes', () => {
    const h = ch({
      suites: [0x0a0a, 4865, 0xfafa, 49195],
      extensions: [bare(0x3a3a), extSni('a.b'), extGroups([0x4a4a, 29, 0x0101, 23]), extPointFormats([0]), bare(0x5a5a)],
    });
    expect(ja3(h).string).toBe('771,4865-49195,0-10-11,29-257-23,0');
  });

  it('keeps wire order (no sorting), SCSVs, padding, pre_shared_key and ECH', () => {
    const h = ch({
      suites: [49199, 4865, 255, 22016],
      extensions: [bare(0xfe0d), extSni('a.b'), ext(21, new Array(10).fill(0)), bare(35), extPskClient()],
    });
    expect(ja3(h).string).toBe('771,49199-4865-255-22016,65037-0-21-35-41,,');
  });

  it('point formats are listed as sent', () => {
    expect(ja3(ch({ extensions: [extPointFormats([0, 1, 2])] })).string).toBe('771,4865-49199,11,,0-1-2');
  });

  it('the hash is the lower-case MD5 of the string', () => {
    const r = ja3(ch({ extensions: [extSni('x.y'), extGroups([29])] }));
    expect(r.hash).toBe(md5(r.string));
    expect(r.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('SSLv2-format hello: "version,ciphers,,," over the specs that are TLS suites', () => {
    // RFC 5246 E.2: specs with a zero first byte are TLS suites; 3-byte SSLv2 kinds have no
    // 16-bit value and are left out (Zeek's ssl.v3.pcap lists the same 20 suites).
    expect(ja3(sslv2Hello(0x0301, [0x000039, 0x010080, 0x00002f, 0x00ff, 0x0700c0])).string).toBe('769,57-47-255,,,');
    // A genuine SSL 2.0 hello offering only SSLv2 kinds.
    expect(ja3(sslv2Hello(0x0002, [0x0700c0, 0x050080])).string).toBe('2,,,,');
  });
});

describe('JA3S (salesforce README)', () => {
  it('reproduces the suricata-verify tls-ja3s vector', () => {
    const h = sh({ suite: 49199, extensions: [ext(0xff01, [0]), bare(0), extPointFormats([0]), extAlpn(['h2']), bare(23)] });
    expect(ja3s(h)).toEqual({ string: '771,49199,65281-0-11-16-23', hash: '5d79edf64e03689ff559a54e9d9487bc' });
  });

  it('TLS 1.3: SSLVersion is the legacy 771, not the selected 0x0304', () => {
    const h = sh({ suite: 4866, extensions: [extVersionServer(0x0304), ext(51, [...u16(29), ...vec(2, new Array(32).fill(9))])] });
    expect(h.selectedVersion).toBe(0x0304);
    expect(ja3s(h)).toEqual({ string: '771,4866,43-51', hash: '15af977ce25de452b96affa2addb1036' });
  });

  it('no extensions → trailing empty field', () => {
    expect(ja3s(sh({ suite: 49199 }))).toEqual({ string: '771,49199,', hash: md5('771,49199,') });
    expect(ja3s(sh({ suite: 5, version: 0x0301, extensions: [] })).string).toBe('769,5,');
  });

  it('does not filter GREASE, as the salesforce Python and Zeek scripts', () => {
    expect(ja3s(sh({ extensions: [bare(0x0a0a), bare(23)] })).string).toBe('771,49199,2570-23');
  });
});

describe('memoised fingerprints (src/util/memo.ts) give what a fresh computation gives', () => {
  // The memos fold GREASE values together and keep one entry per client stack: these checks
  // compare against the specification's formulas on hellos seen for the first time and again.
  const hello = (grease: number, version = 0x0303, order: number[] = [0, 1, 2]) => {
    const exts = [extSni('memo.example'), extGroups([grease, 0x001d, 0x0017]), extSigAlgs([grease, 0x0403, 0x0804])];
    return ch({ version, suites: [grease, 0x1301, 0xc02f], extensions: [bare(grease), ...order.map((i) => exts[i])] });
  };

  it('the same JA3/JA4 whichever GREASE value a client picked, each time it is seen', () => {
    const expected = md5('771,4865-49199,0-10-13,29-23,');
    for (let round = 0; round < 3; round++) {
      for (const g of [0x0a0a, 0x3a3a, 0xdada]) {
        const h = hello(g);
        expect(ja3(h)).toEqual({ string: '771,4865-49199,0-10-13,29-23,', hash: expected });
        const f = ja4(h, 't');
        expect(f.ja4_r).toBe('t12d020300_1301,c02f_000a,000d_0403,0804');
        expect(f.ja4).toBe(`t12d020300_${sha12('1301,c02f')}_${sha12('000a,000d_0403,0804')}`);
      }
    }
  });

  it('a permuted extension order changes JA3 and ja4_o but not ja4, on every sighting', () => {
    for (let round = 0; round < 3; round++) {
      const a = hello(0x0a0a, 0x0303, [0, 1, 2]);
      const b = hello(0x0a0a, 0x0303, [2, 0, 1]);
      expect(ja3(a).string).toBe('771,4865-49199,0-10-13,29-23,');
      expect(ja3(b).string).toBe('771,4865-49199,13-0-10,29-23,');
      expect(ja4(a, 't').ja4).toBe(ja4(b, 't').ja4);
      expect(ja4(a, 't').ja4_ro).toBe('t12d020300_1301,c02f_0000,000a,000d_0403,0804');
      expect(ja4(b, 't').ja4_ro).toBe('t12d020300_1301,c02f_000d,0000,000a_0403,0804');
    }
  });

  it('a GREASE legacy version (hostile) is never folded: JA3 carries the version sent', () => {
    for (let round = 0; round < 3; round++) {
      expect(ja3(hello(0x0a0a, 0x1a1a)).string.split(',')[0]).toBe(String(0x1a1a));
      expect(ja3(hello(0x0a0a, 0x2a2a)).string.split(',')[0]).toBe(String(0x2a2a));
    }
  });
});
