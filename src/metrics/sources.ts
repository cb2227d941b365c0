import type { SensorStats } from '../sensor.js';

/** What the metrics and the stats event read of a Sensor (a Sensor is one). */
export interface SensorLike {
  readonly stats: SensorStats;
  readonly flows: { readonly size: number; readonly created: number; readonly evicted: Readonly<Record<string, number>> };
  readonly budget: { readonly used: number; readonly limit: number; readonly peak: number; readonly shed: number };
}

/**
 * One interface's capture counters since the capture started (the live source's
 * InterfaceStats is one).
 */
export interface CaptureCounters {
  interface: string;
  /** Packets the capture handed to tlsscope. */
  received: number;
  /** Dropped by the kernel: its capture ring was full (pcap_stats ps_drop). */
  kernelDrops: number;
  /** Dropped by the interface or its driver (pcap_stats ps_ifdrop). */
  ifDrops: number;
  /** Received by tlsscope but not processed (after stop, a failing handler, a full queue). */
  ownDrops: number;
  /** The capture is open and delivering. */
  up?: boolean;
}

/** A sink's counters: Kafka's KafkaSinkCounters, or for a file/stdout just `sent` (NdjsonSink.written). */
export interface SinkCounters {
  /** kafka, file, stdout. */
  name: string;
  queued?: number;
  spooled?: number;
  sent: number;
  /** Produce requests that failed (retried or spooled: not events lost). */
  failed?: number;
  /** Events lost, by reason. */
  dropped?: Readonly<Record<string, number>>;
  /** Events waiting in memory now. */
  queueEvents?: number;
  /** Bytes in the on-disk spool now. */
  spoolBytes?: number;
}

/** Events by dataset and findings by id and severity: EventCounter keeps them. */
export interface EventTotals {
  readonly byDataset: Readonly<Record<string, number>>;
  readonly findings: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Everything the metrics and the stats event are made of; each part is optional. */
export interface MetricsSources {
  sensors?: SensorLike | readonly SensorLike[];
  capture?: () => readonly CaptureCounters[];
  events?: EventTotals;
  sinks?: () => readonly SinkCounters[];
  /** The enrich step's certificate cache (Enricher.cache). */
  certificateCache?: { readonly hits: number; readonly misses: number };
  /** Policy reloads (SIGHUP) that worked and that failed (the old policy stays). */
  reloads?: { readonly ok: number; readonly failed: number };
}

/** All counters at one moment, as plain numbers. */
export interface Snapshot {
  /** Wall clock, ms since the epoch. */
  at: number;
  packets: number;
  bytes: number;
  tcpPackets: number;
  udpPackets: number;
  decode: Record<string, number>;
  reassemblyGaps: number;
  tlsConnections: number;
  flows: { active: number; created: number; evicted: Record<string, number> };
  memory: { budgetUsed: number; budgetLimit: number; budgetPeak: number; budgetRefused: number; rss: number; heapUsed: number };
  capture: CaptureCounters[];
  events: Record<string, number>;
  findings: Record<string, Record<string, number>>;
  sinks: SinkCounters[];
  certificateCache?: { hits: number; misses: number };
  reloads?: { ok: number; failed: number };
}

function addInto(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Read every source once (several sensors are added up). */
export function takeSnapshot(src: MetricsSources, at = Date.now()): Snapshot {
  const sensors: readonly SensorLike[] = src.sensors === undefined ? [] : Array.isArray(src.sensors) ? (src.sensors as readonly SensorLike[]) : [src.sensors as SensorLike];
  const s: Snapshot = {
    at,
    packets: 0,
    bytes: 0,
    tcpPackets: 0,
    udpPackets: 0,
    decode: {},
    reassemblyGaps: 0,
    tlsConnections: 0,
    flows: { active: 0, created: 0, evicted: {} },
    memory: { budgetUsed: 0, budgetLimit: 0, budgetPeak: 0, budgetRefused: 0, rss: 0, heapUsed: 0 },
    capture: (src.capture?.() ?? []).map((c) => ({ ...c })),
    events: { ...(src.events?.byDataset ?? {}) },
    findings: Object.fromEntries(Object.entries(src.events?.findings ?? {}).map(([id, bySev]) => [id, { ...bySev }])),
    sinks: (src.sinks?.() ?? []).map((k) => ({ ...k, dropped: k.dropped ? { ...k.dropped } : undefined })),
  };
  for (const x of sensors) {
    const st = x.stats;
    s.packets += st.packets;
    s.bytes += st.bytes;
    s.tcpPackets += st.tcpPackets;
    s.udpPackets += st.udpPackets;
    addInto(s.decode, st.decode);
    s.reassemblyGaps += st.reassemblyGaps;
    s.tlsConnections += st.tlsConnections;
    s.flows.active += x.flows.size;
    s.flows.created += x.flows.created;
    addInto(s.flows.evicted, x.flows.evicted);
    s.memory.budgetUsed += x.budget.used;
    s.memory.budgetLimit += x.budget.limit;
    s.memory.budgetPeak += x.budget.peak;
    s.memory.budgetRefused += x.budget.shed;
  }
  const mem = process.memoryUsage();
  s.memory.rss = mem.rss;
  s.memory.heapUsed = mem.heapUsed;
  if (src.certificateCache) s.certificateCache = { hits: src.certificateCache.hits, misses: src.certificateCache.misses };
  if (src.reloads) s.reloads = { ok: src.reloads.ok, failed: src.reloads.failed };
  return s;
}

/** Packets lost as a percentage of packets seen (received + dropped); 0 when nothing was seen. */
export function lossPercent(received: number, dropped: number): number {
  const seen = received + dropped;
  return seen > 0 ? Math.round((dropped / seen) * 100 * 1000) / 1000 : 0;
}

/** Drops of one capture handle, all causes. */
export function captureDrops(c: CaptureCounters): number {
  return c.kernelDrops + c.ifDrops + c.ownDrops;
}
