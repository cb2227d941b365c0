import { describe, expect, it } from 'vitest';
import { compareTrace, FIELDS, tally, zeekTraces, type Comparison } from './zeek-conformance.js';

const MAIN = FIELDS.filter((f) => f !== 'found' && f !== 'orientation');

describe("Zeek's TLS traces against Zeek's ssl.log baselines", () => {
  const traces = zeekTraces();
  const all: Comparison[] = [];

  it('finds every connection Zeek reports, oriented client → server, and agrees on ≥ 98% of each core field', async () => {
    for (const t of traces) {
      const { comparisons } = await compareTrace(t);
      all.push(...comparisons);
    }
    const table = tally(all);
    const lines = [...table].map(([f, { ok, total }]) => `${f.padEnd(22)} ${ok}/${total} ${((100 * ok) / total).toFixed(1)}%`);
    console.log(`Zeek corpus agreement (${traces.length} traces):\n${lines.join('\n')}`);
    const misses = all.filter((c) => !c.ok);
    if (misses.length > 0) {
      console.log(
        'disagreements:\n' +
          misses.map((c) => `  ${c.trace} ${c.row['id.orig_h']}:${c.row['id.orig_p']} ${c.field}: zeek=${c.expected} tlsscope=${c.actual}`).join('\n'),
      );
    }
    expect(table.get('found')!.ok).toBe(table.get('found')!.total);
    expect(table.get('orientation')!.ok).toBe(table.get('orientation')!.total);
    for (const f of MAIN) {
      const e = table.get(f)!;
      expect(e.ok / e.total, `${f}: ${e.ok}/${e.total}`).toBeGreaterThanOrEqual(0.98);
    }
  });
});
