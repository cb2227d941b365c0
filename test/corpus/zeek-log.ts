import { readFileSync } from 'node:fs';

/** One row of a Zeek ASCII log (or zeek-cut TSV), by column name; '-' means unset. */
export type ZeekRow = Record<string, string>;

/** Parse a Zeek ASCII log (`#fields` header) or a zeek-cut TSV (first non-comment line is the header). */
export function readZeekLog(file: string): ZeekRow[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  let fields: string[] | undefined;
  const rows: ZeekRow[] = [];
  for (const line of lines) {
    if (line.startsWith('#fields\t')) {
      fields = line.slice('#fields\t'.length).split('\t');
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const cols = line.split('\t');
    if (!fields) {
      fields = cols;
      continue;
    }
    const row: ZeekRow = {};
    fields.forEach((f, i) => (row[f] = cols[i] ?? '-'));
    rows.push(row);
  }
  return rows;
}

/** Zeek's version names as ECS `tls.version` strings. */
export function zeekVersionToEcs(v: string): string | undefined {
  const map: Record<string, string> = {
    SSLv2: '2.0',
    SSLv3: '3.0',
    TLSv10: '1.0',
    TLSv11: '1.1',
    TLSv12: '1.2',
    TLSv13: '1.3',
    DTLSv10: '1.0',
    DTLSv12: '1.2',
    DTLSv13: '1.3',
  };
  if (v in map) return map[v];
  if (v.startsWith('TLSv13-draft')) return '1.3';
  if (v === 'unknown-32257') return '1.3'; // Google's TLS 1.3 experiment (0x7e01)
  return undefined;
}
