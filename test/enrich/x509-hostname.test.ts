import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipBytes, matchesHostname, matchesPattern } from '../../src/enrich/x509/hostname.js';
import { parseCertificate } from '../../src/enrich/x509/parse.js';
import { isParsed, type X509Details } from '../../src/enrich/x509/types.js';
import { repoRoot } from '../support/paths.js';

/**
 * RFC 6125 host name matching (as the CA/Browser Forum baseline requirements narrow it), on the
 * fixture certificates and on copies of them with the names swapped for the case at hand.
 */

const FIXTURES = path.join(repoRoot, 'test/fixtures/x509');

function parsed(name: string): X509Details {
  const pem = readFileSync(path.join(FIXTURES, `${name}.pem`), 'utf8');
  const info = parseCertificate(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
  if (!isParsed(info)) throw new Error(`${name}: ${info.parse_error}`);
  return info;
}

/** A fixture with its names replaced: exactly the identifiers a case needs, nothing else. */
function withNames(names: { dns?: string[]; ip?: string[]; cn?: string[] }): X509Details {
  const info = structuredClone(parsed('v1'));
  info.san = { dns: names.dns ?? [], ip: names.ip ?? [], email: [], uri: [], other: 0 };
  info.subject.common_name = names.cn ?? [];
  return info;
}

/** Which of `hosts` the certificate covers. */
const covered = (cert: X509Details, hosts: string[]): string[] => hosts.filter((h) => matchesHostname(h, cert));

describe('matchesPattern', () => {
  const table: [pattern: string, host: string, match: boolean][] = [
    // exact, case-insensitive, one trailing dot on the pattern
    ['www.example.com', 'www.example.com', true],
    ['WWW.Example.COM', 'www.example.com', true],
    ['www.example.com.', 'www.example.com', true],
    ['www.example.com', 'example.com', false],
    ['www.example.com', 'www.example.co', false],
    // wildcard: the whole left-most label, exactly one non-empty label
    ['*.example.com', 'a.example.com', true],
    ['*.EXAMPLE.com', 'foo-bar.example.com', true],
    ['*.example.com.', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'a.example.org', false],
    ['*.example.com', 'aexample.com', false],
    // partial and inner wildcards match nothing, even what they would cover literally
    ['f*.example.com', 'foo.example.com', false],
    ['*oo.example.com', 'foo.example.com', false],
    ['f*o.example.com', 'foo.example.com', false],
    ['www.*.com', 'www.example.com', false],
    ['*.*.example.com', 'a.b.example.com', false],
    ['**.example.com', 'a.example.com', false],
    // no wildcard directly above a one-label name
    ['*.com', 'example.com', false],
    ['*.test', 'example.test', false],
    ['*', 'localhost', false],
    ['*.', 'localhost', false],
    // without a public-suffix list, a three-label pattern is accepted
    ['*.co.uk', 'example.co.uk', true],
    // malformed patterns
    ['*..com', 'a..com', false],
    ['*.example..com', 'a.example..com', false],
    // IDNA: A-labels compare as the ASCII they are, never converted
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', true],
    ['XN--BCHER-KVA.EXAMPLE', 'xn--bcher-kva.example', true],
    ['*.xn--bcher-kva.example', 'www.xn--bcher-kva.example', true],
    ['*.example', 'xn--bcher-kva.example', false],
    ['*.example.com', 'xn--bcher-kva.example.com', true],
    ['xn--bcher-kva.example', 'bücher.example', false],
    ['xn--*.example.com', 'xn--bcher-kva.example.com', false],
    // empty
    ['', '', false],
    ['', 'example.com', false],
    ['example.com', '', false],
    ['*.example.com', '', false],
    // a host name is never a wildcard: the pattern cannot cover its own text
    ['*.example.com', '*.example.com', false],
    ['*.example.com', '*', false],
  ];
  for (const [pattern, host, match] of table) {
    it(`${JSON.stringify(pattern)} ${match ? 'covers' : 'does not cover'} ${JSON.stringify(host)}`, () => {
      expect(matchesPattern(pattern, host)).toBe(match);
    });
  }
});

describe('matchesHostname on the fixtures', () => {
  it('matches dNSName SANs exactly, case-insensitively, with or without a trailing dot', () => {
    const leaf = parsed('leaf-rsa2048'); // DNS:www.example.test, DNS:*.example.test
    expect(covered(leaf, ['www.example.test', 'WWW.EXAMPLE.TEST', 'www.example.test.', 'Www.Example.Test.'])).toHaveLength(4);
    expect(covered(leaf, ['www.example.test..', '.www.example.test', 'www..example.test', 'www.example.tes'])).toEqual([]);
  });

  it('applies the wildcard SAN to exactly one left-most label', () => {
    const leaf = parsed('leaf-rsa2048');
    expect(covered(leaf, ['api.example.test', 'API.example.test.', 'x.example.test'])).toHaveLength(3);
    expect(covered(leaf, ['example.test', 'a.b.example.test', 'example.test.', '*.example.test', 'a.example.testing'])).toEqual([]);
  });

  it('uses the CN only when there is no dNSName SAN', () => {
    // leaf-p521: CN=p521.example.test, SAN DNS:ec.example.test → the CN is ignored
    const p521 = parsed('leaf-p521');
    expect(p521.subject.common_name).toEqual(['p521.example.test']);
    expect(covered(p521, ['ec.example.test', 'p521.example.test'])).toEqual(['ec.example.test']);
    // v1: no extensions at all → the CN is the identifier
    expect(covered(parsed('v1'), ['v1.example.test', 'V1.Example.Test.', 'x.example.test'])).toEqual(['v1.example.test', 'V1.Example.Test.']);
    // leaf-client: only an rfc822Name SAN (no dNSName) → the CN still counts
    expect(covered(parsed('leaf-client'), ['alice', 'alice@example.test', 'example.test'])).toEqual(['alice']);
    // leaf-nocn: SAN only
    expect(covered(parsed('leaf-nocn'), ['nocn.example.test', 'No CN Org'])).toEqual(['nocn.example.test']);
  });

  it('applies a wildcard in the CN by the same rules', () => {
    const c = withNames({ cn: ['*.cn.example'] });
    expect(covered(c, ['a.cn.example', 'cn.example', 'a.b.cn.example'])).toEqual(['a.cn.example']);
    expect(covered(withNames({ cn: ['*.cn.example'], dns: ['other.example'] }), ['a.cn.example', 'other.example'])).toEqual(['other.example']);
  });

  it('matches IPv4 and IPv6 iPAddress SANs by value, in any text form', () => {
    const leaf = parsed('leaf-rsa2048'); // IP:192.0.2.10, IP:2001:db8::10
    const v6forms = ['2001:db8::10', '2001:DB8::10', '2001:db8:0:0:0:0:0:10', '2001:0db8:0000:0000:0000:0000:0000:0010', '[2001:db8::10]', '2001:db8::0:10'];
    expect(covered(leaf, ['192.0.2.10', ...v6forms])).toEqual(['192.0.2.10', ...v6forms]);
    expect(covered(leaf, ['192.0.2.11', '2001:db8::11', '2001:db8::1:0', '::ffff:192.0.2.10', '2001:db8::10:0'])).toEqual([]);
    const ip = parsed('leaf-ip'); // IP:198.51.100.7, IP:::1, IP:::ffff:203.0.113.9
    expect(covered(ip, ['198.51.100.7', '::1', '0:0:0:0:0:0:0:1', '[::1]', '::ffff:203.0.113.9', '::FFFF:CB00:7109', '0:0:0:0:0:ffff:cb00:7109'])).toHaveLength(7);
    // an IPv4-mapped SAN is 16 octets: the bare IPv4 address is another identifier
    expect(covered(ip, ['203.0.113.9', '127.0.0.1', '::2'])).toEqual([]);
  });

  it('never matches an IP address against a dNSName SAN or the CN', () => {
    // leaf-ip has CN=198.51.100.7; without its iPAddress SANs the CN must not stand in for them
    const ip = structuredClone(parsed('leaf-ip'));
    expect(matchesHostname('198.51.100.7', ip)).toBe(true);
    ip.san.ip = [];
    expect(ip.subject.common_name).toEqual(['198.51.100.7']);
    expect(matchesHostname('198.51.100.7', ip)).toBe(false);
    const dns = withNames({ dns: ['192.0.2.99', '2001:db8::99'] });
    expect(covered(dns, ['192.0.2.99', '2001:db8::99'])).toEqual([]);
    expect(covered(withNames({ cn: ['192.0.2.99'] }), ['192.0.2.99'])).toEqual([]);
    // and an iPAddress SAN does not answer for a DNS name spelled like it
    expect(covered(parsed('leaf-rsa2048'), ['192.0.2.10.', '192.0.2.10.example.test', '10.example.test'])).toEqual(['10.example.test']);
  });

  it('compares IDNA A-labels as ASCII and never converts U-labels', () => {
    const c = withNames({ dns: ['xn--bcher-kva.example', '*.xn--mller-kva.example'] });
    expect(covered(c, ['xn--bcher-kva.example', 'XN--BCHER-KVA.example', 'www.xn--mller-kva.example'])).toHaveLength(3);
    expect(covered(c, ['bücher.example', 'www.müller.example', 'xn--bcher-kvb.example'])).toEqual([]);
  });

  it('rejects empty and malformed names', () => {
    const leaf = parsed('leaf-rsa2048');
    expect(covered(leaf, ['', '.', '..', ' ', '[]', '[www.example.test]'])).toEqual([]);
    expect(covered(withNames({ dns: [''] }), ['', '.'])).toEqual([]);
    expect(covered(withNames({ cn: [''] }), [''])).toEqual([]);
  });

  it('says no for a certificate that could not be parsed', () => {
    expect(matchesHostname('www.example.test', { sha256: 'AB', der_length: 1, parse_error: 'x' })).toBe(false);
  });
});

describe('ipBytes', () => {
  const hex = (t: string): string | undefined => {
    const b = ipBytes(t);
    return b && Buffer.from(b).toString('hex');
  };
  it('reads IPv4, IPv6 (compressed, expanded, embedded IPv4) and rejects the rest', () => {
    expect(hex('192.0.2.10')).toBe('c000020a');
    expect(hex('2001:db8::10')).toBe('20010db8000000000000000000000010');
    expect(hex('2001:0DB8:0000:0000:0000:0000:0000:0010')).toBe('20010db8000000000000000000000010');
    expect(hex('::')).toBe('0'.repeat(32));
    expect(hex('::1')).toBe('0'.repeat(31) + '1');
    expect(hex('1::')).toBe('0001' + '0'.repeat(28));
    expect(hex('::ffff:203.0.113.9')).toBe('00000000000000000000ffffcb007109');
    expect(hex('::203.0.113.9')).toBe('000000000000000000000000cb007109');
    expect(hex('1:2:3:4:5:6:203.0.113.9')).toBe('000100020003000400050006cb007109');
    for (const bad of ['', 'example.com', '1.2.3', '256.1.1.1', '1:2:3:4:5:6:7:8:9', '1::2::3', '[::1]']) expect([bad, ipBytes(bad)]).toEqual([bad, undefined]);
  });
});
