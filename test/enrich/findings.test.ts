import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsOf, type FindingContext } from '../../src/enrich/findings.js';
import { DEFAULT_POLICY, parsePolicy } from '../../src/enrich/policy.js';
import { parseCertificate } from '../../src/enrich/x509/parse.js';
import type { X509Details } from '../../src/enrich/x509/types.js';
import type { TlsConnection } from '../../src/tls/connection.js';
import { isShared } from '../../src/util/shared-json.js';
import { repoRoot } from '../support/paths.js';

/**
 * The rules share their findings between connections (one frozen object per cause and
 * policy). These tests hold the sharing to what the rules would say of each connection alone:
 * day counts move on, places and sides stay apart, policies do not leak into each other.
 */

const fixtures = path.join(repoRoot, 'test/fixtures/x509');
function cert(name: string): X509Details {
  const pem = readFileSync(path.join(fixtures, `${name}.pem`), 'utf8');
  return parseCertificate(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')) as X509Details;
}
const DAY = 86_400_000;

/** A TLS 1.2 connection as far as the rules read it. */
function conn(over: Record<string, unknown> = {}): TlsConnection {
  return {
    serverHello: { selectedVersion: 0x0303, cipherSuite: 0xc02f, ext: { keyShareGroups: [], renegotiationInfo: true } },
    clientHello: { ext: { renegotiationInfo: true }, cipherSuites: [0xc02f] },
    tls13: false,
    resumed: false,
    established: true,
    ...over,
  } as unknown as TlsConnection;
}

function ctx(over: Partial<FindingContext> = {}): FindingContext {
  return {
    conn: conn(),
    subject: { serverIp: '192.0.2.1', serverPort: 443, sni: 'www.example.test' },
    atMs: Date.UTC(2025, 5, 1),
    serverCertificates: [],
    clientCertificates: [],
    mtls: { requested: false, presented: false, method: 'observed' },
    policy: DEFAULT_POLICY,
    ...over,
  };
}

const ids = (list: { id: string }[]) => list.map((f) => f.id);

describe('findingsOf: shared findings', () => {
  it('finds nothing in a sound connection, without a new list', () => {
    const a = findingsOf(ctx());
    expect(a).toEqual([]);
    expect(findingsOf(ctx())).toBe(a);
  });

  it('gives every connection with the same cause the same frozen, shared finding', () => {
    const weak = conn({ serverHello: { selectedVersion: 0x0301, cipherSuite: 0x000a, ext: { keyShareGroups: [], renegotiationInfo: true } } });
    const a = findingsOf(ctx({ conn: weak }));
    const b = findingsOf(ctx({ conn: weak, subject: { serverIp: '192.0.2.9', serverPort: 8443 } }));
    expect(ids(a)).toEqual(['deprecated_protocol', 'weak_cipher', 'no_forward_secrecy']);
    expect(a[1].message).toBe('negotiated TLS_RSA_WITH_3DES_EDE_CBC_SHA: 3DES (64-bit block, SWEET32)');
    expect(a).not.toBe(b); // each connection owns its list
    for (let i = 0; i < a.length; i++) {
      expect(b[i]).toBe(a[i]);
      expect(Object.isFrozen(a[i])).toBe(true);
      expect(isShared(a[i])).toBe(true);
    }
  });

  it('tells TLS 1.3 resumption with psk_ke from psk_dhe_ke and from a full handshake, suite by suite', () => {
    const tls13 = (resumed: boolean, keyShareGroups: number[]) =>
      conn({ tls13: true, resumed, serverHello: { selectedVersion: 0x0304, cipherSuite: 0x1301, ext: { keyShareGroups, renegotiationInfo: false } } });
    expect(ids(findingsOf(ctx({ conn: tls13(true, []) })))).toEqual(['no_forward_secrecy']);
    expect(findingsOf(ctx({ conn: tls13(true, [29]) }))).toEqual([]);
    expect(findingsOf(ctx({ conn: tls13(false, []) }))).toEqual([]);
    expect(ids(findingsOf(ctx({ conn: tls13(true, []) })))).toEqual(['no_forward_secrecy']);
    // TLS 1.2 with the same rules: RSA key exchange has no forward secrecy, ECDHE has
    const tls12 = (suite: number) => conn({ serverHello: { selectedVersion: 0x0303, cipherSuite: suite, ext: { keyShareGroups: [], renegotiationInfo: true } } });
    expect(ids(findingsOf(ctx({ conn: tls12(0x009c) })))).toEqual(['no_forward_secrecy']);
    expect(findingsOf(ctx({ conn: tls12(0xc02f) }))).toEqual([]);
  });

  it('keeps places and sides apart: the same weak certificate as #0 and #1, server and client', () => {
    const md5 = cert('leaf-md5');
    const f = findingsOf(ctx({ serverCertificates: [md5, md5], clientCertificates: [md5] })).filter((x) => x.id === 'weak_signature');
    expect(f.map((x) => x.message.slice(0, 21))).toEqual(['server certificate #0', 'server certificate #1', 'client certificate #0']);
    expect(f.map((x) => [x.certificate!.side, x.certificate!.position])).toEqual([['server', 0], ['server', 1], ['client', 0]]);
    // and again: the very same objects, in the same places
    const again = findingsOf(ctx({ serverCertificates: [md5, md5], clientCertificates: [md5] })).filter((x) => x.id === 'weak_signature');
    again.forEach((x, i) => expect(x).toBe(f[i]));
  });

  it('counts days as each connection would: shared within a day, a new message the next day', () => {
    const leaf = cert('leaf-rsa2048');
    const at = (ms: number) => findingsOf(ctx({ serverCertificates: [leaf], atMs: ms })).find((x) => x.id === 'expiring_soon' || x.id === 'expired');
    const tenDaysLeft = leaf.not_after_ms - 10 * DAY;
    const a = at(tenDaysLeft)!;
    expect(a.message).toMatch(/, in 10 days$/);
    expect(at(tenDaysLeft)).toBe(a);
    expect(at(tenDaysLeft + 1)!.message).toMatch(/, in 9 days$/);
    expect(at(tenDaysLeft)!.message).toMatch(/, in 10 days$/); // back again: still right
    expect(at(leaf.not_after_ms + 1)!.message).toMatch(/\(0 days before the handshake\)$/);
    expect(at(leaf.not_after_ms + 3 * DAY + 5)!.message).toMatch(/\(3 days before the handshake\)$/);
    expect(at(leaf.not_after_ms - 31 * DAY)).toBeUndefined();
  });

  it('judges each connection by its own policy: re-graded and disabled ids do not leak between policies', () => {
    const weak = conn({ serverHello: { selectedVersion: 0x0301, cipherSuite: 0xc02f, ext: { keyShareGroups: [], renegotiationInfo: true } } });
    const strict = parsePolicy('findings:\n  severity:\n    deprecated_protocol: critical\n');
    const quiet = parsePolicy('findings:\n  disable: [deprecated_protocol]\n');
    expect(findingsOf(ctx({ conn: weak })).map((f) => f.severity)).toEqual(['medium']);
    expect(findingsOf(ctx({ conn: weak, policy: strict })).map((f) => f.severity)).toEqual(['critical']);
    expect(findingsOf(ctx({ conn: weak, policy: quiet }))).toEqual([]);
    expect(findingsOf(ctx({ conn: weak })).map((f) => f.severity)).toEqual(['medium']);
  });

  it('applies allow-lists per connection, though the finding is shared', () => {
    const policy = parsePolicy('allow:\n  - finding: self_signed\n    cidrs: ["192.0.2.0/28"]\n');
    const self = cert('self-signed');
    const at = (ip: string) => ids(findingsOf(ctx({ policy, serverCertificates: [self], subject: { serverIp: ip, serverPort: 443 } })));
    expect(at('192.0.2.1')).not.toContain('self_signed');
    expect(at('192.0.2.200')).toContain('self_signed');
  });

  it('names the chain of each validation outcome, and the alert and its sender of each failure', () => {
    const self = cert('self-signed');
    const leaf = cert('leaf-rsa2048');
    const v = { trusted: false, reason: 'unknown_issuer' };
    const a = findingsOf(ctx({ serverCertificates: [leaf], validation: v })).find((f) => f.id === 'untrusted_chain')!;
    const b = findingsOf(ctx({ serverCertificates: [self], validation: v })).find((f) => f.id === 'untrusted_chain')!;
    expect(a.certificate!.sha256).toBe(leaf.sha256);
    expect(b.certificate!.sha256).toBe(self.sha256);
    const failed = (description: number, from: 'C' | 'S') => findingsOf(ctx({ conn: conn({ established: false, fatalAlert: { description, from } }) }))[0];
    expect(failed(48, 'C').message).toBe('handshake ended by a fatal unknown_ca alert from the client');
    expect(failed(48, 'S').message).toBe('handshake ended by a fatal unknown_ca alert from the server');
    expect(failed(40, 'S').severity).toBe('low');
    expect(failed(48, 'S').severity).toBe('medium');
  });
});
