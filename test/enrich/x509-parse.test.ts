import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CertificateCache } from '../../src/enrich/x509/cache.js';
import { toCertificateEntry, toEcsX509 } from '../../src/enrich/x509/ecs.js';
import { ipBytes } from '../../src/enrich/x509/hostname.js';
import { OPENSSL_CURVE_ALIASES } from '../../src/enrich/x509/oids.js';
import { parseCertificate, serialHex } from '../../src/enrich/x509/parse.js';
import { isParsed, type CertificateInfo, type X509Details } from '../../src/enrich/x509/types.js';
import { repoRoot } from '../support/paths.js';

const FIXTURES = path.join(repoRoot, 'test/fixtures/x509');
const pemFiles = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.pem'))
  .sort();

function derOf(name: string): Uint8Array {
  const pem = readFileSync(path.join(FIXTURES, `${name}.pem`), 'utf8');
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
}

function parsed(name: string): X509Details {
  const info = parseCertificate(derOf(name));
  if (!isParsed(info)) throw new Error(`${name}: ${info.parse_error}`);
  return info;
}

const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });

/** What `openssl x509` says about one certificate, in our vocabulary. */
interface OpensslView {
  sha256: string;
  serial: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  version: number;
  sigAlg: string;
  sigHash?: string;
  keyAlg: string;
  keyBits?: number;
  exponent?: number;
  curve?: string;
  ca?: boolean;
  pathLen?: number;
  keyUsage?: string[];
  eku?: string[];
  san: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
  spkiSha256: string;
}

const KU_NAMES: Record<string, string> = {
  'Digital Signature': 'digitalSignature',
  'Non Repudiation': 'nonRepudiation',
  'Key Encipherment': 'keyEncipherment',
  'Data Encipherment': 'dataEncipherment',
  'Key Agreement': 'keyAgreement',
  'Certificate Sign': 'keyCertSign',
  'CRL Sign': 'cRLSign',
  'Encipher Only': 'encipherOnly',
  'Decipher Only': 'decipherOnly',
};
const EKU_NAMES: Record<string, string> = {
  'TLS Web Server Authentication': 'serverAuth',
  'TLS Web Client Authentication': 'clientAuth',
  'E-mail Protection': 'emailProtection',
  'Code Signing': 'codeSigning',
};
const KEY_NAMES: Record<string, string> = { rsaEncryption: 'rsa', 'id-ecPublicKey': 'ec', dsaEncryption: 'dsa', ED25519: 'ed25519', ED448: 'ed448' };

function opensslView(file: string): OpensslView {
  const text = openssl('x509', '-in', file, '-noout', '-text');
  const line = (re: RegExp): string | undefined => re.exec(text)?.[1]?.trim();
  const iso = (d: string): string => d.replace(' ', 'T').replace(/^notBefore=|^notAfter=/, '');
  const ext = (title: string): string | undefined => new RegExp(`${title}:.*\\n\\s+(.*)`).exec(text)?.[1];
  const san = { dns: [] as string[], ip: [] as string[], email: [] as string[], uri: [] as string[] };
  for (const part of (ext('X509v3 Subject Alternative Name') ?? '').split(', ').filter(Boolean)) {
    const [k, ...rest] = part.split(':');
    const v = rest.join(':');
    if (k === 'DNS') san.dns.push(v);
    else if (k === 'email') san.email.push(v);
    else if (k === 'URI') san.uri.push(v);
    else if (k === 'IP Address') san.ip.push(v);
  }
  const bc = ext('X509v3 Basic Constraints');
  const spkiPem = openssl('x509', '-in', file, '-noout', '-pubkey');
  const spkiDer = Buffer.from(spkiPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const sigAlg = line(/Signature Algorithm: (\S+)/)!;
  return {
    sha256: openssl('x509', '-in', file, '-noout', '-fingerprint', '-sha256').split('=')[1].trim().replace(/:/g, ''),
    serial: openssl('x509', '-in', file, '-noout', '-serial').split('=')[1].trim(),
    subject: openssl('x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb').replace(/^subject=/, '').trim(),
    issuer: openssl('x509', '-in', file, '-noout', '-issuer', '-nameopt', 'RFC2253,-esc_msb').replace(/^issuer=/, '').trim(),
    notBefore: iso(openssl('x509', '-in', file, '-noout', '-startdate', '-dateopt', 'iso_8601').trim()),
    notAfter: iso(openssl('x509', '-in', file, '-noout', '-enddate', '-dateopt', 'iso_8601').trim()),
    version: Number(line(/Version: (\d+)/)),
    sigAlg,
    sigHash: line(/Hash Algorithm: (\S+)/),
    keyAlg: KEY_NAMES[line(/Public Key Algorithm: (\S+)/)!] ?? '?',
    keyBits: line(/Public-Key: \((\d+) bit\)/) !== undefined ? Number(line(/Public-Key: \((\d+) bit\)/)) : undefined,
    exponent: line(/Exponent: (\d+)/) !== undefined ? Number(line(/Exponent: (\d+)/)) : undefined,
    curve: line(/ASN1 OID: (\S+)/),
    ca: bc === undefined ? undefined : bc.includes('CA:TRUE'),
    pathLen: bc && /pathlen:(\d+)/.exec(bc) ? Number(/pathlen:(\d+)/.exec(bc)![1]) : undefined,
    keyUsage: ext('X509v3 Key Usage')
      ?.split(', ')
      .map((k) => KU_NAMES[k.trim()] ?? k),
    eku: ext('X509v3 Extended Key Usage')
      ?.split(', ')
      .map((k) => EKU_NAMES[k.trim()] ?? k),
    san,
    spkiSha256: createHash('sha256').update(spkiDer).digest('hex').toUpperCase(),
  };
}

/** OpenSSL prints IPv6 SANs fully expanded in upper case: compare by value. */
const ipNorm = (ip: string): string => Array.from(ipBytes(ip) ?? []).join('.');

/** OpenSSL writes `emailAddress`, `street` …; we write the RFC 4514 descriptors: compare case-insensitively on types. */
const dnTypes = (s: string): string => s.replace(/(^|,|\+)([A-Za-z]+)=/g, (_m, sep: string, t: string) => `${sep}${t.toLowerCase()}=`);

describe('parseCertificate against openssl x509', () => {
  for (const file of pemFiles) {
    it(file, () => {
      const name = file.replace(/\.pem$/, '');
      const info = parsed(name);
      const o = opensslView(path.join(FIXTURES, file));
      expect(info.sha256).toBe(o.sha256);
      expect(info.serial_number).toBe(o.serial);
      expect(dnTypes(info.subject.dn)).toBe(dnTypes(o.subject));
      expect(dnTypes(info.issuer.dn)).toBe(dnTypes(o.issuer));
      expect(info.not_before).toBe(o.notBefore);
      expect(info.not_after).toBe(o.notAfter);
      expect(info.version).toBe(o.version);
      expect(info.signature_algorithm).toBe(o.sigAlg);
      if (o.sigHash) expect(info.signature_hash).toBe(o.sigHash);
      expect(info.public_key_algorithm).toBe(o.keyAlg);
      if (o.keyBits !== undefined) expect(info.public_key_size).toBe(o.keyBits);
      expect(info.public_key_exponent).toBe(o.exponent);
      expect(info.public_key_curve).toBe(o.curve === undefined ? undefined : (OPENSSL_CURVE_ALIASES[o.curve] ?? o.curve));
      expect(info.basic_constraints?.ca).toBe(o.ca);
      expect(info.basic_constraints?.path_len).toBe(o.pathLen);
      expect(info.is_ca).toBe(o.ca ?? false);
      expect(info.key_usage).toEqual(o.keyUsage);
      expect(info.extended_key_usage).toEqual(o.eku);
      expect(info.san.dns).toEqual(o.san.dns);
      expect(info.san.email).toEqual(o.san.email);
      expect(info.san.uri).toEqual(o.san.uri);
      expect(info.san.ip.map(ipNorm)).toEqual(o.san.ip.map(ipNorm));
      expect(info.spki_sha256).toBe(o.spkiSha256);
      expect(info.warnings).toBeUndefined();
    });
  }
});

describe('parseCertificate details', () => {
  it('reads key sizes, curves and exponents', () => {
    const cases: [string, string, number, string?][] = [
      ['leaf-rsa1024', 'rsa', 1024],
      ['leaf-rsa2048', 'rsa', 2048],
      ['leaf-rsa4096', 'rsa', 4096],
      ['leaf-p256', 'ec', 256, 'secp256r1'],
      ['int-ca', 'ec', 384, 'secp384r1'],
      ['leaf-p521', 'ec', 521, 'secp521r1'],
      ['brainpool', 'ec', 256, 'brainpoolP256r1'],
      ['ed25519', 'ed25519', 256],
      ['dsa', 'dsa', 2048],
    ];
    for (const [name, alg, size, curve] of cases) {
      const i = parsed(name);
      expect([name, i.public_key_algorithm, i.public_key_size, i.public_key_curve]).toEqual([name, alg, size, curve]);
      expect(i.public_key_exponent).toBe(alg === 'rsa' ? 65537 : undefined);
    }
  });

  it('names signature algorithms and their digests', () => {
    const cases: [string, string, string | undefined][] = [
      ['leaf-sha1', 'sha1WithRSAEncryption', 'sha1'],
      ['leaf-md5', 'md5WithRSAEncryption', 'md5'],
      ['leaf-rsa4096', 'sha512WithRSAEncryption', 'sha512'],
      ['leaf-pss', 'rsassaPss', 'sha256'],
      ['leaf-rsa2048', 'ecdsa-with-SHA384', 'sha384'],
      ['leaf-p521', 'ecdsa-with-SHA512', 'sha512'],
      ['ed25519', 'ED25519', undefined],
      ['dsa', 'dsa_with_SHA256', 'sha256'],
    ];
    for (const [name, alg, hash] of cases) expect([name, parsed(name).signature_algorithm, parsed(name).signature_hash]).toEqual([name, alg, hash]);
  });

  it('handles UTCTime and GeneralizedTime, before 1950 and after 2049', () => {
    const g = parsed('gentime');
    expect([g.not_before, g.not_after, g.not_before_encoding, g.not_after_encoding]).toEqual(['1949-12-31T23:59:59Z', '2060-01-01T00:00:00Z', 'generalized', 'generalized']);
    expect(g.not_before_ms).toBe(Date.UTC(1949, 11, 31, 23, 59, 59));
    const u = parsed('utc-boundary');
    expect([u.not_before, u.not_after, u.not_before_encoding, u.not_after_encoding]).toEqual(['1950-01-01T00:00:00Z', '2049-12-31T23:59:59Z', 'utc', 'utc']);
  });

  it('writes RFC 4514 names with escapes, multi-valued RDNs and UTF-8', () => {
    const n = parsed('leaf-names');
    expect(n.subject.dn).toBe('CN=Grüße ✓.example.test,OU=R&D+OU=Lab,O=Acme\\, Inc.\\; \\"Quoted\\" \\<x\\>,L=\\ Lead Space,ST=\\#Hash,C=XX');
    expect(n.subject.common_name).toEqual(['Grüße ✓.example.test']);
    // Values come in DER order: a multi-valued RDN is a SET OF, sorted by encoding.
    expect(n.subject.organizational_unit).toEqual(['Lab', 'R&D']);
    expect(n.subject.organization).toEqual(['Acme, Inc.; "Quoted" <x>']);
    expect(n.subject.locality).toEqual([' Lead Space']);
    expect(n.subject.state_or_province).toEqual(['#Hash']);
    expect(n.subject.country).toEqual(['XX']);
    const c = parsed('leaf-client');
    expect(c.subject.dn).toBe('emailAddress=alice@example.test,CN=alice');
  });

  it('reports a certificate without CN', () => {
    const n = parsed('leaf-nocn');
    expect(n.subject.common_name).toEqual([]);
    expect(n.subject.dn).toBe('O=No CN Org,C=XX');
    expect(n.san.dns).toEqual(['nocn.example.test']);
  });

  it('types every SAN', () => {
    const l = parsed('leaf-rsa2048');
    expect(l.san).toEqual({
      dns: ['www.example.test', '*.example.test'],
      ip: ['192.0.2.10', '2001:db8::10'],
      email: ['ops@example.test'],
      uri: ['https://www.example.test/'],
      other: 0,
    });
    expect(parsed('leaf-ip').san.ip).toEqual(['198.51.100.7', '::1', '::ffff:203.0.113.9']);
  });

  it('tells self-signed from self-issued and from issued', () => {
    for (const name of ['self-signed', 'root-ca', 'ed25519', 'dsa', 'brainpool', 'gentime', 'v1']) {
      const i = parsed(name);
      expect([name, i.self_issued, i.self_signed, i.self_signature]).toEqual([name, true, true, 'valid']);
    }
    for (const name of ['leaf-rsa2048', 'int-ca', 'leaf-md5']) {
      const i = parsed(name);
      expect([name, i.self_issued, i.self_signed, i.self_signature]).toEqual([name, false, false, undefined]);
    }
    // Same name as its issuer but the signature does not verify with its own key.
    const der = Uint8Array.from(derOf('self-signed'));
    der[der.length - 10] ^= 0x01;
    const t = parseCertificate(der) as X509Details;
    expect([t.self_issued, t.self_signed, t.self_signature]).toEqual([true, false, 'invalid']);
  });

  it('reads version 1 certificates and serial zero', () => {
    const v = parsed('v1');
    expect([v.version, v.serial_number, v.basic_constraints, v.is_ca, v.key_usage]).toEqual([1, '00', undefined, false, undefined]);
  });

  it('keeps key identifiers and critical extension lists', () => {
    const l = parsed('leaf-rsa2048');
    const int = parsed('int-ca');
    expect(l.authority_key_id).toBe(int.subject_key_id);
    expect(l.critical_extensions).toEqual(['2.5.29.19', '2.5.29.15']);
  });

  it('prints serials as OpenSSL does (no sign padding, negative with "-")', () => {
    expect(serialHex(Uint8Array.from([0x00, 0x99, 0xfa]))).toBe('99FA');
    expect(serialHex(Uint8Array.from([0x02, 0x3a, 0x69]))).toBe('023A69');
    expect(serialHex(Uint8Array.from([0x00]))).toBe('00');
    expect(serialHex(Uint8Array.from([0xff]))).toBe('-01');
    expect(serialHex(Uint8Array.from([0xfe, 0xff]))).toBe('-0101');
    expect(parsed('leaf-rsa2048').serial_number).toBe('C0FFEE0000000000000000000000000000000001');
  });

  it('parses a certificate held in a view into a larger buffer', () => {
    const der = derOf('leaf-p256');
    const big = new Uint8Array(der.length + 100).fill(0xaa);
    big.set(der, 37);
    const view = big.subarray(37, 37 + der.length);
    expect(parseCertificate(view)).toEqual(parseCertificate(Uint8Array.from(der)));
  });
});

describe('malformed DER', () => {
  const good = derOf('leaf-rsa2048');
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(0x30)],
    ['truncated', good.subarray(0, good.length - 20)],
    ['truncated header', good.subarray(0, 3)],
    ['garbage', Uint8Array.from({ length: 700 }, (_, i) => (i * 7919 + 13) & 0xff)],
    ['not a sequence', Uint8Array.of(0x04, 0x03, 1, 2, 3)],
    ['empty sequence', Uint8Array.of(0x30, 0x00)],
    ['sequence of junk', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02)],
    ['indefinite length', Uint8Array.of(0x30, 0x80, 0x00, 0x00)],
    ['huge length', Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00)],
    ['PEM text instead of DER', new TextEncoder().encode(readFileSync(path.join(FIXTURES, 'leaf-rsa2048.pem'), 'utf8'))],
  ];
  for (const [name, der] of cases) {
    it(`${name} → parse_error with sha256, no throw`, () => {
      let info: CertificateInfo | undefined;
      expect(() => (info = parseCertificate(der))).not.toThrow();
      expect(info!.parse_error).toEqual(expect.any(String));
      expect(info!.parse_error!.includes('\n')).toBe(false);
      expect(info!.sha256).toBe(createHash('sha256').update(der).digest('hex').toUpperCase());
      expect(toCertificateEntry(info!)).toEqual({ sha256: info!.sha256, parse_error: info!.parse_error });
      expect(toEcsX509(info!)).toEqual({});
    });
  }

  it('survives every truncation and single-byte corruption of a real certificate', () => {
    const der = derOf('leaf-p256');
    let errors = 0;
    for (let n = 0; n < der.length; n++) if (parseCertificate(der.subarray(0, n)).parse_error !== undefined) errors++;
    expect(errors).toBe(der.length);
    for (let i = 0; i < der.length; i += 3) {
      const bad = Uint8Array.from(der);
      bad[i] ^= 0xff;
      expect(() => parseCertificate(bad)).not.toThrow();
    }
  });
});

describe('CertificateCache', () => {
  it('parses once per distinct DER, counts hits and misses, evicts least recently used', () => {
    const cache = new CertificateCache(2);
    const a = derOf('leaf-p256');
    const b = derOf('leaf-rsa1024');
    const c = derOf('ed25519');
    const first = cache.get(a);
    expect(cache.get(Uint8Array.from(a))).toBe(first);
    cache.get(b);
    cache.get(a); // a is now the most recent
    cache.get(c); // evicts b
    expect(cache.stats).toMatchObject({ hits: 2, misses: 3, evictions: 1, size: 2, maxEntries: 2 });
    expect(cache.bySha256(first.sha256)).toBe(first);
    expect(cache.bySha256(parseCertificate(b).sha256)).toBeUndefined();
  });

  it('is not fooled by a certificate that copies another one\'s tail: the octets must match', () => {
    const cache = new CertificateCache(8);
    const a = derOf('leaf-p256');
    const b = Uint8Array.from(a);
    b[40] ^= 0xff; // same length, same last 32 octets, another certificate
    const ia = cache.get(a);
    const ib = cache.get(b);
    expect(ib.sha256).not.toBe(ia.sha256);
    expect(ib.sha256).toBe(createHash('sha256').update(b).digest('hex').toUpperCase());
    expect(cache.get(Uint8Array.from(a))).toBe(ia);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 2 });
  });

  it('hashes without parsing for the bare engine, and parses later from the same entry', () => {
    const cache = new CertificateCache(8);
    const a = derOf('leaf-rsa2048');
    const sha = createHash('sha256').update(a).digest('hex').toUpperCase();
    expect(cache.sha256Of(a)).toBe(sha);
    expect(cache.sha256Of(Uint8Array.from(a))).toBe(sha);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0, size: 0 });
    const b = Uint8Array.from(a);
    b[50] ^= 1;
    expect(cache.sha256Of(b)).toBe(createHash('sha256').update(b).digest('hex').toUpperCase());
    const info = cache.get(a);
    expect(info.sha256).toBe(sha);
    expect(cache.get(Uint8Array.from(a))).toBe(info);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, size: 1 });
  });

  it('caches parse failures and freezes entries', () => {
    const cache = new CertificateCache();
    const junk = Uint8Array.of(1, 2, 3);
    const e = cache.get(junk);
    expect(e.parse_error).toBeDefined();
    expect(cache.get(junk)).toBe(e);
    const info = cache.get(derOf('leaf-rsa2048')) as X509Details;
    expect(Object.isFrozen(info) && Object.isFrozen(info.san.dns) && Object.isFrozen(info.subject)).toBe(true);
    expect(cache.stats.maxEntries).toBe(20_000);
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => new CertificateCache(0)).toThrow(RangeError);
  });
});
