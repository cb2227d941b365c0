import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import { writePcap, writePcapng, type CapturePacket } from '../../parsers/capture/write-pcap.js';
import { corpusRoot, prng, randomBytes, repoRoot } from './helpers.js';
import type { FuzzInput, FuzzResult } from './fuzz-worker.js';

const ITERATIONS = 20_000;
const HARD_LIMIT_MS = 45_000;

/** The worker runs plain JS: transpile the decoder and the driver into a scratch dir. */
function buildWorker(dir: string): string {
  const files = [
    'parsers/capture/types.ts',
    'parsers/capture/pcap.ts',
    'parsers/capture/pcapng.ts',
    'parsers/capture/index.ts',
    'test/capture/helpers.ts',
    'test/capture/fuzz-worker.ts',
  ];
  for (const rel of files) {
    const js = ts.transpileModule(readFileSync(path.join(repoRoot, rel), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const out = path.join(dir, rel.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  return path.join(dir, 'test/capture/fuzz-worker.js');
}

function seeds(): Uint8Array[] {
  const rand = prng(7);
  const pkts = (n: number, linkType: number): CapturePacket[] =>
    Array.from({ length: n }, (_, i) => ({ data: randomBytes(rand, 20 + ((i * 37) % 90)), tsSec: 1_700_000_000 + i, tsNsec: i * 1000, linkType }));
  const out = [
    writePcap(pkts(12, 1)),
    writePcap(pkts(12, 101), { bigEndian: true, nanos: true }),
    writePcapng([
      {
        interfaces: [{ linkType: 1, tsresol: 9, snaplen: 80 }, { linkType: 113, tsresol: 0x80 | 20, tsoffset: -5 }],
        items: [
          ...pkts(3, 1),
          { ...pkts(1, 113)[0], interfaceId: 1, comment: 'c' },
          { ...pkts(1, 1)[0], block: 'spb' },
          { ...pkts(1, 1)[0], block: 'opb' },
          { rawType: 0x7777, body: randomBytes(rand, 30) },
        ],
      },
      { bigEndian: true, interfaces: [{ linkType: 1, tsresol: 12, tsoffset: 1_699_999_999 }, { linkType: 1, tsresol: 0x80 | 40, tsoffset: 1_699_999_999 }], items: [...pkts(3, 1), { ...pkts(1, 1)[0], interfaceId: 1 }] },
    ]),
  ];
  for (const rel of ['ja4/pcaps/tls-non-ascii-alpn.pcapng', 'ja4/pcaps/quic-tls-handshake.pcapng', 'ja3/ja3-rs/tests/chrome-grease-single.pcap']) {
    const f = path.join(corpusRoot, rel);
    if (existsSync(f)) out.push(readFileSync(f).subarray(0, 8192));
  }
  return out;
}

describe('fuzzing', () => {
  it(`${ITERATIONS} mutated captures: never throws, never hangs, invariants hold`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tlsscope-fuzz-'));
    try {
      const input: FuzzInput = { seeds: seeds(), iterations: ITERATIONS, seed: 0xc0ffee };
      const worker = new Worker(buildWorker(dir), { workerData: input });
      const started = Date.now();
      const res = await new Promise<FuzzResult | 'timeout'>((resolve, reject) => {
        const timer = setTimeout(() => {
          void worker.terminate();
          resolve('timeout');
        }, HARD_LIMIT_MS);
        worker.once('message', (m: FuzzResult) => (clearTimeout(timer), resolve(m)));
        worker.once('error', (e) => (clearTimeout(timer), reject(e)));
      });
      await worker.terminate();
      expect(res, `fuzzing did not finish within ${HARD_LIMIT_MS} ms (a hang?)`).not.toBe('timeout');
      const r = res as FuzzResult;
      expect(r.failure, r.input ? `input (base64): ${r.input}` : undefined).toBeUndefined();
      expect(r.ok).toBe(true);
      expect(r.runs).toBe(ITERATIONS);
      // The mutations must reach the interesting paths, not just die at the magic number.
      expect(r.packets).toBeGreaterThan(ITERATIONS);
      expect(Object.keys(r.errorKinds).sort()).toEqual(expect.arrayContaining(['bad_record', 'not_a_capture', 'truncated']));
      console.log(`fuzz: ${r.runs} runs, ${r.packets} packets, errors ${JSON.stringify(r.errorKinds)}, ${Date.now() - started} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
