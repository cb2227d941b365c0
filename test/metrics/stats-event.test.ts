import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENRICH_OPTIONS, Enricher } from '../../src/enrich/enricher.js';
import { connectionEvents } from '../../src/event/connection-events.js';
import { buildStatsEvent } from '../../src/event/stats-event.js';
import { EventCounter, takeSnapshot, type CaptureCounters, type MetricsSources, type SinkCounters } from '../../src/metrics/index.js';
import { Sensor } from '../../src/sensor.js';
import { readCapture } from '../../src/source/file-source.js';
import { pcapsDir, repoRoot } from '../support/paths.js';

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'schemas/stats.ecs.schema.json'), 'utf8')));
const errors = (ev: unknown): string | undefined => (validate(ev) ? undefined : ajv.errorsText(validate.errors, { separator: '\n' }));

describe('the tlsscope.stats event', () => {
  it('is built from the counters, validates against its schema, and its interval part counts increments', async () => {
    const counter = new EventCounter();
    const enricher = new Enricher({ ...DEFAULT_ENRICH_OPTIONS });
    const sensor = new Sensor((flow, conn) => connectionEvents(flow, conn, enricher, counter.wrap(() => {})));
    const capture: CaptureCounters[] = [{ interface: 'eth0', received: 0, kernelDrops: 0, ifDrops: 0, ownDrops: 0 }];
    const kafka: SinkCounters = { name: 'kafka', queued: 0, spooled: 0, sent: 0, failed: 0, dropped: {} };
    const sources: MetricsSources = { sensors: sensor, capture: () => capture, events: counter, sinks: () => [kafka], certificateCache: enricher.cache, reloads: { ok: 0, failed: 0 } };
    const started = Date.parse('2025-03-01T12:00:00Z');

    const s0 = takeSnapshot(sources, started + 60_000);
    const e0 = buildStatsEvent(s0, undefined, { startedAt: started, host: 'sensor-1' });
    expect(errors(e0)).toBeUndefined();
    const st0 = (e0.tlsscope as { stats: Record<string, any> }).stats;
    expect(e0['@timestamp']).toBe('2025-03-01T12:01:00.000000Z');
    expect(e0.event).toEqual({ kind: 'metric', category: ['network'], type: ['info'], dataset: 'tlsscope.stats', module: 'tlsscope', start: '2025-03-01T12:00:00.000000Z', end: '2025-03-01T12:01:00.000000Z', duration: 60e9 });
    expect(st0.capture_loss).toEqual({ percent: 0, received: 0, dropped: 0 });
    expect(st0.uptime_seconds).toBe(60);
    counter.count(e0);

    await readCapture(path.join(pcapsDir, 'findings-protocol.pcap'), sensor.packet.bind(sensor));
    sensor.finish();
    capture[0] = { interface: 'eth0', received: sensor.stats.packets, kernelDrops: 3, ifDrops: 1, ownDrops: 0 };
    Object.assign(kafka, { queued: 5, sent: 4, failed: 1, dropped: { spool_full: 2, shutdown: 1 }, queueEvents: 1, spoolBytes: 0 });

    const s1 = takeSnapshot(sources, started + 120_500);
    const e1 = buildStatsEvent(s1, s0, { startedAt: started, host: 'sensor-1', version: '9.9.9' });
    expect(errors(e1)).toBeUndefined();
    const st = (e1.tlsscope as { stats: Record<string, any> }).stats;
    const p = sensor.stats.packets;
    expect(p).toBeGreaterThan(0);
    expect(st.interval_seconds).toBe(60.5);
    expect(st.uptime_seconds).toBe(120.5);
    expect(st.packets).toBe(p);
    expect(st.bytes).toBe(sensor.stats.bytes);
    expect(st.interval.packets).toBe(p);
    expect(st.interval.packets_per_second).toBe(Math.round((p / 60.5) * 1000) / 1000);
    expect(st.capture).toMatchObject({ received: p, dropped: 4, kernel_dropped: 3, interface_dropped: 1, own_dropped: 0 });
    const loss = Math.round((4 / (p + 4)) * 100 * 1000) / 1000;
    expect(st.capture_loss).toEqual({ percent: loss, received: p, dropped: 4 });
    expect(st.capture.interfaces).toEqual([{ name: 'eth0', up: true, received: p, kernel_dropped: 3, interface_dropped: 1, own_dropped: 0, loss_percent: loss }]);
    expect(st.tls_connections).toBe(sensor.stats.tlsConnections);
    expect(st.flows).toEqual({ active: 0, created: sensor.flows.created, evicted: sensor.flows.evicted });
    expect(st.events.handshake).toBe(sensor.stats.events);
    expect(st.events.stats).toBe(1);
    const findingTotal = Object.values(st.findings as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(findingTotal).toBe(enricher.findingsRaised);
    expect(st.interval.findings).toBe(findingTotal);
    expect(st.interval.events).toBe(Object.values(st.events as Record<string, number>).reduce((a, b) => a + b, 0)); // s0 was taken before e0 was counted
    expect(st.sinks).toEqual([{ name: 'kafka', sent: 4, queued: 5, spooled: 0, failed: 1, dropped: 3, dropped_by_reason: { spool_full: 2, shutdown: 1 }, queue_events: 1, spool_bytes: 0 }]);
    expect(st.memory.budget_limit_bytes).toBe(256 << 20);
    expect(e1.observer).toEqual({ hostname: 'sensor-1', type: 'sensor', vendor: 'tlsscope', product: 'tlsscope', version: '9.9.9' });
    expect(e1.message).toMatch(new RegExp(`^packets=${p} dropped=4 capture_loss=${loss}% `));

    // the next interval: only the increments, and a capture that restarted (counters went back)
    capture[0] = { interface: 'eth0', received: 10, kernelDrops: 0, ifDrops: 0, ownDrops: 0 };
    const s2 = takeSnapshot(sources, started + 180_500);
    const e2 = buildStatsEvent(s2, s1, { startedAt: started });
    expect(errors(e2)).toBeUndefined();
    const st2 = (e2.tlsscope as { stats: Record<string, any> }).stats;
    expect(st2.interval.packets).toBe(0);
    expect(st2.capture_loss).toEqual({ percent: 0, received: 10, dropped: 0 });
  });

  it('the schema refuses what is not a stats event', () => {
    expect(errors({ '@timestamp': '2025-01-01T00:00:00.000000Z', event: { dataset: 'tlsscope.handshake' } })).toBeDefined();
    const ev = buildStatsEvent(takeSnapshot({}, 1000), undefined, { startedAt: 0, host: 'h' });
    expect(errors(ev)).toBeUndefined();
    const bad = structuredClone(ev) as { tlsscope: { stats: { capture_loss: { percent: number } } } };
    bad.tlsscope.stats.capture_loss.percent = 101;
    expect(errors(bad)).toMatch(/percent/);
  });
});
