import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CertificateCache } from '../../src/enrich/x509/cache.js';
import { toCertificateEntry, toEcsX509 } from '../../src/enrich/x509/ecs.js';
import { parseCertificate } from '../../src/enrich/x509/parse.js';
import { repoRoot } from '../support/paths.js';

/**
 * The two renderings of a certificate the event contract names (docs/events.md):
 * `tls.server.x509.*` (ECS) and `tlsscope.server.certificates[]`, for every fixture, field by
 * field against what `openssl x509` prints for the same file.
 */

const FIXTURES = path.join(repoRoot, 'test/fixtures/x509');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.pem'))
  .map((f) => f.replace(/\.pem$/, ''))
  .sort();
const pemPath = (name: string): string => path.join(FIXTURES, `${name}.pem`);
const der = (name: string): Uint8Array => Buffer.from(readFileSync(pemPath(name), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');

const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });

/** DN attribute long names (openssl -nameopt multiline) → the ECS x509.{subject,issuer} field. */
const ECS_NAME_FIELDS: Record<string, string> = {
  commonName: 'common_name',
  organizationName: 'organization',
  organizationalUnitName: 'organizational_unit',
  countryName: 'country',
  localityName: 'locality',
  stateOrProvinceName: 'state_or_province',
};
const KEY_ALGORITHMS: Record<string, string> = { rsaEncryption: 'rsa', 'id-ecPublicKey': 'ec', dsaEncryption: 'dsa', ED25519: 'ed25519', ED448: 'ed448', rsassaPss: 'rsa-pss' };
/** OpenSSL's curve names → the IANA TLS group names tlsscope reports. */
const CURVE_NAMES: Record<string, string> = { prime256v1: 'secp256r1' };

/** An IPv6 address in the one canonical text form the WHATWG URL parser writes (independent of the code under test). */
const ipCanon = (name: string): string => (isIPv6(name) ? new URL(`http://[${name}]/`).hostname : name);

interface OpensslView {
  sha256: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  subject: string;
  issuer: string;
  subjectParts: Record<string, string[]>;
  issuerParts: Record<string, string[]>;
  version: string;
  keyAlg: string;
  keyBits?: number;
  exponent?: number;
  curve?: string;
  sigAlg: string;
  altNames: string[];
  isCa: boolean;
  selfSigned: boolean;
}

/** `Mon DD HH:MM:SS YYYY GMT` → ISO 8601 with seconds precision. */
const isoOf = (openssslDate: string): string => new Date(Date.parse(openssslDate)).toISOString().replace('.000Z', 'Z');

/** `-nameopt multiline`: one attribute per line, multi-valued RDNs joined by " + ". */
function nameParts(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n').slice(1)) {
    for (const part of line.trim() === '' ? [] : line.split(' + ')) {
      const m = /^\s*(\w+)\s*= (.*)$/.exec(part);
      if (!m) throw new Error(`cannot read ${JSON.stringify(part)}`);
      const field = ECS_NAME_FIELDS[m[1]];
      if (field) (out[field] ??= []).push(m[2]);
    }
  }
  return out;
}

const views = new Map<string, OpensslView>();

function opensslView(name: string): OpensslView {
  let v = views.get(name);
  if (!v) views.set(name, (v = readOpenssl(name)));
  return v;
}

function readOpenssl(name: string): OpensslView {
  const file = pemPath(name);
  // openssl x509 prints in the order of the options: the one-line fields first, then -text.
  const text = openssl('x509', '-in', file, '-noout', '-serial', '-startdate', '-enddate', '-subject', '-issuer', '-nameopt', 'RFC2253,-esc_msb', '-fingerprint', '-sha256', '-text');
  const field = (k: string): string => {
    const m = new RegExp(`^${k}=(.*)$`, 'm').exec(text);
    if (!m) throw new Error(`${name}: no ${k} in ${text}`);
    return m[1].trim();
  };
  const [subjectLines, issuerLines] = openssl('x509', '-in', file, '-noout', '-subject', '-issuer', '-nameopt', 'multiline,-esc_msb,utf8').split(/^(?=issuer=)/m);
  const line = (re: RegExp): string | undefined => re.exec(text)?.[1]?.trim();
  const ext = (title: string): string | undefined => new RegExp(`${title}:.*\\n\\s+(.*)`).exec(text)?.[1];
  const altNames = (ext('X509v3 Subject Alternative Name') ?? '')
    .split(', ')
    .filter(Boolean)
    .map((p) => {
      const [k, ...rest] = p.split(':');
      const v = rest.join(':');
      return k === 'IP Address' ? ipCanon(v) : v;
    });
  const subject = field('subject');
  const issuer = field('issuer');
  let selfSigned = false;
  if (subject === issuer) {
    // The signature checked with the certificate's own key, inside its validity period.
    const mid = Math.floor((Date.parse(field('notBefore')) + Date.parse(field('notAfter'))) / 2000);
    selfSigned = spawnSync('openssl', ['verify', '-check_ss_sig', '-no-CApath', '-CAfile', file, '-attime', String(mid), file]).status === 0;
  }
  const bits = line(/Public-Key: \((\d+) bit\)/);
  const exponent = line(/Exponent: (\d+)/);
  const curve = line(/ASN1 OID: (\S+)/);
  return {
    sha256: field('sha256 Fingerprint').replace(/:/g, ''),
    serial: field('serial'),
    notBefore: isoOf(field('notBefore')),
    notAfter: isoOf(field('notAfter')),
    subject,
    issuer,
    subjectParts: nameParts(subjectLines),
    issuerParts: nameParts(issuerLines),
    version: line(/Version: (\d+)/)!,
    keyAlg: KEY_ALGORITHMS[line(/Public Key Algorithm: (\S+)/)!] ?? '?',
    keyBits: bits === undefined ? undefined : Number(bits),
    exponent: exponent === undefined ? undefined : Number(exponent),
    curve: curve === undefined ? undefined : (CURVE_NAMES[curve] ?? curve),
    sigAlg: line(/Signature Algorithm: (\S+)/)!,
    altNames,
    isCa: ext('X509v3 Basic Constraints')?.includes('CA:TRUE') ?? false,
    selfSigned,
  };
}

/** OpenSSL writes `emailAddress`; RFC 4514 descriptors are case-insensitive. */
const dnTypes = (s: string): string => s.replace(/(^|,|\+)([A-Za-z]+)=/g, (_m, sep: string, t: string) => `${sep}${t.toLowerCase()}=`);
const sorted = (a: string[]): string[] => [...a].sort();
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** What a certificate's key adds to both renderings; openssl prints no size for EdDSA keys (EVP_PKEY_get_bits gives 256). */
const keySize = (name: string, o: OpensslView): number | undefined => o.keyBits ?? (o.keyAlg === 'ed25519' ? 256 : undefined);

/** The fields the ECS x509 object and the certificates[] entry share, against openssl's view. */
function expectOpensslFields(got: Record<string, unknown>, name: string, o: OpensslView): void {
  expect(got.serial_number).toBe(o.serial);
  expect(got.not_before).toBe(o.notBefore);
  expect(got.not_after).toBe(o.notAfter);
  expect(got.public_key_algorithm).toBe(o.keyAlg);
  expect(got.public_key_size).toBe(keySize(name, o));
  expect(got.public_key_curve).toBe(o.curve);
  expect(got.signature_algorithm).toBe(o.sigAlg);
}

describe('toEcsX509 (tls.server.x509.*) against openssl x509', () => {
  for (const name of fixtures) {
    it(name, () => {
      const o = opensslView(name);
      const ecs = toEcsX509(parseCertificate(der(name)));
      const subject = ecs.subject as Record<string, unknown>;
      const issuer = ecs.issuer as Record<string, unknown>;
      // the contract's names
      expect(subject.common_name).toEqual(o.subjectParts.common_name);
      expect(issuer.common_name).toEqual(o.issuerParts.common_name);
      expectOpensslFields(ecs, name, o);
      if (o.altNames.length === 0) expect('alternative_names' in ecs).toBe(false);
      else expect(sorted((ecs.alternative_names as string[]).map(ipCanon))).toEqual(sorted(o.altNames));
      // the rest of the ECS x509 object
      for (const [part, want] of [
        [subject, o.subjectParts],
        [issuer, o.issuerParts],
      ] as const) {
        for (const f of Object.values(ECS_NAME_FIELDS)) expect([f, part[f]]).toEqual([f, want[f]]);
      }
      expect(dnTypes(subject.distinguished_name as string)).toBe(dnTypes(o.subject));
      expect(dnTypes(issuer.distinguished_name as string)).toBe(dnTypes(o.issuer));
      expect(ecs.version_number).toBe(o.version);
      expect(ecs.public_key_exponent).toBe(o.exponent);
      // ECS types: keyword strings, numbers for sizes, ISO dates; absent values left out, never null
      expect(ecs.not_before).toMatch(ISO_SECONDS);
      expect(ecs.not_after).toMatch(ISO_SECONDS);
      expect(typeof ecs.version_number).toBe('string');
      for (const [k, v] of Object.entries(ecs)) expect([k, v === null || v === undefined]).toEqual([k, false]);
      expect(JSON.parse(JSON.stringify(ecs))).toStrictEqual(ecs);
    });
  }
});

describe('toCertificateEntry (tlsscope.server.certificates[]) against openssl x509', () => {
  for (const name of fixtures) {
    it(name, () => {
      const o = opensslView(name);
      const e = toCertificateEntry(parseCertificate(der(name)));
      expect(e.sha256).toBe(o.sha256);
      expect(e.sha256).toBe(createHash('sha256').update(der(name)).digest('hex').toUpperCase());
      expect(dnTypes(e.subject as string)).toBe(dnTypes(o.subject));
      expect(dnTypes(e.issuer as string)).toBe(dnTypes(o.issuer));
      expectOpensslFields(e, name, o);
      // always present in the entry, [] when the certificate has none
      expect(sorted((e.alternative_names as string[]).map(ipCanon))).toEqual(sorted(o.altNames));
      expect(e.is_ca).toBe(o.isCa);
      expect(e.self_signed).toBe(o.selfSigned);
      for (const k of ['sha256', 'subject', 'issuer', 'serial_number', 'not_before', 'not_after', 'public_key_algorithm', 'signature_algorithm', 'alternative_names', 'is_ca', 'self_signed']) {
        expect([k, k in e]).toEqual([k, true]);
      }
      for (const [k, v] of Object.entries(e)) expect([k, v === null || v === undefined]).toEqual([k, false]);
      expect(JSON.parse(JSON.stringify(e))).toStrictEqual(e);
    });
  }

  it('the fixture set covers both answers of every boolean and every key type', () => {
    const entries = fixtures.map((n) => toCertificateEntry(parseCertificate(der(n))));
    expect(new Set(entries.map((e) => e.is_ca))).toEqual(new Set([true, false]));
    expect(new Set(entries.map((e) => e.self_signed))).toEqual(new Set([true, false]));
    expect(new Set(entries.map((e) => e.public_key_algorithm))).toEqual(new Set(['rsa', 'ec', 'dsa', 'ed25519']));
    expect(entries.filter((e) => (e.alternative_names as string[]).length === 0).length).toBeGreaterThan(0);
  });

  it('a self-issued certificate whose signature does not verify is not self_signed', () => {
    const bad = Uint8Array.from(der('self-signed'));
    bad[bad.length - 10] ^= 0x01;
    const e = toCertificateEntry(parseCertificate(bad));
    expect([e.subject, e.issuer, e.self_signed, e.self_issued]).toEqual(['CN=self.example.test', 'CN=self.example.test', false, true]);
  });
});

describe('malformed DER', () => {
  const good = der('leaf-rsa2048');
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['truncated certificate', good.subarray(0, good.length - 1)],
    ['only the first half', good.subarray(0, good.length >> 1)],
    ['garbage', Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff)],
    ['a SEQUENCE of integers', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02)],
    ['PEM text', new TextEncoder().encode(readFileSync(pemPath('leaf-rsa2048'), 'utf8'))],
  ];
  for (const [what, bytes] of cases) {
    it(`${what} → { sha256, parse_error } and an empty ECS object`, () => {
      const sha256 = createHash('sha256').update(bytes).digest('hex').toUpperCase();
      for (const info of [parseCertificate(bytes), new CertificateCache().get(bytes)]) {
        const e = toCertificateEntry(info);
        expect(Object.keys(e).sort()).toEqual(['parse_error', 'sha256']);
        expect(e.sha256).toBe(sha256);
        expect(e.parse_error).toMatch(/^[^\n]+$/);
        expect(toEcsX509(info)).toEqual({});
      }
    });
  }

  it('one byte off still parses: the failures above are about the bytes, not the helper', () => {
    const e = toCertificateEntry(parseCertificate(Uint8Array.from(good)));
    expect(e.parse_error).toBeUndefined();
    expect(e.subject).toBe('CN=www.example.test,O=tlsscope tests,C=XX');
  });
});
