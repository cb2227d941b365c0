import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusRoot } from '../support/paths.js';
import { replayFiles } from '../support/replay.js';
import { readZeekLog, zeekVersionToEcs, type ZeekRow } from './zeek-log.js';

export const zeekDir = path.join(corpusRoot, 'zeek');

/** Which ssl log of a baseline folder to read: the stock one first. */
const PREFERENCE = [
  'ssl.log',
  'ssl.with-subject-issuer.log',
  'ssl.ssl-log-ext.log',
  'ssl.keyexchange-test.log',
  'ssl.validate-certs.log',
  'ssl.validate-certs-no-cache.log',
  'ssl.validate-ocsp.log',
  'ssl.validate-sct.log',
  'ssl.certificate-request-info.log',
  'ssl.cut.tsv',
];

export const FIELDS = ['found', 'orientation', 'version', 'cipher', 'server_name', 'established', 'resumed'] as const;
export const EXTRA_FIELDS = ['curve', 'next_protocol', 'last_alert', 'ssl_history', 'cert_chain_fps', 'client_cert_chain_fps'] as const;
type Field = (typeof FIELDS)[number] | (typeof EXTRA_FIELDS)[number];

export interface Comparison {
  trace: string;
  row: ZeekRow;
  field: Field;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface TraceFile {
  name: string;
  pcap: string;
  baseline: string | undefined;
}

/** Traces with their ssl baseline (if any). Gzipped traces are inflated into a temp dir. */
export function zeekTraces(): TraceFile[] {
  const out: TraceFile[] = [];
  let tmp: string | undefined;
  for (const file of readdirSync(path.join(zeekDir, 'traces')).sort()) {
    const name = file.replace(/\.pcap(\.gz)?$/, '');
    let pcap = path.join(zeekDir, 'traces', file);
    if (file.endsWith('.gz')) {
      tmp ??= mkdtempSync(path.join(os.tmpdir(), 'tlsscope-zeek-'));
      const plain = path.join(tmp, file.replace(/\.gz$/, ''));
      writeFileSync(plain, gunzipSync(readFileSync(pcap)));
      pcap = plain;
    }
    const dir = path.join(zeekDir, 'baselines', name);
    const baseline = PREFERENCE.map((b) => path.join(dir, b)).find((p) => existsSync(p));
    out.push({ name, pcap, baseline });
  }
  return out;
}

function boolText(v: unknown): string {
  return v === true ? 'T' : v === false ? 'F' : '-';
}

/** What our event says for a Zeek column, in Zeek's notation. */
function ours(ev: any, field: Field): string {
  const tls = ev.tls ?? {};
  const t = ev.tlsscope ?? {};
  switch (field) {
    case 'version': {
      return tls.version ?? '-';
    }
    case 'cipher':
      return tls.cipher ?? '-';
    case 'server_name':
      return tls.client?.server_name ?? '-';
    case 'established':
      return boolText(tls.established);
    case 'resumed':
      return boolText(tls.resumed);
    case 'curve':
      return tls.curve ?? '-';
    case 'next_protocol':
      return tls.next_protocol ?? '-';
    case 'last_alert':
      return t.alert?.description ?? '-';
    case 'ssl_history':
      return t.history ?? '-';
    case 'cert_chain_fps': {
      const c = t.server?.certificates;
      return c && c.length > 0 ? c.map((x: any) => x.sha256.toLowerCase()).join(',') : '-';
    }
    case 'client_cert_chain_fps': {
      const c = t.client?.certificates;
      return c && c.length > 0 ? c.map((x: any) => x.sha256.toLowerCase()).join(',') : '-';
    }
    default:
      return '?';
  }
}

/** Zeek's value, normalised to what our event would say. */
function theirs(row: ZeekRow, field: Field): string | undefined {
  const v = row[field];
  if (v === undefined) return undefined;
  switch (field) {
    case 'version':
      return v === '-' ? '-' : (zeekVersionToEcs(v) ?? v);
    case 'ssl_history':
      return v.replace(/^\^/, '');
    case 'cert_chain_fps':
      // "(empty)": client certificates only; we report no server chain then.
      return v === '(empty)' ? '-' : v;
    case 'client_cert_chain_fps':
      return v === '(empty)' ? '-' : v;
    default:
      return v;
  }
}

function matches(ev: any, row: ZeekRow): 'same' | 'flipped' | undefined {
  const s = ev.source;
  const d = ev.destination;
  const oh = row['id.orig_h'];
  const rh = row['id.resp_h'];
  const op = row['id.orig_p'];
  const rp = row['id.resp_p'];
  const eq = (ip: string, port: number, h: string, p: string | undefined) => ip === h && (p === undefined || String(port) === p);
  if (eq(s.ip, s.port, oh, op) && eq(d.ip, d.port, rh, rp)) return 'same';
  if (eq(s.ip, s.port, rh, rp) && eq(d.ip, d.port, oh, op)) return 'flipped';
  return undefined;
}

export async function compareTrace(t: TraceFile): Promise<{ comparisons: Comparison[]; events: any[]; rows: ZeekRow[] }> {
  const { events } = await replayFiles([t.pcap]);
  // A baseline assembled from several test runs may repeat a connection's row: count it once.
  const seen = new Set<string>();
  const rows = (t.baseline ? readZeekLog(t.baseline) : []).filter((r) => {
    const k = JSON.stringify({ ...r, ts: '' });
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const comparisons: Comparison[] = [];
  const used = new Set<any>();
  for (const row of rows) {
    const cand = events.filter((e) => !used.has(e) && matches(e, row));
    const ev = cand[0];
    const push = (field: Field, expected: string, actual: string) =>
      comparisons.push({ trace: t.name, row, field, expected, actual, ok: expected === actual });
    if (!ev) {
      push('found', 'T', 'F');
      continue;
    }
    used.add(ev);
    push('found', 'T', 'T');
    const flipped = (row['ssl_history'] ?? '').startsWith('^');
    push('orientation', flipped ? 'flipped' : 'same', matches(ev, row)!);
    for (const f of [...FIELDS.slice(2), ...EXTRA_FIELDS]) {
      const exp = theirs(row, f);
      if (exp === undefined) continue;
      push(f, exp, ours(ev, f));
    }
  }
  return { comparisons, events, rows };
}

export function tally(all: Comparison[]): Map<string, { ok: number; total: number }> {
  const m = new Map<string, { ok: number; total: number }>();
  for (const c of all) {
    const e = m.get(c.field) ?? { ok: 0, total: 0 };
    e.total++;
    if (c.ok) e.ok++;
    m.set(c.field, e);
  }
  return m;
}
