import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool, type SpoolRecord } from '../../src/sink/spool.js';
import { repoRoot } from '../support/paths.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'tlsscope-spool-'));
const rec = (i: number): SpoolRecord => ({ topic: 't', key: `k${i % 3}`, value: JSON.stringify({ i, pad: 'x'.repeat(100) }) });
const opts = (dir: string, maxBytes = 1 << 20, segmentBytes = 4096) => ({ dir, maxBytes, segmentBytes });

function drainAll(s: Spool): number[] {
  const out: number[] = [];
  for (;;) {
    const batch = s.peek(7);
    if (batch.length === 0) {
      if (s.isEmpty) return out;
      s.ack(Number.MAX_SAFE_INTEGER); // only damaged records left in this segment
      continue;
    }
    for (const r of batch) out.push(JSON.parse(r.value).i);
    s.ack(batch.length);
  }
}

describe('on-disk spool', () => {
  it('gives records back in order across segments and deletes what was acknowledged', () => {
    const dir = tmp();
    const s = new Spool(opts(dir));
    expect(s.append(Array.from({ length: 100 }, (_, i) => rec(i)))).toBe(100);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(2);
    expect(drainAll(s)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(s.isEmpty).toBe(true);
    expect(s.bytes).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toEqual([]);
  });

  it('survives a restart in the middle of draining without resending what was acknowledged', () => {
    const dir = tmp();
    const a = new Spool(opts(dir));
    a.append(Array.from({ length: 50 }, (_, i) => rec(i)));
    const first = a.peek(5);
    a.ack(5);
    a.close();
    const b = new Spool(opts(dir));
    const rest = drainAll(b);
    expect(first.map((r) => JSON.parse(r.value).i)).toEqual([0, 1, 2, 3, 4]);
    expect(rest).toEqual(Array.from({ length: 45 }, (_, i) => i + 5));
  });

  it('refuses records beyond its size cap and counts them', () => {
    const dir = tmp();
    const s = new Spool(opts(dir, 2000));
    const n = s.append(Array.from({ length: 50 }, (_, i) => rec(i)));
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(50);
    expect(s.stats.refusedFull).toBe(50 - n);
    expect(s.bytes).toBeLessThanOrEqual(2000);
  });

  it('skips a torn last record and a corrupted one, and says how many', () => {
    const dir = tmp();
    const s = new Spool(opts(dir, 1 << 20, 1 << 20));
    s.append(Array.from({ length: 10 }, (_, i) => rec(i)));
    s.close();
    const seg = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!);
    truncateSync(seg, statSync(seg).size - 10); // a write cut short by a crash
    const t = new Spool(opts(dir, 1 << 20, 1 << 20));
    expect(drainAll(t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.stats.corrupt).toBe(1);

    const dir2 = tmp();
    const u = new Spool(opts(dir2, 1 << 20, 1 << 20));
    u.append([rec(0), rec(1)]);
    u.close();
    const seg2 = path.join(dir2, readdirSync(dir2).find((f) => f.endsWith('.seg'))!);
    const buf = Buffer.from(readFileSync(seg2));
    buf[buf.length - 5] ^= 0xff; // flip a byte of the second record
    writeFileSync(seg2, buf);
    const v = new Spool(opts(dir2, 1 << 20, 1 << 20));
    expect(drainAll(v)).toEqual([0]);
    expect(v.stats.corrupt).toBe(1);
  });

  it('loses nothing it acknowledged when the process is killed with SIGKILL while spooling', async () => {
    const dir = tmp();
    // A child appends records one at a time and prints each index once append() returned.
    const script = `
      import { writeSync } from 'node:fs';
      import { Spool } from ${JSON.stringify(path.join(repoRoot, 'dist/src/sink/spool.js'))};
      const s = new Spool({ dir: ${JSON.stringify(dir)}, maxBytes: 1 << 30, segmentBytes: 64 << 10 });
      for (let i = 0; ; i++) {
        s.append([{ topic: 't', key: null, value: JSON.stringify({ i }) }]);
        writeSync(1, i + '\\n'); // synchronous: the index is out only once append() returned
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = -1;
    let text = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const lines = text.split('\n');
        text = lines.pop()!;
        if (lines.length) acked = Number(lines[lines.length - 1]);
        if (acked >= 20_000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.on('exit', r));
    const s = new Spool({ dir, maxBytes: 1 << 30, segmentBytes: 64 << 10 });
    const got = drainAll(s);
    expect(got.length).toBeGreaterThanOrEqual(acked + 1);
    expect(got.slice(0, acked + 1)).toEqual(Array.from({ length: acked + 1 }, (_, i) => i));
  }, 60_000);
});
