import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NdjsonSink } from '../../src/sink/ndjson-sink.js';
import { FanOutSink } from '../../src/sink/sink.js';

const ev = (i: number, dataset = 'tlsscope.handshake') => ({ event: { dataset }, i, pad: 'y'.repeat(200) });
const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('NDJSON sinks', () => {
  it('rotates a file by size without splitting a line, keeping the newest rotations', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-rot-'));
    const f = path.join(dir, 'events.ndjson');
    const s = NdjsonSink.toFile(f, { maxBytes: 100_000, keep: 2 });
    for (let i = 0; i < 2000; i++) s.write(ev(i));
    await s.close();
    expect(s.rotations).toBeGreaterThanOrEqual(3);
    expect(existsSync(`${f}.1`)).toBe(true);
    expect(existsSync(`${f}.2`)).toBe(true);
    expect(existsSync(`${f}.3`)).toBe(false);
    // The kept files hold the newest events, whole and in order, ending with the last one.
    const kept = [...lines(`${f}.2`), ...lines(`${f}.1`), ...lines(f)].map((e) => e.i);
    expect(kept[kept.length - 1]).toBe(1999);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 2000 - kept.length + k));
    for (const g of [f, `${f}.1`]) expect(readFileSync(g).length).toBeLessThanOrEqual(100_000 + 64 * 1024);
  });

  it('writes every line exactly as JSON.stringify does: multi-byte text, batch edges, a line larger than a batch', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (d: Buffer) => chunks.push(d));
    const s = NdjsonSink.toStream(out);
    const events: Record<string, unknown>[] = [];
    for (let i = 0; i < 3000; i++) {
      // sizes vary so lines end at every offset of a batch; some are two- and four-byte UTF-8
      const e = { event: { dataset: 'tlsscope.handshake' }, i, subject: i % 7 === 0 ? 'CN=Zürich Straße 😀' : 'CN=plain', pad: 'x'.repeat(i % 500) };
      events.push(e);
      s.write(e);
    }
    const huge = { event: { dataset: 'tlsscope.handshake' }, names: Array.from({ length: 20_000 }, (_, k) => `host-${k}.example.org`) };
    events.push(huge);
    s.write(huge);
    events.push({ event: { dataset: 'tlsscope.handshake' }, after: true });
    s.write(events[events.length - 1]);
    await s.close();
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toBe(events.map((e) => JSON.stringify(e) + '\n').join(''));
  });

  it('takes only the event kinds it is given, rendered as asked', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const s = NdjsonSink.toStream(out, { datasets: new Set(['tlsscope.finding']), render: (e) => ({ kind: (e.event as { dataset: string }).dataset, i: e.i }) });
    s.write(ev(1));
    s.write(ev(2, 'tlsscope.finding'));
    s.write(ev(3, 'tlsscope.certificate'));
    await s.close();
    expect(text.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ kind: 'tlsscope.finding', i: 2 }]);
  });

  it('fans out to every sink and waits for the slow one', async () => {
    const fast = new PassThrough();
    const slow = new PassThrough({ highWaterMark: 1024 });
    let got = 0;
    fast.resume();
    const a = NdjsonSink.toStream(fast);
    const b = NdjsonSink.toStream(slow);
    const fan = new FanOutSink([a, b]);
    let waited = false;
    for (let i = 0; i < 1000; i++) {
      const p = fan.write(ev(i));
      if (p) {
        waited = true;
        slow.on('data', (d) => (got += d.length));
        await p;
      }
    }
    expect(waited).toBe(true);
    slow.resume();
    await fan.close();
    expect(a.written).toBe(1000);
    expect(b.written).toBe(1000);
    expect(got).toBeGreaterThan(0);
  });
});
