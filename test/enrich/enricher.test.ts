import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENRICH_OPTIONS, Enricher } from '../../src/enrich/enricher.js';
import { CertificateInventory } from '../../src/enrich/inventory.js';
import { parseCertificate } from '../../src/enrich/x509/parse.js';
import type { X509Details } from '../../src/enrich/x509/types.js';
import { parseCertificateMsg } from '../../parsers/tls/certificate-msg.js';
import type { TlsConnection } from '../../src/tls/connection.js';
import { repoRoot } from '../support/paths.js';

const fixtures = path.join(repoRoot, 'test/fixtures/x509');
function der(name: string): Uint8Array {
  const pem = readFileSync(path.join(fixtures, `${name}.pem`), 'utf8');
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
const details = (name: string) => parseCertificate(der(name)) as X509Details;
const DAY = 86_400_000;

describe('certificate inventory', () => {
  it('reports a certificate the first time, not again within the interval, again after it (packet time)', () => {
    const inv = new CertificateInventory({ maxCertificates: 10, reemitAfterSec: 3600, maxServerNames: 10 });
    const t0 = Date.UTC(2024, 0, 1);
    expect(inv.shouldReport('AA', t0)).toBe(true);
    expect(inv.shouldReport('AA', t0 + 1000)).toBe(false);
    expect(inv.shouldReport('BB', t0 + 1000)).toBe(true);
    expect(inv.shouldReport('AA', t0 + 3599_000)).toBe(false);
    expect(inv.shouldReport('AA', t0 + 3600_000)).toBe(true);
    expect(inv.shouldReport('AA', t0 + 3601_000)).toBe(false);
    expect(inv.reported).toBe(3);
  });

  it('stays bounded: beyond its capacity the least recently seen certificate is forgotten and reported again', () => {
    const inv = new CertificateInventory({ maxCertificates: 3, reemitAfterSec: 86_400, maxServerNames: 3 });
    const t = Date.UTC(2024, 0, 1);
    for (const s of ['A', 'B', 'C']) expect(inv.shouldReport(s, t)).toBe(true);
    expect(inv.shouldReport('A', t)).toBe(false); // A is now the most recent
    expect(inv.shouldReport('D', t)).toBe(true); // evicts B
    expect(inv.shouldReport('C', t)).toBe(false);
    expect(inv.shouldReport('B', t)).toBe(true);
  });

  it('flags a renewal that kept the key, not one with a new key, nor an older certificate seen late', () => {
    const inv = new CertificateInventory({ maxCertificates: 10, reemitAfterSec: 60, maxServerNames: 10 });
    const old = details('leaf-rsa2048');
    const renewed: X509Details = { ...old, sha256: 'F'.repeat(64), not_before_ms: old.not_before_ms + 365 * DAY, not_before: '2021-01-01T00:00:00Z' };
    const rekeyed: X509Details = { ...renewed, sha256: 'E'.repeat(64), spki_sha256: '0'.repeat(64), not_before_ms: renewed.not_before_ms + DAY };
    expect(inv.noteServerLeaf('www.example.test', old)).toBeUndefined();
    expect(inv.noteServerLeaf('www.example.test', old)).toBeUndefined(); // the same certificate again
    const reuse = inv.noteServerLeaf('www.example.test', renewed);
    expect(reuse).toEqual({ name: 'www.example.test', previousSha256: old.sha256, previousNotBefore: old.not_before, spkiSha256: old.spki_sha256 });
    expect(inv.noteServerLeaf('www.example.test', rekeyed)).toBeUndefined();
    // The old certificate turning up again (a stale server in a pool) is not a renewal.
    expect(inv.noteServerLeaf('www.example.test', old)).toBeUndefined();
    // Another name's first certificate with the same key is not a renewal either.
    expect(inv.noteServerLeaf('other.example.test', renewed)).toBeUndefined();
  });
});

describe('Enricher chain validation', () => {
  const caFile = path.join(fixtures, 'root-ca.pem');
  const enricher = new Enricher({ ...DEFAULT_ENRICH_OPTIONS, caFiles: [caFile], noSystemRoots: true });
  const chain = [der('leaf-rsa2048'), der('int-ca')];
  const views = chain.map((d) => enricher.view(d));

  it('judges the same chain at packet time: trusted inside every validity period, expired after it', () => {
    const inside = Date.UTC(2025, 5, 1);
    expect(enricher.validate(chain, views, inside, 'server')).toMatchObject({ trusted: true });
    const hits = enricher.validationHits;
    expect(enricher.validate(chain, views, inside + DAY, 'server')).toMatchObject({ trusted: true });
    expect(enricher.validationHits).toBe(hits + 1); // reused: nothing can have changed
    const after = Date.UTC(2031, 0, 1);
    expect(enricher.validate(chain, views, after, 'server')).toMatchObject({ trusted: false, reason: 'expired' });
    // an expired chain stays expired: its answer is reused later on
    const hitsAfter = enricher.validationHits;
    expect(enricher.validate(chain, views, after + 30 * DAY, 'server')).toMatchObject({ trusted: false, reason: 'expired' });
    expect(enricher.validationHits).toBe(hitsAfter + 1);
    const before = Date.UTC(2019, 0, 1);
    expect(enricher.validate(chain, views, before, 'server')).toMatchObject({ trusted: false, reason: 'not_yet_valid' });
    // And back inside: still trusted (an answer is only reused between the same validity boundaries).
    expect(enricher.validate(chain, views, inside, 'server')).toMatchObject({ trusted: true });
  });

  it('does not let a chain seen earlier complete one that lacks its intermediate', () => {
    const leafOnly = [der('leaf-rsa2048')];
    const r = enricher.validate(leafOnly, leafOnly.map((d) => enricher.view(d)), Date.UTC(2025, 5, 1), 'server');
    expect(r).toMatchObject({ trusted: false, reason: 'unknown_issuer' });
  });

  it('renders each distinct certificate once and shares it between events', () => {
    const a = enricher.view(der('leaf-p256'));
    const b = enricher.view(Uint8Array.from(der('leaf-p256')));
    expect(b).toBe(a);
    expect(Object.isFrozen(a.entry)).toBe(true);
    expect(a.entry).toMatchObject({ public_key_algorithm: 'ec', public_key_curve: 'secp256r1', public_key_size: 256 });
  });
});

describe('Enricher chain verdicts', () => {
  const caFile = path.join(fixtures, 'root-ca.pem');
  const when = Date.UTC(2025, 5, 1);
  const where = (sni?: string, atMs = when) => ({ serverIp: '192.0.2.1', serverPort: 443, sni, atMs });

  /** The certificates of a TLS 1.2 Certificate message built from `ders`, as the connection parses them (views of one copy). */
  function sent(ders: Uint8Array[]): Uint8Array[] {
    const body = Buffer.concat(ders.map((d) => Buffer.concat([Buffer.from([d.length >> 16, (d.length >> 8) & 0xff, d.length & 0xff]), d])));
    const msg = Buffer.concat([Buffer.from([body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
    const m = parseCertificateMsg(msg, 0, msg.length, false);
    if (!m.ok) throw new Error(m.error);
    return m.value.certificates;
  }
  const conn = (serverCertificates: Uint8Array[]) =>
    ({
      serverHello: { selectedVersion: 0x0303, cipherSuite: 0xc02f, ext: { keyShareGroups: [], renegotiationInfo: true } },
      clientHello: { ext: { renegotiationInfo: true, serverNames: [] }, cipherSuites: [0xc02f] },
      tls13: false,
      resumed: false,
      established: true,
      abbreviated: false,
      history: 'CScnkfF',
      clientKeyExchange: {},
      serverCertificates,
      anomalies: [],
    }) as unknown as TlsConnection;

  it('shares one verdict between connections that send the same chain, and judges each by its own SNI and time', () => {
    const enricher = new Enricher({ ...DEFAULT_ENRICH_OPTIONS, caFiles: [caFile], noSystemRoots: true });
    const chain = [der('leaf-rsa2048'), der('int-ca')];
    const a = enricher.enrich(conn(sent(chain)), where('www.example.test'));
    const hits = enricher.chainHits;
    const cacheHits = enricher.cache.hits;
    const b = enricher.enrich(conn(sent(chain)), where('other.invalid'));
    expect(enricher.chainHits).toBe(hits + 1);
    expect(enricher.cache.hits).toBe(cacheHits + 2); // both certificates count as served from memory
    expect(b.serverEntries).toBe(a.serverEntries);
    expect(b.server).toBe(a.server);
    expect(a.serverValidation).toMatchObject({ trusted: true });
    expect(b.serverValidation).toBe(a.serverValidation);
    expect(b.hostnameMatches).toBe(false);
    expect(b.findings.map((f) => f.id)).toContain('hostname_mismatch');
    expect(a.findings.map((f) => f.id)).not.toContain('hostname_mismatch');
    // the same chain after its leaf expired: the shared verdict is judged anew
    const later = enricher.enrich(conn(sent(chain)), where('www.example.test', Date.UTC(2031, 0, 1)));
    expect(later.serverValidation).toMatchObject({ trusted: false, reason: 'expired' });
    expect(later.findings.map((f) => f.id)).toContain('expired');
    expect(enricher.enrich(conn(sent(chain)), where('www.example.test')).serverValidation).toMatchObject({ trusted: true });
  });

  it('keeps chains apart that share a leaf, or differ in one octet', () => {
    const enricher = new Enricher({ ...DEFAULT_ENRICH_OPTIONS, caFiles: [caFile], noSystemRoots: true });
    const full = enricher.enrich(conn(sent([der('leaf-rsa2048'), der('int-ca')])), where());
    const alone = enricher.enrich(conn(sent([der('leaf-rsa2048')])), where());
    expect(full.serverValidation).toMatchObject({ trusted: true });
    expect(alone.serverValidation).toMatchObject({ trusted: false, reason: 'unknown_issuer' });
    // the intermediate with one octet of its signature changed: same length, same leaf, no longer the same chain
    const forged = Uint8Array.from(der('int-ca'));
    forged[forged.length - 1] ^= 1;
    const bad = enricher.enrich(conn(sent([der('leaf-rsa2048'), forged])), where());
    expect(bad.server[1].info.sha256).not.toBe(full.server[1].info.sha256);
    expect(bad.serverValidation?.trusted).toBe(false);
    expect(enricher.enrich(conn(sent([der('leaf-rsa2048'), der('int-ca')])), where()).serverValidation).toBe(full.serverValidation);
  });

  it('reports each certificate to the inventory as asking for each would: first sighting, again when due, not between', () => {
    const enricher = new Enricher({ ...DEFAULT_ENRICH_OPTIONS, caFiles: [caFile], noSystemRoots: true, inventory: { maxCertificates: 100, reemitAfterSec: 3600, maxServerNames: 100 } });
    const a = [der('leaf-rsa2048'), der('int-ca')];
    const b = [der('leaf-p256'), der('int-ca')];
    const t0 = when;
    const reported = (chain: Uint8Array[], at: number) => enricher.enrich(conn(sent(chain)), where('www.example.test', at)).newCertificates.map((c) => `${c.side}${c.position}`);
    expect(reported(a, t0)).toEqual(['server0', 'server1']);
    expect(reported(a, t0 + 1000)).toEqual([]);
    expect(reported(b, t0 + 1800_000)).toEqual(['server0']); // the intermediate is not due yet
    expect(reported(a, t0 + 3599_000)).toEqual([]);
    expect(reported(a, t0 + 3600_000)).toEqual(['server0', 'server1']);
    expect(reported(b, t0 + 3700_000)).toEqual([]); // its intermediate was just reported again
    expect(reported(a, t0 + 3601_000)).toEqual([]);
    // a packet time before the last report (another capture replayed after this one): reported again
    expect(reported(a, t0 - 10_000)).toEqual(['server0', 'server1']);
  });
});
