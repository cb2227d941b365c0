import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whatever the working directory of the test run. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared corpus beside the repository (CI lays it out the same way). */
export const corpusRoot = path.resolve(repoRoot, '../shared/corpus');
export const pcapsDir = path.join(repoRoot, 'pcaps');

/** Every capture file (pcap, pcapng, cap, trace) under a directory, depth first. */
export function capturesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...capturesUnder(p));
    else if (/\.(pcap|pcapng|cap|trace)$/.test(name)) out.push(p);
  }
  return out;
}
