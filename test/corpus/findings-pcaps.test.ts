import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_IDS, SEVERITIES } from '../../src/enrich/finding-catalog.js';
import { pcapsDir, repoRoot } from '../support/paths.js';
import { replayFiles } from '../support/replay.js';

/**
 * Our own captures made to raise each finding (pcaps/findings-*.pcap, scripts/make-pcaps.sh).
 * The `findings` of each connection in pcaps/expected.json is what its scenario was built to
 * show (the certificates, suites and server options the script configured, checked with
 * openssl and tshark), never tlsscope's own output. The replay trusts the findings root
 * (pcaps/findings-ca.pem) and applies pcaps/findings-policy.yaml (mTLS required on one port).
 */
interface ExpectedConn {
  client: string;
  server: string;
  version: string | null;
  client_cert_requested: boolean;
  findings?: string[];
  note: string;
}

interface EventFinding {
  id: string;
  severity: string;
  message: string;
  reference: string;
  reason?: string;
}

const expected: Record<string, ExpectedConn[]> = JSON.parse(readFileSync(path.join(pcapsDir, 'expected.json'), 'utf8'));
const caFile = path.join(pcapsDir, 'findings-ca.pem');
const policyFile = path.join(pcapsDir, 'findings-policy.yaml');

/** Captures with at least one connection whose findings are specified. */
const captures = Object.entries(expected).filter(([, conns]) => conns.some((c) => c.findings !== undefined));

/**
 * Every finding id: the contract's table (docs/events.md, "Finding ids") and the three ids
 * tlsscope adds, which the contract invites. The catalog must have exactly these, and each
 * needs a capture.
 */
const CONTRACT_IDS = (() => {
  const doc = readFileSync(path.join(repoRoot, 'docs/events.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Finding ids'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('|---')));
  return table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...l.split('|')[1].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]));
})();
const ALL_IDS = [...CONTRACT_IDS, 'insecure_renegotiation', 'weak_dh', 'key_not_rotated'];

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** One replay per capture (key-rotation memory must not leak from one capture into another). */
const replays = new Map<string, Promise<any[]>>();
function replayed(file: string): Promise<any[]> {
  let p = replays.get(file);
  if (!p) {
    p = replayFiles([path.join(pcapsDir, file)], { caFiles: [caFile], policyFile }).then((r) => r.events);
    replays.set(file, p);
  }
  return p;
}

function eventOf(events: any[], c: ExpectedConn): any {
  return events.find((e) => endpoint(e.source) === c.client && endpoint(e.destination) === c.server);
}

const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

describe('findings on our own captures (pcaps/findings-*.pcap)', () => {
  it('the inputs are there: captures, the trust anchor (a certificate, no key) and the policy', () => {
    expect(captures.length).toBeGreaterThan(0);
    for (const [file] of captures) expect(existsSync(path.join(pcapsDir, file)), file).toBe(true);
    const pem = readFileSync(caFile, 'utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(pem.match(/-----BEGIN /g)).toHaveLength(1);
    expect(pem).not.toMatch(/PRIVATE KEY/);
    expect(readFileSync(policyFile, 'utf8')).toMatch(/^require_mtls:/m);
  });

  for (const [file, conns] of captures) {
    it(`${file}: every connection raises exactly the findings its scenario was built for`, async () => {
      const events = await replayed(file);
      expect(events).toHaveLength(conns.length);
      for (const c of conns) {
        if (c.findings === undefined) continue;
        const where = `${file} ${c.client} (${c.note})`;
        const ev = eventOf(events, c);
        expect(ev, where).toBeDefined();
        const got: EventFinding[] = ev.tlsscope.findings;
        expect(Array.isArray(got), `${where}: tlsscope.findings is a list`).toBe(true);
        expect(sorted(got.map((f) => f.id)), where).toEqual(sorted(c.findings));
        for (const f of got) {
          expect(SEVERITIES, `${where}: ${f.id} severity`).toContain(f.severity);
          expect(typeof f.message === 'string' && f.message.length > 0, `${where}: ${f.id} message`).toBe(true);
          expect(typeof f.reference === 'string' && f.reference.length > 0, `${where}: ${f.id} reference`).toBe(true);
          // mTLS: a CertificateRequest on the wire makes it "requested", otherwise only the policy can
          if (f.id === 'mtls_missing') expect(f.reason, `${where}: mtls_missing reason`).toBe(c.client_cert_requested ? 'requested' : 'policy');
        }
      }
    });
  }

  it('summary: every finding id has a positive and a negative case, and the clean connections raise nothing', async () => {
    expect(CONTRACT_IDS.length).toBe(13);
    expect(sorted(FINDING_IDS)).toEqual(sorted(ALL_IDS));
    const positive = new Map<string, number>();
    const negative = new Map<string, number>();
    const reasons = new Set<string>();
    let clean = 0;
    let cleanTls12 = 0;
    let cleanTls13 = 0;
    for (const [file, conns] of captures) {
      const events = await replayed(file);
      for (const c of conns) {
        if (c.findings === undefined) continue;
        const ev = eventOf(events, c);
        const got: EventFinding[] = ev?.tlsscope?.findings ?? [];
        const ids = new Set(got.map((f) => f.id));
        for (const id of ALL_IDS) {
          // counted only where the scenario and tlsscope agree
          if (c.findings.includes(id) && ids.has(id)) positive.set(id, (positive.get(id) ?? 0) + 1);
          if (!c.findings.includes(id) && !ids.has(id) && c.version !== null) negative.set(id, (negative.get(id) ?? 0) + 1);
        }
        for (const f of got) if (f.id === 'mtls_missing' && f.reason) reasons.add(f.reason);
        if (c.findings.length === 0) {
          clean++;
          if (c.version === '1.2') cleanTls12++;
          if (c.version === '1.3') cleanTls13++;
          expect(got, `${file} ${c.client} (${c.note}) is clean`).toEqual([]);
        }
      }
    }
    const missingPositive = ALL_IDS.filter((id) => !positive.has(id));
    const missingNegative = ALL_IDS.filter((id) => !negative.has(id));
    expect(missingPositive, 'ids without a confirmed positive case').toEqual([]);
    expect(missingNegative, 'ids without a confirmed negative case').toEqual([]);
    expect(sorted(reasons)).toEqual(['policy', 'requested']);
    expect(clean).toBeGreaterThanOrEqual(5);
    expect(cleanTls12).toBeGreaterThan(0);
    expect(cleanTls13).toBeGreaterThan(0);
  });
});
