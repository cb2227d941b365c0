/**
 * The certificate walker (src/enrich/x509/tbs.ts) against the schema decoder it stands in
 * for: wherever the walker gives a model, the schema decoder must accept the certificate too
 * and give the same model. Checked on every certificate of the Zeek corpus, the fixtures and
 * the bench pool, and on thousands of damaged copies of them (seeded, so a failure repeats).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalModel, certificateModel, schemaModel, type CertificateModel } from '../../src/enrich/x509/tbs.js';
import { parseCertificate } from '../../src/enrich/x509/parse.js';
import { traceChains, zeekTraceFiles } from '../fixtures/x509/corpus.js';
import { repoRoot } from '../support/paths.js';

const FIXTURES = path.join(repoRoot, 'test/fixtures/x509');
const MAX_NODES = 100_000;

function plain(m: CertificateModel): unknown {
  const bytes = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'));
  return {
    ...m,
    serial: bytes(m.serial),
    signatureParams: bytes(m.signatureParams),
    notBefore: { ms: m.notBefore.date.getTime(), encoding: m.notBefore.encoding },
    notAfter: { ms: m.notAfter.date.getTime(), encoding: m.notAfter.encoding },
    extensions: m.extensions.map((e) => ({ ...e, value: bytes(e.value) })),
  };
}

function schemaOrError(der: Uint8Array): CertificateModel | Error {
  try {
    return schemaModel(der, MAX_NODES);
  } catch (err) {
    return err as Error;
  }
}

/** sfc32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed, b = 0x9e3779b9, c = 0x243f6a88, d = 0xb7e15162;
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

let certs: Uint8Array[] = [];

beforeAll(async () => {
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.pem'))
    .map((f) => Buffer.from(readFileSync(path.join(FIXTURES, f), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'));
  const pool = JSON.parse(readFileSync(path.join(repoRoot, 'bench/gen/cert-pool.json'), 'utf8')) as { intermediates: { der: string }[]; leaves: { der: string }[] };
  const bench = [...pool.intermediates, ...pool.leaves].map((c) => Buffer.from(c.der, 'base64'));
  const seen = new Set<string>();
  const corpus: Uint8Array[] = [];
  for (const trace of zeekTraceFiles()) {
    for (const chain of await traceChains(trace)) {
      for (const der of chain.ders) {
        const k = Buffer.from(der).toString('base64');
        if (!seen.has(k)) {
          seen.add(k);
          corpus.push(der);
        }
      }
    }
  }
  certs = [...fixtures, ...bench, ...corpus].map((d) => Uint8Array.from(d));
}, 120_000);

describe('certificate walker vs the schema decoder', () => {
  it('reads nearly every real certificate itself, with the same model as the schema decoder', () => {
    expect(certs.length).toBeGreaterThan(100);
    let walked = 0;
    for (const der of certs) {
      const fast = canonicalModel(der);
      const slow = schemaOrError(der);
      if (fast === undefined) continue;
      walked++;
      expect(slow, Buffer.from(der).toString('base64')).not.toBeInstanceOf(Error);
      expect(plain(fast)).toEqual(plain(slow as CertificateModel));
    }
    // Those it passes on (unique IDs, odd encodings) still parse, through the schema decoder.
    expect(walked / certs.length).toBeGreaterThan(0.9);
  });

  it('never accepts a damaged certificate the schema decoder refuses, and agrees on the ones both accept', () => {
    // TBS_SEED / TBS_MUTANTS: a longer search by hand (CI runs the fixed seed).
    const rand = prng(Number(process.env.TBS_SEED ?? 20261204));
    let both = 0;
    let walkerOnly = 0;
    for (const der of certs) {
      for (let k = 0; k < Number(process.env.TBS_MUTANTS ?? 40); k++) {
        const m = Uint8Array.from(der);
        const kind = rand();
        if (kind < 0.6) m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256);
        else if (kind < 0.8) {
          // damage a byte near the start, where the structure is
          m[Math.floor(rand() * Math.min(m.length, 400))] ^= 1 << Math.floor(rand() * 8);
        } else {
          const cut = m.subarray(0, Math.floor(rand() * m.length));
          const fast = safe(() => canonicalModel(cut));
          if (fast !== undefined) walkerOnly++;
          continue;
        }
        const fast = safe(() => canonicalModel(m));
        if (fast === undefined) continue;
        const slow = schemaOrError(m);
        if (slow instanceof Error) {
          walkerOnly++;
          if (process.env.TBS_DEBUG) console.log('walker-only:', slow.message.slice(0, 200), Buffer.from(m).toString('base64'));
          continue;
        }
        both++;
        expect(plain(fast)).toEqual(plain(slow));
      }
    }
    expect(walkerOnly).toBe(0);
    expect(both).toBeGreaterThan(1000);
  }, 120_000);

  it('hands what it does not read to the schema decoder: same parse either way', () => {
    for (const der of certs.slice(0, 60)) {
      const info = parseCertificate(der);
      expect(info.sha256).toMatch(/^[0-9A-F]{64}$/);
      expect(plain(certificateModel(der, MAX_NODES))).toEqual(plain(schemaModel(der, MAX_NODES)));
    }
    // a non-canonical time ('Z' replaced: not RFC 5280) is the schema decoder's call, whatever it makes of it
    const der = certs.find((d) => canonicalModel(d) !== undefined)!;
    const s = Buffer.from(der).toString('latin1');
    const at = s.search(/\x17\x0d\d{12}Z/);
    expect(at).toBeGreaterThan(0);
    const odd = Uint8Array.from(der);
    odd[at + 2 + 12] = 0x2b;
    expect(canonicalModel(odd)).toBeUndefined();
    const slow = schemaOrError(odd);
    const via = safe(() => certificateModel(odd, MAX_NODES));
    if (slow instanceof Error) expect(via).toBeUndefined();
    else expect(plain(via!)).toEqual(plain(slow));
  });
});

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
