import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAllowed, mtlsServiceFor, parsePolicy, PolicyError } from '../../src/enrich/policy.js';
import { repoRoot } from '../support/paths.js';

const example = readFileSync(path.join(repoRoot, 'docs/policy.example.yaml'), 'utf8');

describe('policy file', () => {
  it('reads the shipped example', () => {
    const p = parsePolicy(example, 'policy.example.yaml');
    expect(p.expiringSoonDays).toBe(30);
    expect(p.requireMtls.map((m) => m.name)).toEqual(['payments-api', 'internal-grpc']);
    expect([...p.disabled]).toEqual(['no_forward_secrecy']);
    expect(p.severity.get('self_signed')).toBe('low');
    expect(p.allow).toHaveLength(3);
  });

  it('matches mTLS services by CIDR and port together, or by SNI glob', () => {
    const p = parsePolicy(example);
    expect(mtlsServiceFor(p, { serverIp: '10.20.5.6', serverPort: 8443 })?.name).toBe('payments-api');
    expect(mtlsServiceFor(p, { serverIp: '10.20.5.6', serverPort: 443 })).toBeUndefined();
    expect(mtlsServiceFor(p, { serverIp: '2001:db8:20::7', serverPort: 8443 })?.name).toBe('payments-api');
    expect(mtlsServiceFor(p, { serverIp: '192.0.2.1', serverPort: 443, sni: 'billing.grpc.corp.example' })?.name).toBe('internal-grpc');
    expect(mtlsServiceFor(p, { serverIp: '192.0.2.1', serverPort: 443, sni: 'grpc.corp.example.evil' })).toBeUndefined();
  });

  it('exempts findings by host, by issuer glob, and all findings by SNI', () => {
    const p = parsePolicy(example);
    const legacy = { serverIp: '10.1.2.3', serverPort: 443 };
    expect(isAllowed(p, 'deprecated_protocol', legacy)).toBe(true);
    expect(isAllowed(p, 'weak_cipher', legacy)).toBe(false);
    expect(isAllowed(p, 'deprecated_protocol', { serverIp: '10.1.2.4', serverPort: 443 })).toBe(false);
    const any = { serverIp: '192.0.2.9', serverPort: 443 };
    expect(isAllowed(p, 'untrusted_chain', any, { issuer: 'CN=Corp Internal Root CA,O=Corp' })).toBe(true);
    expect(isAllowed(p, 'untrusted_chain', any, { issuer: 'CN=Evil CA' })).toBe(false);
    expect(isAllowed(p, 'expired', { ...any, sni: 'lab-3.test.corp.example' })).toBe(true);
  });

  const bad: [string, RegExp][] = [
    ['expiring_soon_days: soon\n', /^p\.yaml:1:\d+: expiring_soon_days must be a number/],
    ['require_mtls:\n  - name: x\n    cidrs: [10.0.0.300/8]\n', /^p\.yaml:3:\d+: '10\.0\.0\.300\/8' in cidrs is not an IP address or CIDR block/],
    ['require_mtls:\n  - name: only-a-name\n', /^p\.yaml:2:\d+: a require_mtls entry needs at least one of/],
    ['findings:\n  disable: [weak_ciphers]\n', /^p\.yaml:2:\d+: unknown finding id 'weak_ciphers'/],
    ['findings:\n  severity:\n    expired: urgent\n', /^p\.yaml:3:\d+: severity 'urgent' is not one of/],
    ['allow:\n  - cidrs: [10.0.0.1]\n', /^p\.yaml:2:\d+: an allow entry needs 'finding'/],
    ['alow: []\n', /^p\.yaml:1:1: unknown key 'alow'/],
    ['require_mtls:\n  - ports: [99999]\n', /^p\.yaml:2:\d+: ports entries must be port numbers/],
    ['findings: [\n', /^p\.yaml:\d+:\d+: /],
  ];
  for (const [text, re] of bad) {
    it(`rejects ${JSON.stringify(text.split('\n')[0])}... with the file and line`, () => {
      expect(() => parsePolicy(text, 'p.yaml')).toThrow(PolicyError);
      try {
        parsePolicy(text, 'p.yaml');
      } catch (e) {
        expect((e as Error).message).toMatch(re);
        expect((e as Error).message.split('\n')).toHaveLength(1);
      }
    });
  }
});
