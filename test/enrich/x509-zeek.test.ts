import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/enrich/x509/parse.js';
import { OPENSSL_CURVE_ALIASES } from '../../src/enrich/x509/oids.js';
import { isParsed, type X509Details } from '../../src/enrich/x509/types.js';
import { readZeekLog, type ZeekRow } from '../corpus/zeek-log.js';
import { traceChains, zeekDir, zeekTraceFiles, type TraceChain } from '../fixtures/x509/corpus.js';

/**
 * Every certificate in Zeek's corpus traces, extracted by replaying the traces through the
 * sensor, parsed, and compared field by field with Zeek's x509.log baselines.
 */

let chains: TraceChain[] = [];
const byFingerprint = new Map<string, { info: X509Details; der: Uint8Array }>();
const rows: { file: string; row: ZeekRow }[] = [];

beforeAll(async () => {
  for (const pcap of zeekTraceFiles()) chains.push(...(await traceChains(pcap)));
  for (const c of chains) {
    for (const der of c.ders) {
      const info = parseCertificate(der);
      if (!isParsed(info)) continue;
      byFingerprint.set(info.sha256.toLowerCase(), { info, der });
    }
  }
  const base = path.join(zeekDir, 'baselines');
  for (const dir of readdirSync(base).sort()) {
    for (const f of readdirSync(path.join(base, dir))) {
      if (!/^x509.*\.log$/.test(f)) continue;
      for (const row of readZeekLog(path.join(base, dir, f))) rows.push({ file: `${dir}/${f}`, row });
    }
  }
}, 120_000);

/** Zeek's key_alg (OpenSSL long name of the SPKI OID) and key_type → our public_key_algorithm. */
const ZEEK_KEY_ALG: Record<string, string> = { rsaEncryption: 'rsa', 'id-ecPublicKey': 'ec', dsaEncryption: 'dsa', rsassaPss: 'rsa-pss' };
const ZEEK_KEY_TYPE: Record<string, string> = { rsa: 'rsa', ecdsa: 'ec', dsa: 'dsa' };

const unset = (v: unknown[] | undefined): string => (v === undefined || v.length === 0 ? '-' : v.join(','));

/** Zeek's DN text and ours differ only in the case of a few attribute descriptors (street/STREET). */
const dnNorm = (s: string): string => s.replace(/(^|,|\+)([A-Za-z]+)=/g, (_m, sep: string, t: string) => `${sep}${t.toLowerCase()}=`);

type FieldCheck = [field: string, zeek: (r: ZeekRow) => string, ours: (i: X509Details) => string];

const CHECKS: FieldCheck[] = [
  ['certificate.version', (r) => r['certificate.version'], (i) => String(i.version)],
  ['certificate.serial', (r) => r['certificate.serial'], (i) => i.serial_number],
  ['certificate.subject', (r) => dnNorm(r['certificate.subject']), (i) => dnNorm(i.subject.dn)],
  ['certificate.issuer', (r) => dnNorm(r['certificate.issuer']), (i) => dnNorm(i.issuer.dn)],
  ['certificate.not_valid_before', (r) => String(Math.round(Number(r['certificate.not_valid_before']))), (i) => String(i.not_before_ms / 1000)],
  ['certificate.not_valid_after', (r) => String(Math.round(Number(r['certificate.not_valid_after']))), (i) => String(i.not_after_ms / 1000)],
  ['certificate.key_alg', (r) => ZEEK_KEY_ALG[r['certificate.key_alg']] ?? r['certificate.key_alg'].toLowerCase(), (i) => i.public_key_algorithm],
  ['certificate.sig_alg', (r) => r['certificate.sig_alg'], (i) => i.signature_algorithm],
  ['certificate.key_type', (r) => ZEEK_KEY_TYPE[r['certificate.key_type']] ?? r['certificate.key_type'].toLowerCase(), (i) => i.public_key_algorithm],
  ['certificate.key_length', (r) => r['certificate.key_length'], (i) => String(i.public_key_size ?? '-')],
  ['certificate.exponent', (r) => r['certificate.exponent'], (i) => String(i.public_key_exponent ?? '-')],
  ['certificate.curve', (r) => OPENSSL_CURVE_ALIASES[r['certificate.curve']] ?? r['certificate.curve'], (i) => i.public_key_curve ?? '-'],
  ['san.dns', (r) => r['san.dns'], (i) => unset(i.san.dns)],
  ['san.uri', (r) => r['san.uri'], (i) => unset(i.san.uri)],
  ['san.email', (r) => r['san.email'], (i) => unset(i.san.email)],
  ['san.ip', (r) => r['san.ip'], (i) => unset(i.san.ip)],
  ['basic_constraints.ca', (r) => r['basic_constraints.ca'], (i) => (i.basic_constraints ? (i.basic_constraints.ca ? 'T' : 'F') : '-')],
  ['basic_constraints.path_len', (r) => r['basic_constraints.path_len'], (i) => String(i.basic_constraints?.path_len ?? '-')],
];

describe('x509 against Zeek x509.log', () => {
  it('finds every certificate of the baselines in the traces', () => {
    const missing = rows.filter(({ row }) => !byFingerprint.has(row.fingerprint)).map(({ file, row }) => `${file} ${row.fingerprint}`);
    expect(missing).toEqual([]);
    expect(rows.length).toBeGreaterThan(40);
  });

  it('agrees with Zeek on every field', () => {
    const agree = new Map<string, [number, number]>();
    const diffs: string[] = [];
    const seen = new Set<string>();
    for (const { file, row } of rows) {
      const key = `${row.fingerprint}`;
      if (seen.has(key)) continue; // the same certificate logged by several baselines
      seen.add(key);
      const c = byFingerprint.get(row.fingerprint);
      if (!c) continue;
      for (const [field, zeek, ours] of CHECKS) {
        const z = zeek(row);
        const o = ours(c.info);
        const tally = agree.get(field) ?? [0, 0];
        tally[1]++;
        if (z === o) tally[0]++;
        else diffs.push(`${file} ${row.fingerprint.slice(0, 12)} ${field}: zeek=${z} ours=${o}`);
        agree.set(field, tally);
      }
    }
    console.log(`x509 vs Zeek, ${seen.size} distinct certificates:`);
    for (const [field, [ok, n]] of agree) console.log(`  ${field.padEnd(30)} ${ok}/${n} (${((100 * ok) / n).toFixed(1)}%)`);
    for (const d of diffs) console.log('  DIFF ' + d);
    expect(diffs).toEqual([]);
  });
});
