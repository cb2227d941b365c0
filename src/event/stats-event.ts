import { hostname } from 'node:os';
import { captureDrops, lossPercent, type Snapshot } from '../metrics/sources.js';
import { rfc3339 } from './ip.js';

/** The periodic `tlsscope.stats` event (schemas/stats.ecs.schema.json). */
export type StatsEvent = Record<string, unknown>;

export interface StatsContext {
  /** When the sensor started, ms since the epoch (the first interval starts here). */
  startedAt: number;
  host?: string;
  version?: string;
}

const PRODUCT_VERSION = '0.1.0';

function timestamp(ms: number): string {
  const sec = Math.floor(ms / 1000);
  return rfc3339(sec, Math.round((ms - sec * 1000) * 1e6));
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** `tlsscope.handshake` → `handshake` (object keys without dots, for ECS/Elasticsearch). */
const shortDataset = (ds: string): string => ds.replace(/^tlsscope\./, '').replace(/\./g, '_');

function sum(values: Iterable<number>): number {
  let n = 0;
  for (const v of values) n += v;
  return n;
}

function findingTotals(s: Snapshot): Record<string, number> {
  return Object.fromEntries(Object.entries(s.findings).map(([id, bySev]) => [id, sum(Object.values(bySev))]));
}

/**
 * The stats event of the interval that ends at `now` (a snapshot of every counter) and
 * began at `prev` (or at the start): cumulative totals like Suricata's stats, and the
 * interval's capture loss like Zeek's capture_loss (drops / (received + drops), all
 * interfaces, all causes: kernel, interface, tlsscope's own queue).
 */
export function buildStatsEvent(now: Snapshot, prev: Snapshot | undefined, ctx: StatsContext): StatsEvent {
  const from = prev?.at ?? ctx.startedAt;
  const intervalSec = Math.max(0, (now.at - from) / 1000);
  const host = ctx.host ?? hostname();

  const received = sum(now.capture.map((c) => c.received));
  const kernel = sum(now.capture.map((c) => c.kernelDrops));
  const iface = sum(now.capture.map((c) => c.ifDrops));
  const own = sum(now.capture.map((c) => c.ownDrops));
  const dropped = kernel + iface + own;
  const prevReceived = prev ? sum(prev.capture.map((c) => c.received)) : 0;
  const prevDropped = prev ? sum(prev.capture.map(captureDrops)) : 0;
  // A capture restarted (counters went back): count the interval from zero.
  const dReceived = received >= prevReceived ? received - prevReceived : received;
  const dDropped = dropped >= prevDropped ? dropped - prevDropped : dropped;

  const events = Object.fromEntries(Object.entries(now.events).map(([ds, n]) => [shortDataset(ds), n]));
  const findings = findingTotals(now);
  const totalFindings = sum(Object.values(findings));
  const totalEvents = sum(Object.values(now.events));
  const delta = (a: number, b: number | undefined): number => (b !== undefined && a >= b ? a - b : a);
  const interval = {
    packets: delta(now.packets, prev?.packets),
    bytes: delta(now.bytes, prev?.bytes),
    received: dReceived,
    dropped: dDropped,
    tls_connections: delta(now.tlsConnections, prev?.tlsConnections),
    events: delta(totalEvents, prev ? sum(Object.values(prev.events)) : undefined),
    findings: delta(totalFindings, prev ? sum(Object.values(findingTotals(prev))) : undefined),
    packets_per_second: intervalSec > 0 ? round3(delta(now.packets, prev?.packets) / intervalSec) : 0,
  };
  const loss = lossPercent(dReceived, dDropped);

  const stats: Record<string, unknown> = {
    uptime_seconds: round3(Math.max(0, (now.at - ctx.startedAt) / 1000)),
    interval_seconds: round3(intervalSec),
    capture_loss: { percent: loss, received: dReceived, dropped: dDropped },
    capture: {
      received,
      dropped,
      kernel_dropped: kernel,
      interface_dropped: iface,
      own_dropped: own,
      loss_percent: lossPercent(received, dropped),
      interfaces: now.capture.map((c) => ({
        name: c.interface,
        up: c.up !== false,
        received: c.received,
        kernel_dropped: c.kernelDrops,
        interface_dropped: c.ifDrops,
        own_dropped: c.ownDrops,
        loss_percent: lossPercent(c.received, captureDrops(c)),
      })),
    },
    packets: now.packets,
    bytes: now.bytes,
    tcp_packets: now.tcpPackets,
    udp_packets: now.udpPackets,
    decode: { ...now.decode },
    reassembly_gaps: now.reassemblyGaps,
    tls_connections: now.tlsConnections,
    flows: { active: now.flows.active, created: now.flows.created, evicted: { ...now.flows.evicted } },
    memory: {
      budget_used_bytes: now.memory.budgetUsed,
      budget_limit_bytes: now.memory.budgetLimit,
      budget_peak_bytes: now.memory.budgetPeak,
      budget_refused: now.memory.budgetRefused,
      rss_bytes: now.memory.rss,
      heap_used_bytes: now.memory.heapUsed,
    },
    events,
    findings,
    sinks: now.sinks.map((k) => ({
      name: k.name,
      sent: k.sent,
      ...(k.queued !== undefined ? { queued: k.queued } : {}),
      ...(k.spooled !== undefined ? { spooled: k.spooled } : {}),
      ...(k.failed !== undefined ? { failed: k.failed } : {}),
      dropped: sum(Object.values(k.dropped ?? {})),
      dropped_by_reason: { ...(k.dropped ?? {}) },
      ...(k.queueEvents !== undefined ? { queue_events: k.queueEvents } : {}),
      ...(k.spoolBytes !== undefined ? { spool_bytes: k.spoolBytes } : {}),
    })),
    interval,
  };
  if (now.certificateCache) stats.certificate_cache = { hits: now.certificateCache.hits, misses: now.certificateCache.misses };
  if (now.reloads) stats.policy_reloads = { ok: now.reloads.ok, failed: now.reloads.failed };

  return {
    '@timestamp': timestamp(now.at),
    event: {
      kind: 'metric',
      category: ['network'],
      type: ['info'],
      dataset: 'tlsscope.stats',
      module: 'tlsscope',
      start: timestamp(from),
      end: timestamp(now.at),
      duration: Math.round(intervalSec * 1e9),
    },
    message:
      `packets=${interval.packets} dropped=${dDropped} capture_loss=${loss}% tls_connections=${interval.tls_connections}` +
      ` events=${interval.events} findings=${interval.findings} flows_active=${now.flows.active} interval=${round3(intervalSec)}s`,
    host: { name: host },
    observer: { hostname: host, type: 'sensor', vendor: 'tlsscope', product: 'tlsscope', version: ctx.version ?? PRODUCT_VERSION },
    tlsscope: { stats },
  };
}
