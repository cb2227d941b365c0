import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateCache } from '../../src/enrich/x509/cache.js';
import { children, readTlv, TAG } from '../../src/enrich/x509/der.js';
import { parseCertificate } from '../../src/enrich/x509/parse.js';
import { isParsed } from '../../src/enrich/x509/types.js';
import { ChainValidator, TrustStore, TrustStoreError, type ValidationReason, type ValidationResult } from '../../src/enrich/x509/validate.js';
import { traceChains, zeekDir, zeekTraceFiles, type TraceChain } from '../fixtures/x509/corpus.js';
import { repoRoot } from '../support/paths.js';

/**
 * ChainValidator and TrustStore on the fixture hierarchy (root-ca → int-ca (pathlen:0) →
 * leaves; see test/fixtures/x509/generate.sh) and on real chains of the Zeek corpus. Every
 * trusted / untrusted verdict is checked against `openssl verify` on the same chain, the same
 * anchors and the same time.
 */

const FIXTURES = path.join(repoRoot, 'test/fixtures/x509');
const pemPath = (name: string): string => path.join(FIXTURES, `${name}.pem`);
const pemToDer = (pem: string): Uint8Array => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
const der = (name: string): Uint8Array => pemToDer(readFileSync(pemPath(name), 'utf8'));
const sha = (d: Uint8Array): string => createHash('sha256').update(d).digest('hex').toUpperCase();
const shaOf = (name: string): string => sha(der(name));
const toPem = (d: Uint8Array): string =>
  ['-----BEGIN CERTIFICATE-----', ...(Buffer.from(d).toString('base64').match(/.{1,64}/g) ?? []), '-----END CERTIFICATE-----', ''].join('\n');

const AT = new Date('2025-01-01T00:00:00Z');

let tmp: string;
/** Node's bundled roots, as an `openssl rehash`ed directory for `openssl verify -CApath`. */
let nodeRootsDir: string;
/** Node's bundled roots plus root-ca, likewise. */
let nodeRootsPlusCaDir: string;

/** A hashed CA directory (loads only the roots a chain names: 6 ms a verify instead of 30). */
function caDir(name: string, pems: string[]): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  pems.forEach((p, i) => writeFileSync(path.join(dir, `ca${i}.pem`), p.trim() + '\n'));
  const r = spawnSync('openssl', ['rehash', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl rehash: ${r.stderr}`);
  return dir;
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'tlsscope-x509-validate-'));
  nodeRootsDir = caDir('node-roots', [...rootCertificates]);
  nodeRootsPlusCaDir = caDir('node-roots-plus-ca', [...rootCertificates, readFileSync(pemPath('root-ca'), 'utf8')]);
});

let systemStore: TrustStore | undefined;
/** Node's bundled roots; one store for the whole file (it only holds anchors, nothing per connection). */
const system = (): TrustStore => (systemStore ??= TrustStore.system());

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

let seq = 0;

/**
 * `openssl verify` on a chain as sent (leaf first, the rest as untrusted candidates), with
 * `anchors` (a PEM file or a hashed directory) as the only trust anchors, at `at`.
 */
function opensslTrusts(chain: readonly Uint8Array[], anchors: string, at: Date, purpose?: 'server' | 'client'): { ok: boolean; out: string } {
  const dir = path.join(tmp, `v${seq++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'leaf.pem'), toPem(chain[0]));
  const store = statSync(anchors).isDirectory() ? ['-no-CAfile', '-CApath', anchors] : ['-no-CApath', '-CAfile', anchors];
  const args = ['verify', ...store, '-attime', String(Math.floor(at.getTime() / 1000))];
  if (purpose) args.push('-purpose', purpose === 'server' ? 'sslserver' : 'sslclient');
  if (chain.length > 1) {
    writeFileSync(path.join(dir, 'untrusted.pem'), chain.slice(1).map(toPem).join(''));
    args.push('-untrusted', path.join(dir, 'untrusted.pem'));
  }
  args.push(path.join(dir, 'leaf.pem'));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  const out = `${r.stdout}${r.stderr}`.trim();
  // A "no" must be a verification verdict, never openssl failing to read its input.
  if (r.status !== 0 && !/error \d+ at \d+ depth lookup/.test(out)) throw new Error(`openssl verify did not judge the chain: ${out}`);
  return { ok: r.status === 0, out };
}

const rootOnly = (): TrustStore => TrustStore.fromFiles([pemPath('root-ca')], { system: false });

describe('ChainValidator on the fixture hierarchy, cross-checked with openssl verify', () => {
  interface Case {
    what: string;
    chain: string[];
    at?: Date;
    purpose?: 'server' | 'client';
    /** Trust anchors: root-ca alone (default), or Node's roots only. */
    anchors?: 'root-ca' | 'system';
    reason?: ValidationReason;
    /** The certificate the failure is about (fixture name). */
    failedAt?: string;
  }
  const cases: Case[] = [
    { what: 'RSA leaf under the EC intermediate', chain: ['leaf-rsa2048', 'int-ca'], purpose: 'server' },
    { what: 'EC P-256 leaf', chain: ['leaf-p256', 'int-ca'], purpose: 'server' },
    { what: 'EC P-521 leaf (sha512)', chain: ['leaf-p521', 'int-ca'], purpose: 'server' },
    { what: 'leaf without CN', chain: ['leaf-nocn', 'int-ca'], purpose: 'server' },
    { what: 'leaf with escaped / multi-valued / UTF-8 names', chain: ['leaf-names', 'int-ca'], purpose: 'server' },
    { what: 'leaf with IP SANs only', chain: ['leaf-ip', 'int-ca'], purpose: 'server' },
    { what: 'RSA 1024 leaf straight under the root', chain: ['leaf-rsa1024'] },
    { what: 'RSA 4096 leaf (sha512)', chain: ['leaf-rsa4096'] },
    { what: 'SHA-1 signed leaf', chain: ['leaf-sha1'] },
    { what: 'MD5 signed leaf', chain: ['leaf-md5'] },
    { what: 'RSASSA-PSS signed leaf', chain: ['leaf-pss'] },
    { what: 'the root itself (a trust anchor as leaf)', chain: ['root-ca'] },
    { what: 'chain with the root sent too', chain: ['leaf-rsa2048', 'int-ca', 'root-ca'], purpose: 'server' },
    { what: 'clientAuth-only leaf used as a client', chain: ['leaf-client', 'int-ca'], purpose: 'client' },
    { what: 'clientAuth-only leaf used as a server', chain: ['leaf-client', 'int-ca'], purpose: 'server', reason: 'wrong_usage', failedAt: 'leaf-client' },
    { what: 'expired leaf', chain: ['leaf-expired', 'int-ca'], reason: 'expired', failedAt: 'leaf-expired' },
    { what: 'expired leaf, while it was valid', chain: ['leaf-expired', 'int-ca'], at: new Date('2021-01-01T00:00:00Z') },
    { what: 'not yet valid leaf', chain: ['leaf-notyet', 'int-ca'], reason: 'not_yet_valid', failedAt: 'leaf-notyet' },
    { what: 'not yet valid leaf, once valid', chain: ['leaf-notyet', 'int-ca'], at: new Date('2035-06-01T00:00:00Z') },
    { what: 'in 2015, before the leaf and the intermediate', chain: ['leaf-rsa2048', 'int-ca'], at: new Date('2015-06-01T00:00:00Z'), reason: 'not_yet_valid', failedAt: 'leaf-rsa2048' },
    { what: 'intermediate missing', chain: ['leaf-rsa2048'], reason: 'unknown_issuer', failedAt: 'leaf-rsa2048' },
    { what: 'issuer named int-ca, signed by another key', chain: ['leaf-wrong-issuer', 'int-ca'], reason: 'bad_signature', failedAt: 'leaf-wrong-issuer' },
    { what: 'self-signed leaf', chain: ['self-signed'], reason: 'self_signed', failedAt: 'self-signed' },
    { what: 'self-signed Ed25519 leaf', chain: ['ed25519'], reason: 'self_signed', failedAt: 'ed25519' },
    { what: 'leaf issued by a leaf', chain: ['leaf-under-leaf', 'leaf-rsa2048', 'int-ca'], reason: 'not_a_ca', failedAt: 'leaf-rsa2048' },
    { what: "sub-CA below int-ca's pathlen:0", chain: ['leaf-deep', 'sub-int', 'int-ca'], reason: 'path_too_long', failedAt: 'int-ca' },
    { what: 'chain ending in a self-signed root that is not trusted', chain: ['leaf-rsa2048', 'int-ca', 'root-ca'], anchors: 'system', reason: 'untrusted_root', failedAt: 'root-ca' },
    { what: 'intermediate missing, Node roots only', chain: ['leaf-rsa2048'], anchors: 'system', reason: 'unknown_issuer', failedAt: 'leaf-rsa2048' },
    // order independence: whatever the order, repeats or strays, the same verdict
    { what: 'root before the intermediate', chain: ['leaf-rsa2048', 'root-ca', 'int-ca'], purpose: 'server' },
    { what: 'intermediate sent three times', chain: ['leaf-p256', 'int-ca', 'int-ca', 'int-ca'], purpose: 'server' },
    { what: 'unrelated certificates around the intermediate', chain: ['leaf-p256', 'self-signed', 'leaf-rsa2048', 'sub-int', 'int-ca', 'ed25519'], purpose: 'server' },
    { what: 'the leaf repeated after the intermediate', chain: ['leaf-p256', 'int-ca', 'leaf-p256'], purpose: 'server' },
    { what: 'pathlen violation with the chain reversed', chain: ['leaf-deep', 'root-ca', 'int-ca', 'sub-int'], reason: 'path_too_long', failedAt: 'int-ca' },
  ];

  let rootStore: TrustStore;
  beforeAll(() => {
    rootStore = rootOnly();
  });

  for (const c of cases) {
    it(`${c.what}: ${c.reason ?? 'trusted'}`, () => {
      const at = c.at ?? AT;
      const store = c.anchors === 'system' ? system() : rootStore;
      const chain = c.chain.map(der);
      const r = new ChainValidator(store).validate(chain, at, { purpose: c.purpose });
      expect({ trusted: r.trusted, reason: r.reason }).toEqual({ trusted: c.reason === undefined, reason: c.reason });
      if (c.failedAt) expect(r.failed_at).toBe(shaOf(c.failedAt));
      if (r.trusted) {
        expect(r.chain[0]).toBe(shaOf(c.chain[0]));
        expect(r.chain[r.chain.length - 1]).toBe(shaOf('root-ca'));
        expect(r.detail).toBeUndefined();
      } else {
        expect(r.detail).toMatch(/^[^\n]+$/);
      }
      const o = opensslTrusts(chain, c.anchors === 'system' ? nodeRootsDir : pemPath('root-ca'), at, c.purpose);
      expect({ openssl: o.ok, out: o.out }).toEqual({ openssl: r.trusted, out: expect.any(String) });
    });
  }

  it('reports the path it built, leaf first, anchor last', () => {
    const r = new ChainValidator(rootOnly()).validate(['leaf-rsa2048', 'root-ca', 'self-signed', 'int-ca'].map(der), AT);
    expect(r.chain).toEqual(['leaf-rsa2048', 'int-ca', 'root-ca'].map(shaOf));
    const deep = new ChainValidator(rootOnly()).validate(['leaf-deep', 'sub-int', 'int-ca'].map(der), AT);
    expect(deep.chain).toEqual(['leaf-deep', 'sub-int', 'int-ca', 'root-ca'].map(shaOf));
    expect(deep.detail).toContain('allows 0 intermediate(s) below it, path has 1');
  });

  it('says why nothing could be built: no certificates, an unparseable leaf', () => {
    const v = new ChainValidator(rootOnly());
    expect(v.validate([], AT)).toEqual({ trusted: false, reason: 'no_certificates', chain: [] });
    const junk = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01);
    const r = v.validate([junk, der('int-ca')], AT);
    expect([r.trusted, r.reason, r.failed_at]).toEqual([false, 'parse_error', sha(junk)]);
    // an unparseable extra is skipped, not fatal
    expect(v.validate([der('leaf-p256'), junk, der('int-ca')], AT).trusted).toBe(true);
  });
});

describe('validity at packet time', () => {
  const chain = (): Uint8Array[] => ['leaf-expired', 'int-ca'].map(der);
  const notAfter = Date.parse('2021-06-01T00:00:00Z');
  const notBefore = Date.parse('2020-01-01T00:00:00Z');

  it('trusts the same chain at one date and calls it expired at another', () => {
    const v = new ChainValidator(rootOnly());
    const then = new Date('2021-03-15T12:00:00Z');
    const later = new Date('2022-03-15T12:00:00Z');
    expect(v.validate(chain(), then).trusted).toBe(true);
    expect(v.validate(chain(), later).reason).toBe('expired');
    // and back: nothing about the first verdict sticks
    expect(v.validate(chain(), then).trusted).toBe(true);
    expect(opensslTrusts(chain(), pemPath('root-ca'), then).ok).toBe(true);
    expect(opensslTrusts(chain(), pemPath('root-ca'), later).ok).toBe(false);
  });

  it('counts notBefore and notAfter as inside the validity period (RFC 5280 §4.1.2.5)', () => {
    const v = new ChainValidator(rootOnly());
    const at = (ms: number): ValidationResult => v.validate(chain(), new Date(ms));
    expect(at(notBefore - 1000).reason).toBe('not_yet_valid');
    expect(at(notBefore).trusted).toBe(true);
    expect(at(notAfter).trusted).toBe(true);
    expect(at(notAfter + 1000).reason).toBe('expired');
    // OpenSSL counts the notAfter second itself as expired (X509_cmp_time); one second either
    // side it agrees.
    expect(opensslTrusts(chain(), pemPath('root-ca'), new Date(notAfter - 1000)).ok).toBe(true);
    expect(opensslTrusts(chain(), pemPath('root-ca'), new Date(notAfter + 1000)).ok).toBe(false);
  });
});

describe('TrustStore', () => {
  const chain = (): Uint8Array[] => ['leaf-rsa2048', 'int-ca'].map(der);

  it('fromFiles without system roots: exactly the bundle', () => {
    const s = rootOnly();
    expect(s.size).toBe(1);
    expect(new ChainValidator(s).validate(chain(), AT).trusted).toBe(true);
    // the anchor is what makes it: an empty store trusts nothing
    expect(new ChainValidator(new TrustStore()).validate(chain(), AT).reason).toBe('unknown_issuer');
  });

  it('addBundle: PEM bundles, single DER certificates, TRUSTED CERTIFICATE blocks', () => {
    const pem = new TrustStore();
    expect(pem.addBundle(readFileSync(pemPath('root-ca')), 'root-ca.pem')).toBe(1);
    expect(new ChainValidator(pem).validate(chain(), AT).trusted).toBe(true);

    const derStore = new TrustStore();
    expect(derStore.addBundle(der('root-ca'), 'root-ca.der')).toBe(1);
    expect(new ChainValidator(derStore).validate(chain(), AT).trusted).toBe(true);

    // several blocks, with text around them (as in distribution bundles)
    const bundle = `# two anchors\n${readFileSync(pemPath('self-signed'), 'utf8')}\nsome text\n${readFileSync(pemPath('root-ca'), 'utf8')}`;
    const two = new TrustStore();
    expect(two.addBundle(Buffer.from(bundle), 'bundle.pem')).toBe(2);
    expect(two.size).toBe(2);
    expect(new ChainValidator(two).validate(chain(), AT).trusted).toBe(true);
    expect(new ChainValidator(two).validate([der('self-signed')], AT).trusted).toBe(true);

    // OpenSSL's -trustout form: the certificate followed by trust settings
    const trusted = spawnSync('openssl', ['x509', '-in', pemPath('root-ca'), '-trustout', '-addtrust', 'serverAuth'], { encoding: 'utf8' }).stdout;
    expect(trusted).toContain('BEGIN TRUSTED CERTIFICATE');
    const t = new TrustStore();
    expect(t.addBundle(Buffer.from(trusted), 'trusted.pem')).toBe(1);
    expect(new ChainValidator(t).validate(chain(), AT).trusted).toBe(true);
  });

  it('system roots plus a CA file: both kinds of chain validate', () => {
    const s = TrustStore.fromFiles([pemPath('root-ca')]);
    expect(s.size).toBe(rootCertificates.length + 1);
    const v = new ChainValidator(s);
    const r = v.validate(chain(), AT, { purpose: 'server' });
    expect(r.trusted).toBe(true);
    expect(r.chain[2]).toBe(shaOf('root-ca'));
    expect(opensslTrusts(chain(), nodeRootsPlusCaDir, AT, 'server').ok).toBe(true);
    // the system roots alone do not know root-ca
    expect(new ChainValidator(system()).validate(chain(), AT).reason).toBe('unknown_issuer');
    expect(opensslTrusts(chain(), nodeRootsDir, AT, 'server').ok).toBe(false);
  });

  it('recognises a presented certificate that is itself an anchor', () => {
    const s = TrustStore.fromFiles([pemPath('self-signed'), pemPath('ed25519')], { system: false });
    const v = new ChainValidator(s);
    for (const name of ['self-signed', 'ed25519']) {
      const r = v.validate([der(name)], AT);
      expect([name, r.trusted, r.chain]).toEqual([name, true, [shaOf(name)]]);
      expect(opensslTrusts([der(name)], pemPath(name), AT).ok).toBe(true);
    }
    expect(v.validate([der('dsa')], AT).reason).toBe('self_signed');
  });

  describe('TrustStoreError: one line, naming the file', () => {
    const errorOf = (f: () => unknown): TrustStoreError => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(TrustStoreError);
        return err as TrustStoreError;
      }
      throw new Error('no error thrown');
    };
    const file = (name: string, content: string | Uint8Array): string => {
      const p = path.join(tmp, name);
      writeFileSync(p, content);
      return p;
    };
    const cases: [string, () => string, RegExp][] = [
      ['a missing file', () => path.join(tmp, 'no-such-bundle.pem'), /no such file$/],
      ['a directory', () => tmp, /is a directory$/],
      ['an empty file', () => file('empty.pem', ''), /empty file$/],
      ['bad base64', () => file('bad64.pem', '-----BEGIN CERTIFICATE-----\nMIIB$$not*base64!!\n-----END CERTIFICATE-----\n'), /certificate 1 \(line 1\): bad base64$/],
      [
        'a private key instead of a certificate',
        () => file('key.pem', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
        /no CERTIFICATE blocks in the PEM text$/,
      ],
      [
        'a CERTIFICATE block that is no certificate',
        () => file('notcert.pem', `\n\n-----BEGIN CERTIFICATE-----\n${Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]).toString('base64')}\n-----END CERTIFICATE-----\n`),
        /certificate 1 \(line 3\) is not a valid X\.509 certificate: \S.*$/,
      ],
      ['plain text', () => file('text.pem', 'hello\n'), /neither PEM nor a DER certificate$/],
    ];
    for (const [what, make, message] of cases) {
      it(what, () => {
        const p = make();
        const e = errorOf(() => TrustStore.fromFiles([pemPath('root-ca'), p], { system: false }));
        expect(e.message.startsWith(`CA bundle ${p}: `)).toBe(true);
        expect(e.message).toMatch(message);
        expect(e.message).not.toContain('\n');
      });
    }

    it('names the bad block of a bundle by number and line', () => {
      const good = readFileSync(pemPath('root-ca'), 'utf8');
      const lines = good.split('\n').length - 1;
      const p = file('second-bad.pem', `${good}-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n`);
      expect(errorOf(() => TrustStore.fromFiles([p], { system: false })).message).toBe(`CA bundle ${p}: certificate 2 (line ${lines + 1}): bad base64`);
    });
  });
});

describe('connections are judged on their own certificates (zeek/zeek#875)', () => {
  it('an intermediate from connection 1 does not complete connection 2', () => {
    const cache = new CertificateCache();
    const v = new ChainValidator(rootOnly(), { cache });
    expect(v.validate(['leaf-rsa2048', 'int-ca'].map(der), AT).trusted).toBe(true);
    const r = v.validate([der('leaf-p256')], AT);
    expect([r.trusted, r.reason, r.failed_at]).toEqual([false, 'unknown_issuer', shaOf('leaf-p256')]);
    // int-ca is in the shared parse cache all along, and completes the chain when it is sent
    expect(cache.bySha256(shaOf('int-ca'))).toBeDefined();
    expect(v.validate(['leaf-p256', 'int-ca'].map(der), AT).trusted).toBe(true);
    expect(v.validate([der('leaf-p256')], AT).reason).toBe('unknown_issuer');
  });

  it('missing-intermediate.pcap: the chain of connection 2 does not complete connections 1 and 3', async () => {
    const chains = await traceChains(path.join(zeekDir, 'traces/missing-intermediate.pcap'));
    expect(chains.map((c) => c.ders.length)).toEqual([1, 3, 1]);
    const [first, full, third] = chains;
    const leafIssuer = (c: TraceChain): string => {
      const i = parseCertificate(c.ders[0]);
      return isParsed(i) ? i.issuer.key : '';
    };
    // the lone leaves name the very intermediate connection 2 sends
    const fullInfo = full.ders.map((d) => parseCertificate(d));
    const sent = fullInfo.filter(isParsed).map((i) => i.subject.key);
    expect(sent).toContain(leafIssuer(first));
    expect(leafIssuer(third)).toBe(leafIssuer(first));

    const v = new ChainValidator(system(), { cache: new CertificateCache() });
    const verdicts = chains.map((c) => v.validate(c.ders, new Date(c.timeSec * 1000), { purpose: 'server' }));
    expect(verdicts.map((r) => r.reason ?? 'trusted')).toEqual(['unknown_issuer', 'trusted', 'unknown_issuer']);
    for (const [i, c] of chains.entries()) {
      expect(opensslTrusts(c.ders, nodeRootsDir, new Date(c.timeSec * 1000), 'server').ok).toBe(verdicts[i].trusted);
    }
  });
});

describe('signature verdict cache and work bounds', () => {
  it('checks each (child, issuer) signature once and counts the hits', () => {
    const v = new ChainValidator(rootOnly());
    v.validate(['leaf-rsa2048', 'int-ca'].map(der), AT);
    expect(v.stats).toEqual({ validations: 1, signatureChecks: 2, verdictHits: 0 });
    v.validate(['leaf-rsa2048', 'int-ca'].map(der), new Date('2029-01-01T00:00:00Z'));
    expect(v.stats).toEqual({ validations: 2, signatureChecks: 2, verdictHits: 2 });
    // a new leaf under the same intermediate: one new check, int-ca → root-ca from the cache
    v.validate(['leaf-p256', 'int-ca'].map(der), AT);
    expect(v.stats).toEqual({ validations: 3, signatureChecks: 3, verdictHits: 3 });
    // a failed verdict is remembered too
    v.validate(['leaf-wrong-issuer', 'int-ca'].map(der), AT);
    v.validate(['leaf-wrong-issuer', 'int-ca'].map(der), AT);
    expect(v.stats).toEqual({ validations: 5, signatureChecks: 4, verdictHits: 4 });
  });

  it('forgets verdicts beyond verdictCacheSize', () => {
    const v = new ChainValidator(rootOnly(), { verdictCacheSize: 1 });
    v.validate(['leaf-rsa2048', 'int-ca'].map(der), AT);
    v.validate(['leaf-rsa2048', 'int-ca'].map(der), AT);
    // the leaf → int-ca verdict was evicted by int-ca → root-ca, and so on
    expect(v.stats).toEqual({ validations: 2, signatureChecks: 4, verdictHits: 0 });
  });

  /**
   * Copies of int-ca with another serial: same name, same key (so the leaf verifies under each
   * of them), but root-ca's signature no longer covers them. Every copy costs two checks.
   */
  function impostors(n: number): Uint8Array[] {
    const base = der('int-ca');
    const cert = readTlv(base, 0);
    const tbs = readTlv(base, cert.content);
    const fields = children(base, tbs);
    const serial = fields[0].tag === 0xa0 ? fields[1] : fields[0];
    expect(serial.tag).toBe(TAG.INTEGER);
    expect(serial.end - serial.content).toBe(1);
    const out: Uint8Array[] = [];
    for (let i = 0; out.length < n; i++) {
      const copy = Uint8Array.from(base);
      copy[serial.content] = 0x10 + i;
      out.push(copy);
    }
    return out;
  }

  it('gives up after maxSignatureChecks on a chain of many same-named candidates', () => {
    const chain = [der('leaf-rsa2048'), ...impostors(100), der('int-ca')];
    const bounded = new ChainValidator(rootOnly());
    const r = bounded.validate(chain, AT);
    expect([r.trusted, r.reason]).toEqual([false, 'path_too_long']);
    expect(r.detail).toBe('gave up after 64 signature checks');
    expect(bounded.stats.signatureChecks).toBeLessThanOrEqual(64);
    expect(bounded.stats.signatureChecks).toBeGreaterThan(32);
    // the same chain with a bound large enough finds the genuine intermediate at the end
    const patient = new ChainValidator(rootOnly(), { maxSignatureChecks: 1000 });
    const ok = patient.validate(chain, AT);
    expect(ok.trusted).toBe(true);
    expect(ok.chain).toEqual(['leaf-rsa2048', 'int-ca', 'root-ca'].map(shaOf));
    expect(patient.stats.signatureChecks).toBe(2 * 100 + 2);
    // a smaller bound stops sooner
    const tight = new ChainValidator(rootOnly(), { maxSignatureChecks: 5 });
    expect(tight.validate(chain, AT).detail).toBe('gave up after 5 signature checks');
    expect(tight.stats.signatureChecks).toBe(5);
    // (openssl verify is no oracle here: it takes the first same-named candidate whose key
    // identifier matches and does not backtrack, so it rejects this chain at any bound.)
    expect(opensslTrusts(chain, pemPath('root-ca'), AT).out).toMatch(/certificate signature failure/);
  });

  it('without the genuine intermediate, every impostor fails on its signature', () => {
    const v = new ChainValidator(rootOnly());
    const r = v.validate([der('leaf-rsa2048'), ...impostors(3)], AT);
    expect([r.trusted, r.reason]).toEqual([false, 'bad_signature']);
    expect(v.stats.signatureChecks).toBe(6);
  });

  it('stops at maxDepth', () => {
    const r = new ChainValidator(rootOnly(), { maxDepth: 2 }).validate(['leaf-rsa2048', 'int-ca'].map(der), AT);
    expect([r.trusted, r.reason]).toEqual([false, 'path_too_long']);
    expect(new ChainValidator(rootOnly(), { maxDepth: 3 }).validate(['leaf-rsa2048', 'int-ca'].map(der), AT).trusted).toBe(true);
  });
});

describe('real chains against Node’s bundled roots', () => {
  let chains: TraceChain[] = [];
  beforeAll(async () => {
    for (const f of zeekTraceFiles()) chains.push(...(await traceChains(f)));
  });

  it('www.heise.de (tls-1.2-stream-keylog) validates at its capture time, and expires later', () => {
    const c = chains.find((x) => x.trace === 'tls-1.2-stream-keylog' && x.side === 'server');
    expect(c).toBeDefined();
    const at = new Date(c!.timeSec * 1000);
    const v = new ChainValidator(system());
    const r = v.validate(c!.ders, at, { purpose: 'server' });
    expect(r).toMatchObject({ trusted: true });
    expect(r.chain).toHaveLength(3);
    expect(r.chain.slice(0, 2)).toEqual(c!.ders.map(sha));
    // the anchor is one of Node's roots (it was not sent)
    const nodeRoots = new Set(rootCertificates.map((p) => sha(pemToDer(p))));
    expect(nodeRoots.has(r.chain[2])).toBe(true);
    expect(opensslTrusts(c!.ders, nodeRootsDir, at, 'server').ok).toBe(true);
    // the leaf ran out in June 2022
    const later = new Date('2023-01-01T00:00:00Z');
    expect(v.validate(c!.ders, later).reason).toBe('expired');
    expect(opensslTrusts(c!.ders, nodeRootsDir, later, 'server').ok).toBe(false);
    // and without the system roots nothing anchors it
    expect(new ChainValidator(rootOnly()).validate(c!.ders, at).trusted).toBe(false);
  });

  it('agrees with openssl verify on every chain of the Zeek corpus, at capture time', () => {
    const v = new ChainValidator(system(), { cache: new CertificateCache() });
    const rows: string[] = [];
    let trusted = 0;
    for (const c of chains) {
      const at = new Date(c.timeSec * 1000);
      const r = v.validate(c.ders, at, { purpose: c.side });
      const o = opensslTrusts(c.ders, nodeRootsDir, at, c.side);
      if (r.trusted) trusted++;
      if (o.ok !== r.trusted) rows.push(`${c.trace} ${c.side}: ours ${r.trusted} ${r.reason ?? ''} ${r.detail ?? ''}; openssl ${o.out.split('\n').slice(0, 2).join(' | ')}`);
    }
    expect(rows).toEqual([]);
    expect(chains.length).toBeGreaterThan(40);
    // both verdicts occur: the corpus is not all one or the other
    expect(trusted).toBeGreaterThanOrEqual(5);
    expect(chains.length - trusted).toBeGreaterThanOrEqual(30);
  });
});
