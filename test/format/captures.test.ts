import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFindingEvents } from '../../src/event/finding-event.js';
import { render, type FormatContext } from '../../src/format/index.js';
import { corpusRoot, pcapsDir } from '../support/paths.js';
import { replayFiles } from '../support/replay.js';
import { formatSchemaErrors } from './format-schemas.js';
import { gelfViolations } from './graylog-rules.js';

/**
 * Every event of the project's captures (pcaps/*.pcap, replayed with the findings root and
 * policy so that every finding id occurs) and of the Zeek corpus (traces/*.pcap), plus the
 * finding events of every handshake, rendered as GELF and OCSF: each rendering must pass its
 * schema, and each GELF message Graylog's rules.
 */

const ctx: FormatContext = { host: 'sensor-1.example', productVersion: '0.1.0' };
const GELF_LEVEL_OF: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5 };
const OCSF_SEVERITY_OF: Record<string, number> = { critical: 5, high: 4, medium: 3, low: 2 };
const RANK = ['low', 'medium', 'high', 'critical'];

interface Corpus {
  name: string;
  events: any[]; // handshake + certificate events, emission order
  findings: any[]; // the finding events of every handshake
}

const corpora: Corpus[] = [];

function pcapsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pcap'))
    .sort()
    .map((f) => path.join(dir, f));
}

beforeAll(async () => {
  const own = await replayFiles(pcapsIn(pcapsDir), {
    caFiles: [path.join(pcapsDir, 'findings-ca.pem')],
    policyFile: path.join(pcapsDir, 'findings-policy.yaml'),
  });
  const zeek = await replayFiles(pcapsIn(path.join(corpusRoot, 'zeek', 'traces')));
  for (const [name, r] of [
    ['pcaps', own],
    ['zeek traces', zeek],
  ] as const) {
    // The sensor may emit the finding events itself; otherwise they are built here, as the
    // findings sink does, from each handshake.
    const emitted = r.all.filter((e) => e.event.dataset === 'tlsscope.finding');
    corpora.push({
      name,
      events: r.all.filter((e) => e.event.dataset !== 'tlsscope.finding'),
      findings: emitted.length > 0 ? emitted : r.events.flatMap((h) => buildFindingEvents(h)),
    });
  }
});

const everything = (): any[] => corpora.flatMap((c) => [...c.events, ...c.findings]);
const handshakes = (): any[] => corpora.flatMap((c) => c.events.filter((e) => e.event.dataset === 'tlsscope.handshake'));

function expectedMicros(ts: string): bigint {
  const m = /^(.{19})(?:\.(\d+))?Z$/.exec(ts)!;
  const sec = BigInt(Date.parse(m[1] + 'Z') / 1000);
  return sec * 1_000_000n + BigInt((m[2] ?? '').padEnd(6, '0').slice(0, 6));
}

function worst(findings: { severity: string }[]): string | undefined {
  let w = -1;
  for (const f of findings) w = Math.max(w, RANK.indexOf(f.severity));
  return w < 0 ? undefined : RANK[w];
}

describe('renderings of every captured event', () => {
  it('replays enough of each kind to mean something', () => {
    const all = everything();
    const count = (ds: string): number => all.filter((e) => e.event.dataset === ds).length;
    expect(count('tlsscope.handshake')).toBeGreaterThan(100);
    expect(count('tlsscope.certificate')).toBeGreaterThan(50);
    expect(count('tlsscope.finding')).toBeGreaterThan(100);
    // Every finding id of the catalog occurs, so every finding rendering is exercised.
    expect(new Set(all.filter((e) => e.event.dataset === 'tlsscope.finding').map((e) => e.rule.id)).size).toBe(16);
  });

  it('ECS finding events match schemas/finding.ecs.schema.json', () => {
    const bad: string[] = [];
    for (const e of everything().filter((x) => x.event.dataset === 'tlsscope.finding')) {
      const err = formatSchemaErrors('tlsscope.finding', 'ecs', e);
      if (err) bad.push(`${e.rule.id} ${e.destination.ip}: ${err}`);
      expect(e.rule.id).toBe(e.tlsscope.finding.id);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('every GELF message passes Graylog’s rules and its schema', () => {
    const bad: string[] = [];
    for (const e of everything()) {
      const g = render('gelf', e, ctx);
      const v = gelfViolations(g);
      if (v.length > 0) bad.push(`${e.event.dataset} ${g.short_message}: ${v.join('; ')}`);
      const err = formatSchemaErrors(e.event.dataset, 'gelf', g);
      if (err) bad.push(`${e.event.dataset} ${g.short_message}: schema: ${err}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('every OCSF event passes its schema', () => {
    const bad: string[] = [];
    for (const e of everything()) {
      const o = render('ocsf', e, ctx);
      const err = formatSchemaErrors(e.event.dataset, 'ocsf', o);
      if (err) bad.push(`${e.event.dataset} ${o.message}: ${err}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('rendering is pure: the event is left as it was and the result is the same every time', () => {
    for (const e of everything().slice(0, 200)) {
      const before = JSON.stringify(e);
      const g1 = JSON.stringify(render('gelf', e, ctx));
      const o1 = JSON.stringify(render('ocsf', e, ctx));
      expect(JSON.stringify(e)).toBe(before);
      expect(JSON.stringify(render('gelf', e, ctx))).toBe(g1);
      expect(JSON.stringify(render('ocsf', e, ctx))).toBe(o1);
      expect(render('ecs', e, ctx)).toBe(e);
    }
  });
});

describe('GELF values', () => {
  it('timestamp is @timestamp in seconds, to the microsecond', () => {
    for (const e of everything()) {
      const g = render('gelf', e, ctx);
      expect(typeof g.timestamp).toBe('number');
      expect(BigInt(Math.round((g.timestamp as number) * 1e6))).toBe(expectedMicros(e['@timestamp']));
      expect(JSON.stringify(g.timestamp)).toMatch(/^\d{10}(\.\d{1,6})?$/);
      expect(g._event_timestamp).toBe(e['@timestamp']);
    }
  });

  it('level is the syslog severity of the worst finding', () => {
    for (const e of everything()) {
      const g = render('gelf', e, ctx);
      const findings = e.event.dataset === 'tlsscope.finding' ? [e.tlsscope.finding] : (e.tlsscope.findings ?? []);
      const w = worst(findings);
      expect(g.level).toBe(w ? GELF_LEVEL_OF[w] : 6);
      expect(g._worst_severity).toBe(w ?? 'none');
      expect(g._finding_count).toBe(findings.length);
      if (findings.length > 0) expect(g._finding_ids).toBe(findings.map((f: any) => f.id).join(','));
    }
    // A known case: the self-signed leaf (findings-certs.pcap) has self_signed (medium) and
    // untrusted_chain (high): level 3 (error).
    const h = handshakes().find((x) => x.tls.client.server_name === 'selfsigned.findings.tlsscope.test' && x.tls.version === '1.2');
    expect(h).toBeDefined();
    const g = render('gelf', h, ctx);
    expect(g.level).toBe(3);
    expect(g._finding_ids).toBe('self_signed,untrusted_chain');
    expect(g.short_message).toMatch(/^TLS 1\.2 10\.99\.0\.1:\d+ → 10\.99\.0\.2:443 selfsigned\.findings\.tlsscope\.test TLS_\S+ established; findings: self_signed\(medium\), untrusted_chain\(high\)$/);
  });

  it('carries the event’s fields, flattened', () => {
    for (const h of handshakes()) {
      const g = render('gelf', h, ctx);
      expect(g._source_ip).toBe(h.source.ip);
      expect(g._destination_port).toBe(h.destination.port);
      expect(g._tls_established).toBe(String(h.tls.established));
      if (h.tls.client?.server_name !== undefined) expect(g._tls_client_server_name).toBe(h.tls.client.server_name);
      if (h.tls.client?.ja3 !== undefined) expect(g._tls_client_ja3).toBe(h.tls.client.ja3);
      if (h.tlsscope.client?.cipher_suites?.length) expect(g._tlsscope_client_cipher_suites).toBe(h.tlsscope.client.cipher_suites.join(','));
      if (h.tlsscope.server?.certificates?.length) expect(JSON.parse(g._tlsscope_server_certificates as string)).toEqual(h.tlsscope.server.certificates);
      expect(g._tlsscope_mtls_method).toBe(h.tlsscope.mtls.method);
    }
    const f = corpora[0].findings[0];
    const g = render('gelf', f, ctx);
    expect(g._ecs_message).toBe(f.message); // ECS `message` would be dropped by Graylog
    expect(g._rule_id).toBe(f.rule.id);
    expect(g.short_message).toBe(`[${f.tlsscope.finding.severity}] ${f.rule.id}: ${f.message} — ${f.source.ip}:${f.source.port} → ${f.destination.ip}:${f.destination.port} ${f.tls.client.server_name}`);
  });
});

describe('OCSF values', () => {
  it('handshakes: Network Activity, Open or Fail, time in ms, severity of the worst finding', () => {
    for (const h of handshakes()) {
      const o: any = render('ocsf', h, ctx);
      expect(o.class_uid).toBe(4001);
      expect(o.activity_id).toBe(h.tls.established ? 1 : 4);
      expect(o.type_uid).toBe(4001 * 100 + o.activity_id);
      expect(o.time).toBe(Number(expectedMicros(h['@timestamp']) / 1000n));
      const w = worst(h.tlsscope.findings);
      expect(o.severity_id).toBe(w ? OCSF_SEVERITY_OF[w] : 1);
      expect(o.src_endpoint).toMatchObject({ ip: h.source.ip, port: h.source.port });
      expect(o.dst_endpoint).toMatchObject({ ip: h.destination.ip, port: h.destination.port });
      expect(o.metadata.product).toEqual({ name: 'tlsscope', vendor_name: 'tlsscope', version: '0.1.0' });
      expect(o.tls.version).toBe(h.tls.version);
    }
  });

  it('puts the SNI in dst_endpoint.hostname and tls.sni', () => {
    let seen = 0;
    for (const h of handshakes()) {
      const sni = h.tls.client?.server_name;
      if (sni === undefined) continue;
      const o: any = render('ocsf', h, ctx);
      expect(o.tls.sni).toBe(sni);
      if (h.tlsscope.client?.ech?.type !== 'outer') {
        expect(o.dst_endpoint.hostname).toBe(sni);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(50);
    const h = handshakes().find((x) => x.tls.client.server_name === 'expired.findings.tlsscope.test');
    expect((render('ocsf', h, ctx) as any).dst_endpoint.hostname).toBe('expired.findings.tlsscope.test');
  });

  it('puts JA3 and JA3S in tls.ja3_hash / tls.ja3s_hash (MD5 fingerprints)', () => {
    let seen = 0;
    for (const h of handshakes()) {
      const o: any = render('ocsf', h, ctx);
      if (h.tls.client?.ja3) {
        expect(o.tls.ja3_hash).toEqual({ algorithm_id: 1, algorithm: 'MD5', value: h.tls.client.ja3 });
        seen++;
      } else expect(o.tls.ja3_hash).toBeUndefined();
      if (h.tls.server?.ja3s) expect(o.tls.ja3s_hash).toEqual({ algorithm_id: 1, algorithm: 'MD5', value: h.tls.server.ja3s });
    }
    expect(seen).toBeGreaterThan(100);
  });

  it('keeps mTLS, JA4, findings and validation under unmapped.tlsscope', () => {
    for (const h of handshakes()) {
      const o: any = render('ocsf', h, ctx);
      expect(o.unmapped.tlsscope.mtls).toEqual(h.tlsscope.mtls);
      expect(o.unmapped.tlsscope.findings).toEqual(h.tlsscope.findings);
      expect(o.unmapped.tlsscope.ja4).toBe(h.tlsscope.ja4);
      expect(o.unmapped.tlsscope.server?.validation).toEqual(h.tlsscope.server?.validation);
    }
    // findings-mtls.pcap: port 9443, client certificate required and sent.
    const h = handshakes().find((x) => x.destination.port === 9443 && x.tlsscope.mtls.presented === true);
    expect(h).toBeDefined();
    expect((render('ocsf', h, ctx) as any).unmapped.tlsscope.mtls).toEqual({ requested: true, presented: true, method: 'observed' });
  });

  it('maps the server leaf to tls.certificate with its SHA-256 fingerprint', () => {
    for (const h of handshakes()) {
      const leaf = h.tlsscope.server?.certificates?.[0];
      const o: any = render('ocsf', h, ctx);
      if (!leaf) {
        expect(o.tls.certificate).toBeUndefined();
        continue;
      }
      expect(o.tls.certificate.fingerprints).toEqual([{ algorithm_id: 3, algorithm: 'SHA-256', value: leaf.sha256 }]);
      if (!leaf.parse_error) {
        expect(o.tls.certificate).toMatchObject({ subject: leaf.subject, issuer: leaf.issuer, serial_number: leaf.serial_number, expiration_time: Date.parse(leaf.not_after) });
      }
    }
  });

  it('certificates: Network Activity "Other" (Certificate Observed); findings: Detection Finding', () => {
    const uids = new Set<string>();
    const distinct = new Set<string>();
    for (const e of everything()) {
      const o: any = render('ocsf', e, ctx);
      if (e.event.dataset === 'tlsscope.certificate') {
        expect([o.class_uid, o.activity_id, o.type_uid, o.activity_name]).toEqual([4001, 99, 400199, 'Certificate Observed']);
        expect(o.unmapped.tlsscope.certificate.sha256).toBe(e.tlsscope.certificate.sha256);
        if (e.tlsscope.seen.side === 'server') expect(o.tls.certificate.fingerprints[0].value).toBe(e.tlsscope.certificate.sha256);
      } else if (e.event.dataset === 'tlsscope.finding') {
        expect([o.class_uid, o.category_uid, o.activity_id, o.type_uid]).toEqual([2004, 2, 1, 200401]);
        expect(o.severity_id).toBe(OCSF_SEVERITY_OF[e.tlsscope.finding.severity]);
        expect(o.finding_info.analytic.uid).toBe(e.rule.id);
        expect(o.finding_info.desc).toBe(e.tlsscope.finding.message);
        expect(o.evidences[0].dst_endpoint.ip).toBe(e.destination.ip);
        // One connection's handshake, certificates and findings share metadata.correlation_uid.
        expect(o.metadata.correlation_uid).toBe(`${e['@timestamp']} ${e.source.ip.includes(':') ? `[${e.source.ip}]` : e.source.ip}:${e.source.port}-${e.destination.ip.includes(':') ? `[${e.destination.ip}]` : e.destination.ip}:${e.destination.port}`);
        uids.add(o.finding_info.uid);
        distinct.add(JSON.stringify([e['@timestamp'], e.source, e.destination, e.tlsscope.finding]));
      }
    }
    // finding_info.uid tells the findings of a connection apart (the Zeek corpus has one
    // connection in two traces, captured differently: the same finding of the same
    // connection shares its uid).
    expect(uids.size).toBe(distinct.size);
  });
});
