import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusRoot } from '../support/paths.js';
import { replayFiles } from '../support/replay.js';

interface Expected {
  transport: string;
  src: string;
  src_port: number;
  dst: string;
  dst_port: number;
  sni?: string;
  ja4?: string;
  spec_divergence?: string;
}

const ja4Dir = path.join(corpusRoot, 'ja4');
const expected: Record<string, Expected[]> = JSON.parse(readFileSync(path.join(ja4Dir, 'expected/ja4-normalized.json'), 'utf8'));

/** The highest version a ClientHello offers, as JA4 part a writes it (t13, t12, ...). */
function ja4Version(versions: number[]): string {
  const max = Math.max(...versions.filter((v) => v >= 0x0300 && v <= 0x0304));
  return { 0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3' }[max] ?? '00';
}

describe("FoxIO's JA4 captures", () => {
  it('finds every TLS-over-TCP client FoxIO found, oriented client → server, with its SNI, highest offered version and JA4', async () => {
    let total = 0;
    let found = 0;
    const misses: string[] = [];
    for (const [pcap, flows] of Object.entries(expected)) {
      const tcpFlows = flows.filter((f) => f.transport === 'tcp' && f.ja4);
      if (tcpFlows.length === 0) continue;
      const { events } = await replayFiles([path.join(ja4Dir, 'pcaps', pcap)]);
      for (const f of tcpFlows) {
        total++;
        const ev = events.find(
          (e) => e.source.ip === f.src && e.source.port === f.src_port && e.destination.ip === f.dst && e.destination.port === f.dst_port,
        );
        if (!ev) {
          misses.push(`${pcap} ${f.src}:${f.src_port} → ${f.dst}:${f.dst_port}: not found`);
          continue;
        }
        const sni = ev.tls.client.server_name ?? undefined;
        const ver = ja4Version(ev.tlsscope.client.versions);
        const want = f.ja4!.slice(1, 3);
        if (sni !== f.sni || ver !== want) {
          misses.push(`${pcap} ${f.src}:${f.src_port}: sni ${sni} vs ${f.sni}, version ${ver} vs ${want}`);
          continue;
        }
        // The event carries the JA4 of the first ClientHello (where upstream departs from the
        // specification, the corpus notes it and test/enrich/fingerprints-corpus.test.ts asserts the spec value).
        if (!f.spec_divergence && ev.tlsscope.ja4 !== f.ja4) {
          misses.push(`${pcap} ${f.src}:${f.src_port}: ja4 ${ev.tlsscope.ja4} vs ${f.ja4}`);
          continue;
        }
        found++;
      }
    }
    console.log(`JA4 corpus: ${found}/${total} TCP clients found with SNI, version and JA4 in the event`);
    expect(misses).toEqual([]);
    expect(total).toBeGreaterThan(20);
  });
});
