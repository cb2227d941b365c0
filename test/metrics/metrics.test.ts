import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENRICH_OPTIONS, Enricher } from '../../src/enrich/enricher.js';
import { connectionEvents } from '../../src/event/connection-events.js';
import {
  collectSensorMetrics,
  CONTENT_TYPE,
  EventCounter,
  METRICS,
  MetricsListenError,
  parseListen,
  probe,
  Registry,
  startMetricsServer,
  type CaptureCounters,
  type HealthStatus,
  type SinkCounters,
} from '../../src/metrics/index.js';
import { Sensor } from '../../src/sensor.js';
import { readCapture } from '../../src/source/file-source.js';
import { pcapsDir } from '../support/paths.js';
import { parseExposition, valueOf } from './exposition.js';

async function get(url: string, method = 'GET'): Promise<{ status: number; type: string | null; body: string }> {
  const r = await fetch(url, { method });
  return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
}

const hasIpv6 = Object.values(os.networkInterfaces()).some((l) => l?.some((a) => a.family === 'IPv6' && a.internal));

describe('the registry and the exposition format', () => {
  it('renders HELP, TYPE and samples, escaping help text and label values', () => {
    const r = new Registry();
    const c = r.counter('t_requests_total', 'Requests.\nSecond line with a \\ backslash', ['path']);
    c.inc({ path: '/a"b' });
    c.inc({ path: '/a"b' }, 2);
    c.inc({ path: 'back\\slash\nnewline' });
    const g = r.gauge('t_temperature', 'Temperature');
    g.set(undefined, -1.5);
    const odd = r.gauge('t_odd', 'Odd values', ['k']);
    odd.set({ k: 'nan' }, NaN);
    odd.set({ k: 'inf' }, Infinity);
    odd.set({ k: 'minf' }, -Infinity);
    odd.set({ k: 'ünïcode ✓' }, 1e21);
    const text = r.render();
    expect(text).toBe(
      [
        '# HELP t_requests_total Requests.\\nSecond line with a \\\\ backslash',
        '# TYPE t_requests_total counter',
        't_requests_total{path="/a\\"b"} 3',
        't_requests_total{path="back\\\\slash\\nnewline"} 1',
        '# HELP t_temperature Temperature',
        '# TYPE t_temperature gauge',
        't_temperature -1.5',
        '# HELP t_odd Odd values',
        '# TYPE t_odd gauge',
        't_odd{k="nan"} NaN',
        't_odd{k="inf"} +Inf',
        't_odd{k="minf"} -Inf',
        't_odd{k="ünïcode ✓"} 1e+21',
        '',
      ].join('\n'),
    );
    const f = parseExposition(text);
    expect(f.get('t_requests_total')!.help).toBe('Requests.\nSecond line with a \\ backslash');
    expect(valueOf(f, 't_requests_total', { path: '/a"b' })).toBe(3);
    expect(valueOf(f, 't_requests_total', { path: 'back\\slash\nnewline' })).toBe(1);
    expect(valueOf(f, 't_odd', { k: 'nan' })).toBeNaN();
    expect(valueOf(f, 't_odd', { k: 'ünïcode ✓' })).toBe(1e21);
  });

  it('refuses what would make a bad exposition', () => {
    const r = new Registry();
    expect(() => r.counter('t_requests', 'x')).toThrow(/must end in _total/);
    expect(() => r.gauge('9bad', 'x')).toThrow(/not valid/);
    expect(() => r.gauge('t_x', 'x', ['__reserved'])).toThrow(/not valid/);
    expect(() => r.gauge('t_x', 'x', ['a', 'a'])).toThrow(/duplicate/);
    const c = r.counter('t_a_total', 'a', ['k']);
    expect(() => c.inc({ k: 'v' }, -1)).toThrow(/only goes up/);
    expect(() => c.inc({ other: 'v' })).toThrow(/labels/);
    expect(() => c.inc()).toThrow(/labels/);
    expect(() => r.gauge('t_a_total', 'a', ['k'])).toThrow(/already registered as a counter/);
    expect(r.counter('t_a_total', 'a', ['k'])).toBe(c);
  });

  it('the test parser catches malformed text (so it can be trusted)', () => {
    const ok = '# HELP a_total x\n# TYPE a_total counter\na_total 1\n';
    expect(() => parseExposition(ok)).not.toThrow();
    for (const bad of [
      'a_total 1\n', // no HELP/TYPE
      '# HELP a x\n# TYPE a counter\na 1\n', // counter without _total
      '# HELP a x\n# TYPE a gauge\na{b="c} 1\n', // unterminated
      '# HELP a x\n# TYPE a gauge\na{b="\\t"} 1\n', // bad escape
      '# HELP a x\n# TYPE a gauge\na 1\na 2\n', // duplicate series
      '# HELP a x\n# TYPE a gauge\na one\n', // value
      '# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na{x="1"} 1\n', // split family
      '# HELP a x\n# TYPE a gauge\na 1', // no final line feed
    ]) {
      expect(() => parseExposition(bad), bad).toThrow();
    }
  });
});

describe('startMetricsServer', () => {
  const registry = new Registry();
  const hits = registry.counter('t_scrapes_total', 'Scrapes');
  registry.onCollect(() => hits.inc());

  it('binds port 0 on IPv4 and says the real address; serves /metrics, /healthz, /readyz', async () => {
    let health: HealthStatus = { live: true, ready: false, detail: { capture: 'opening' } };
    const s = await startMetricsServer('127.0.0.1:0', registry, () => health);
    try {
      expect(s.host).toBe('127.0.0.1');
      expect(s.port).toBeGreaterThan(0);
      expect(s.address).toBe(`127.0.0.1:${s.port}`);
      const base = `http://${s.address}`;

      const m1 = await get(`${base}/metrics`);
      expect(m1.status).toBe(200);
      expect(m1.type).toBe(CONTENT_TYPE);
      expect(valueOf(parseExposition(m1.body), 't_scrapes_total')).toBe(1);
      const m2 = await get(`${base}/metrics?x=1`);
      expect(valueOf(parseExposition(m2.body), 't_scrapes_total')).toBe(2);

      expect(await get(`${base}/healthz`)).toMatchObject({ status: 200, type: 'application/json' });
      const notReady = await get(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(JSON.parse(notReady.body)).toEqual({ status: 'unavailable', live: true, ready: false, capture: 'opening' });
      health = { live: true, ready: true };
      expect((await get(`${base}/readyz`)).status).toBe(200);
      health = { live: false, ready: true };
      expect((await get(`${base}/healthz`)).status).toBe(503);
      expect((await get(`${base}/readyz`)).status).toBe(503);
      expect(await probe(s.address)).toMatchObject({ ok: false });
      health = { live: true, ready: true };
      expect(await probe(s.address)).toMatchObject({ ok: true });

      expect((await get(`${base}/nope`)).status).toBe(404);
      const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
      const head = await get(`${base}/metrics`, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
    } finally {
      await s.close();
    }
    await expect(get(`http://${s.address}/healthz`)).rejects.toThrow();
  });

  it('a health function that throws is 503 with the reason', async () => {
    const s = await startMetricsServer('127.0.0.1:0', registry, () => {
      throw new Error('capture gone');
    });
    try {
      const r = await get(`http://${s.address}/healthz`);
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body).error).toBe('capture gone');
    } finally {
      await s.close();
    }
  });

  it.skipIf(!hasIpv6)('binds IPv6 loopback: [::1]:0', async () => {
    const s = await startMetricsServer('[::1]:0', registry, () => ({ live: true, ready: true }));
    try {
      expect(s.address).toBe(`[::1]:${s.port}`);
      expect((await get(`http://${s.address}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('":0" binds every interface', async () => {
    const s = await startMetricsServer(':0', registry, () => ({ live: true, ready: true }));
    try {
      expect(['::', '0.0.0.0']).toContain(s.host);
      expect((await get(`http://127.0.0.1:${s.port}/healthz`)).status).toBe(200);
      expect(await probe(`:${s.port}`)).toMatchObject({ ok: true });
    } finally {
      await s.close();
    }
  });

  it('a bad address or a port in use is a one-line MetricsListenError', async () => {
    await expect(startMetricsServer('localhost', registry, () => ({ live: true, ready: true }))).rejects.toThrow(MetricsListenError);
    await expect(startMetricsServer('bad_host!:80', registry, () => ({ live: true, ready: true }))).rejects.toThrow(/not an IP address or host name/);
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      await expect(startMetricsServer(`127.0.0.1:${port}`, registry, () => ({ live: true, ready: true }))).rejects.toThrow(`cannot listen on 127.0.0.1:${port} for metrics: EADDRINUSE`);
    } finally {
      busy.close();
    }
  });

  it('parseListen', () => {
    expect(parseListen('127.0.0.1:9100')).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(parseListen('[::]:9100')).toEqual({ host: '::', port: 9100 });
    expect(parseListen(':9100')).toEqual({ host: '', port: 9100 });
    expect(parseListen('9100')).toEqual({ host: '', port: 9100 });
    expect(parseListen('metrics.local:0')).toEqual({ host: 'metrics.local', port: 0 });
    expect(parseListen('[fe80::zz]:1')).toMatch(/not an IPv6 address/);
    expect(parseListen('host:')).toMatch(/not a port number/);
  });
});

describe('collectSensorMetrics', () => {
  it('exports the sensor, capture, flow, event, finding and sink counters, and they move', async () => {
    const counter = new EventCounter();
    const enricher = new Enricher({ ...DEFAULT_ENRICH_OPTIONS });
    const delivered: Record<string, unknown>[] = [];
    const write = counter.wrap((e: Record<string, unknown>) => void delivered.push(e));
    const sensor = new Sensor((flow, conn) => connectionEvents(flow, conn, enricher, write));
    const capture: CaptureCounters[] = [
      { interface: 'eth0', received: 0, kernelDrops: 0, ifDrops: 0, ownDrops: 0 },
      { interface: 'eth1', received: 0, kernelDrops: 0, ifDrops: 0, ownDrops: 0, up: false },
    ];
    const kafka: SinkCounters = { name: 'kafka', queued: 0, spooled: 0, sent: 0, failed: 0, dropped: {}, queueEvents: 0, spoolBytes: 0 };
    const reloads = { ok: 0, failed: 0 };
    const registry = new Registry();
    registry.onCollect(() => collectSensorMetrics(registry, { sensors: sensor, capture: () => capture, events: counter, sinks: () => [kafka, { name: 'stdout', sent: delivered.length }], certificateCache: enricher.cache, reloads }));
    const s = await startMetricsServer('127.0.0.1:0', registry, () => ({ live: true, ready: true }));
    try {
      const scrape = async () => parseExposition((await get(`http://${s.address}/metrics`)).body);

      const before = await scrape();
      // every metric is there from the first scrape, named tlsscope_*, with HELP and TYPE
      for (const m of Object.values(METRICS)) {
        const f = before.get(m.name);
        expect(f, m.name).toBeDefined();
        expect(f!.type).toBe(m.type);
        expect(m.name).toMatch(/^tlsscope_[a-z0-9_]+$/);
        if (m.type === 'counter') expect(m.name).toMatch(/_total$/);
        else expect(m.name).not.toMatch(/_total$/);
      }
      expect(valueOf(before, 'tlsscope_packets_total')).toBe(0);
      expect(valueOf(before, 'tlsscope_build_info', { version: '0.1.0', node_version: process.version })).toBe(1);
      expect(valueOf(before, 'tlsscope_capture_up', { interface: 'eth1' })).toBe(0);

      for (const f of ['findings-protocol.pcap', 'openssl-tls13.pcap']) await readCapture(path.join(pcapsDir, f), sensor.packet.bind(sensor));
      capture[0] = { ...capture[0], received: sensor.stats.packets, kernelDrops: 7, ifDrops: 1, ownDrops: 2 };
      Object.assign(kafka, { queued: 10, spooled: 4, sent: 9, failed: 2, dropped: { spool_full: 3 }, queueEvents: 1, spoolBytes: 4096 });
      reloads.ok = 1;
      const open = await scrape();
      expect(valueOf(open, 'tlsscope_flows_active')).toBe(sensor.flows.size);
      expect(sensor.flows.size).toBeGreaterThan(0);
      sensor.finish();
      const after = await scrape();

      const st = sensor.stats;
      expect(st.packets).toBeGreaterThan(0);
      expect(valueOf(after, 'tlsscope_packets_total')).toBe(st.packets);
      expect(valueOf(after, 'tlsscope_bytes_total')).toBe(st.bytes);
      expect(valueOf(after, 'tlsscope_decoded_packets_total', { result: 'ok' })).toBe(st.decode.ok);
      expect(valueOf(after, 'tlsscope_transport_packets_total', { protocol: 'tcp' })).toBe(st.tcpPackets);
      expect(valueOf(after, 'tlsscope_tls_connections_total')).toBe(st.tlsConnections);
      expect(valueOf(after, 'tlsscope_reassembly_gaps_total')).toBe(st.reassemblyGaps);
      expect(valueOf(after, 'tlsscope_flows_active')).toBe(0);
      expect(valueOf(after, 'tlsscope_flows_created_total')).toBe(sensor.flows.created);
      expect(valueOf(after, 'tlsscope_flows_evicted_total', { reason: 'end' })).toBe(sensor.flows.evicted.end);
      expect(valueOf(after, 'tlsscope_memory_budget_limit_bytes')).toBe(256 << 20);

      const handshakes = delivered.filter((e) => (e.event as { dataset: string }).dataset === 'tlsscope.handshake').length;
      expect(handshakes).toBe(st.events);
      expect(valueOf(after, 'tlsscope_events_total', { dataset: 'tlsscope.handshake' })).toBe(handshakes);
      const findings = delivered.filter((e) => (e.event as { dataset: string }).dataset === 'tlsscope.finding') as { tlsscope: { finding: { id: string; severity: string } } }[];
      expect(findings.length).toBeGreaterThan(0);
      const f0 = findings[0].tlsscope.finding;
      expect(valueOf(after, 'tlsscope_findings_total', { id: f0.id, severity: f0.severity })).toBe(findings.filter((f) => f.tlsscope.finding.id === f0.id && f.tlsscope.finding.severity === f0.severity).length);
      const allFindings = after.get('tlsscope_findings_total')!.samples.reduce((n, x) => n + x.value, 0);
      expect(allFindings).toBe(findings.length);
      expect(allFindings).toBe(enricher.findingsRaised);

      expect(valueOf(after, 'tlsscope_capture_received_packets_total', { interface: 'eth0' })).toBe(st.packets);
      expect(valueOf(after, 'tlsscope_capture_kernel_dropped_packets_total', { interface: 'eth0' })).toBe(7);
      expect(valueOf(after, 'tlsscope_capture_interface_dropped_packets_total', { interface: 'eth0' })).toBe(1);
      expect(valueOf(after, 'tlsscope_capture_own_dropped_packets_total', { interface: 'eth0' })).toBe(2);
      expect(valueOf(after, 'tlsscope_sink_sent_events_total', { sink: 'kafka' })).toBe(9);
      expect(valueOf(after, 'tlsscope_sink_sent_events_total', { sink: 'stdout' })).toBe(delivered.length);
      expect(valueOf(after, 'tlsscope_sink_queued_events_total', { sink: 'stdout' })).toBeUndefined();
      expect(valueOf(after, 'tlsscope_sink_failed_requests_total', { sink: 'kafka' })).toBe(2);
      expect(valueOf(after, 'tlsscope_sink_dropped_events_total', { sink: 'kafka', reason: 'spool_full' })).toBe(3);
      expect(valueOf(after, 'tlsscope_sink_spool_bytes', { sink: 'kafka' })).toBe(4096);
      expect(valueOf(after, 'tlsscope_policy_reloads_total', { result: 'ok' })).toBe(1);
      expect(valueOf(after, 'tlsscope_certificate_cache_lookups_total', { result: 'miss' })).toBe(enricher.cache.misses);

      // an interface that goes away takes its series with it
      capture.pop();
      const fewer = await scrape();
      expect(valueOf(fewer, 'tlsscope_capture_up', { interface: 'eth1' })).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});
