import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/enrich/x509/parse.js';
import { NodeCertificate } from '../../src/enrich/x509/signature.js';
import { isParsed } from '../../src/enrich/x509/types.js';
import { repoRoot } from '../support/paths.js';

/**
 * NodeCertificate checks common signatures over the signed bytes itself (no X509Certificate).
 * Its verdicts must be OpenSSL's certificate verdicts, pair by pair.
 */

const fixtures = path.join(repoRoot, 'test/fixtures/x509');
const ders = readdirSync(fixtures)
  .filter((f) => f.endsWith('.pem'))
  .map((f) => {
    const pem = readFileSync(path.join(fixtures, f), 'utf8');
    return { name: f, der: Uint8Array.from(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')) };
  });

/** OpenSSL's own verdict, through X509Certificate alone. */
function openssl(child: Uint8Array, issuer: Uint8Array): 'valid' | 'invalid' | 'unsupported' {
  let key;
  try {
    key = new X509Certificate(issuer).publicKey;
  } catch {
    return 'unsupported';
  }
  try {
    return new X509Certificate(child).verify(key) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

describe('NodeCertificate signature checks', () => {
  it('agree with OpenSSL on every pair of the fixture certificates (issuer by issuer)', () => {
    let valid = 0;
    let checked = 0;
    for (const c of ders) {
      const info = parseCertificate(c.der);
      if (!isParsed(info)) continue;
      for (const i of ders) {
        const v = new NodeCertificate(c.der).verifiedBy(new NodeCertificate(i.der), info.signature_oid);
        if (v === 'unsupported') continue;
        checked++;
        expect(v, `${c.name} by ${i.name}`).toBe(openssl(c.der, i.der));
        if (v === 'valid') valid++;
      }
    }
    expect(checked).toBeGreaterThan(400);
    expect(valid).toBeGreaterThan(10); // the real issuers, RSA, ECDSA and Ed25519 among them
  });

  it('refuses a changed signature, and a certificate whose inner and outer algorithms differ', () => {
    const leaf = ders.find((d) => d.name === 'leaf-rsa2048.pem')!.der;
    const oid = (parseCertificate(leaf) as { signature_oid: string }).signature_oid;
    const issuer = ders.find((d) => d.name === 'int-ca.pem')!.der;
    expect(new NodeCertificate(leaf).verifiedBy(new NodeCertificate(issuer), oid)).toBe('valid');
    const tampered = Uint8Array.from(leaf);
    tampered[tampered.length - 5] ^= 0x40;
    expect(new NodeCertificate(tampered).verifiedBy(new NodeCertificate(issuer), oid)).toBe('invalid');
    expect(openssl(tampered, issuer)).toBe('invalid');
    // ecdsa-with-SHA384 outside, ecdsa-with-SHA256 inside (the last arc of the OID's first
    // occurrence: the TBS's own algorithm identifier)
    const swapped = Uint8Array.from(leaf);
    const ecdsaSha384 = Buffer.from('06082a8648ce3d040303', 'hex');
    const at = Buffer.from(swapped).indexOf(ecdsaSha384);
    expect(at).toBeGreaterThan(0);
    expect(Buffer.from(swapped).lastIndexOf(ecdsaSha384)).toBeGreaterThan(at);
    swapped[at + ecdsaSha384.length - 1] = 0x02;
    expect(new NodeCertificate(swapped).verifiedBy(new NodeCertificate(issuer), oid)).toBe(openssl(swapped, issuer));
    expect(new NodeCertificate(swapped).verifiedBy(new NodeCertificate(issuer), oid)).toBe('invalid');
  });
});
