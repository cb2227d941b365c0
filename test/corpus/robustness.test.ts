import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { schemaErrors } from '../support/schemas.js';
import { describe, expect, it } from 'vitest';
import { corpusRoot, repoRoot } from '../support/paths.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const files = [
  ...readdirSync(path.join(corpusRoot, 'zeek/traces')).map((f) => path.join(corpusRoot, 'zeek/traces', f)),
  ...readdirSync(path.join(corpusRoot, 'ja4/pcaps')).map((f) => path.join(corpusRoot, 'ja4/pcaps', f)),
  ...readdirSync(path.join(corpusRoot, 'ja3')).flatMap((d) => {
    try {
      return readdirSync(path.join(corpusRoot, 'ja3', d), { recursive: true })
        .map((f) => path.join(corpusRoot, 'ja3', d, String(f)))
        .filter((f) => /\.(pcap|pcapng|cap)$/.test(f));
    } catch {
      return [];
    }
  }),
];


describe('every capture of the shared corpus', () => {
  it('replays without a crash or hang, under 300 MB, with every event valid against the schema', () => {
    expect(files.length).toBeGreaterThan(80);
    let events = 0;
    const datasets = new Set<string>();
    for (const f of files) {
      const r = spawnSync(process.execPath, [cli, 'replay', f], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 << 20 });
      expect(r.signal, `${f} was killed (hang?)`).toBeNull();
      expect([0, 4], `${f}: exit ${r.status}: ${r.stderr}`).toContain(r.status);
      expect(r.stderr, f).not.toMatch(/internal error|\n\s+at /);
      const rss = Number(/max_rss_mb=(\d+)/.exec(r.stderr)?.[1]);
      expect(rss, `${f} peak RSS`).toBeLessThan(300);
      for (const line of r.stdout.split('\n').filter(Boolean)) {
        const ev = JSON.parse(line);
        events++;
        const bad = schemaErrors(ev);
        if (bad) throw new Error(`${f}: ${bad}\n${line.slice(0, 400)}`);
        datasets.add(ev.event.dataset);
      }
    }
    expect(events).toBeGreaterThan(200);
    expect([...datasets].sort()).toEqual(['tlsscope.certificate', 'tlsscope.handshake']);
  }, 300_000);
});
