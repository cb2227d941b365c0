import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES, NAMED_GROUPS, SSLV2_CIPHER_KINDS } from '../../src/registry/index.js';

// Zeek's ssl.log baselines in the shared corpus beside the repository.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const baselines = path.resolve(root, '../shared/corpus/zeek/baselines');

/** Values of the named columns in every row of a Zeek ASCII log (`#fields` header). */
function columns(file: string, wanted: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(wanted.map((w) => [w, []]));
  let fields: string[] | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#fields\t')) fields = line.split('\t').slice(1);
    if (line === '' || line.startsWith('#') || !fields) continue;
    const cols = line.split('\t');
    for (const w of wanted) {
      const i = fields.indexOf(w);
      if (i >= 0 && cols[i] !== undefined) out.get(w)!.push(cols[i]!);
    }
  }
  return out;
}

const logs = existsSync(baselines)
  ? readdirSync(baselines)
      .map((d) => path.join(baselines, d, 'ssl.log'))
      .filter((f) => existsSync(f))
  : [];

/** Zeek leaves unset fields as "-" and unknown code points as "unknown-<decimal>". */
const named = (v: string): boolean => v !== '-' && v !== '(empty)' && !v.startsWith('unknown-');

describe.skipIf(logs.length === 0)('names agree with Zeek baselines (shared corpus)', () => {
  const ciphers = new Set<string>();
  const curves = new Set<string>();
  for (const log of logs) {
    const c = columns(log, ['cipher', 'curve']);
    c.get('cipher')!.filter(named).forEach((v) => ciphers.add(v));
    c.get('curve')!.filter(named).forEach((v) => curves.add(v));
  }

  it('the corpus has something to compare', () => {
    expect(ciphers.size).toBeGreaterThan(5);
    expect(curves.size).toBeGreaterThan(1);
  });

  it('every cipher name Zeek writes is one of ours', () => {
    const ours = new Set([...CIPHER_SUITES.values(), ...SSLV2_CIPHER_KINDS.values()]);
    // The one deliberate difference: Zeek spells SSLv2 kinds SSLv20_CK_*, we use SSL_CK_*.
    const missing = [...ciphers].map((v) => v.replace(/^SSLv20_CK_/, 'SSL_CK_')).filter((v) => !ours.has(v));
    expect(missing).toEqual([]);
  });

  it('every curve name Zeek writes is one of ours (X25519Kyber768Draft00, X25519MLKEM768 included)', () => {
    const ours = new Set(NAMED_GROUPS.values());
    expect([...curves].filter((v) => !ours.has(v))).toEqual([]);
  });
});
