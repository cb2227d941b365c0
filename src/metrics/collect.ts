import { Counter, Gauge, Registry, type MetricType } from './registry.js';
import { takeSnapshot, type MetricsSources, type Snapshot } from './sources.js';

export interface MetricDef {
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
}

const def = (name: string, type: MetricType, help: string, labels: readonly string[] = []): MetricDef => ({ name, type, help, labels });

/** Every metric tlsscope exports (docs/configuration.md lists them). */
export const METRICS = {
  buildInfo: def('tlsscope_build_info', 'gauge', 'Always 1; the labels say which tlsscope and Node.js run', ['version', 'node_version']),
  startTime: def('tlsscope_start_time_seconds', 'gauge', 'When the process started, seconds since the Unix epoch'),
  residentMemory: def('tlsscope_resident_memory_bytes', 'gauge', 'Resident set size of the process'),
  heapUsed: def('tlsscope_heap_used_bytes', 'gauge', 'JavaScript heap in use'),

  captureReceived: def('tlsscope_capture_received_packets_total', 'counter', 'Packets the capture handed to tlsscope, per interface', ['interface']),
  captureKernelDropped: def('tlsscope_capture_kernel_dropped_packets_total', 'counter', 'Packets the kernel dropped because its capture ring was full (pcap ps_drop)', ['interface']),
  captureInterfaceDropped: def('tlsscope_capture_interface_dropped_packets_total', 'counter', 'Packets the interface or its driver dropped (pcap ps_ifdrop)', ['interface']),
  captureOwnDropped: def('tlsscope_capture_own_dropped_packets_total', 'counter', 'Packets tlsscope received but did not process (after stop, a failing handler, a full queue)', ['interface']),
  captureUp: def('tlsscope_capture_up', 'gauge', '1 while the capture on the interface is open and delivering, else 0', ['interface']),

  packets: def('tlsscope_packets_total', 'counter', 'Packets decoded'),
  bytes: def('tlsscope_bytes_total', 'counter', 'Bytes of the packets decoded, as on the wire (original length)'),
  decoded: def('tlsscope_decoded_packets_total', 'counter', 'Packets by decoding result (ok, truncated, malformed, unsupported_link, not_ip, fragment_pending, fragment_dropped, other_transport)', ['result']),
  transport: def('tlsscope_transport_packets_total', 'counter', 'TCP and UDP packets', ['protocol']),
  reassemblyGaps: def('tlsscope_reassembly_gaps_total', 'counter', 'Holes in TCP streams that reassembly gave up waiting for'),
  tlsConnections: def('tlsscope_tls_connections_total', 'counter', 'Connections recognised as TLS or DTLS'),
  flowsActive: def('tlsscope_flows_active', 'gauge', 'Flows in the flow table now'),
  flowsCreated: def('tlsscope_flows_created_total', 'counter', 'Flows created'),
  flowsEvicted: def('tlsscope_flows_evicted_total', 'counter', 'Flows removed from the flow table, by reason (idle, closed, capacity: the table was full, end)', ['reason']),
  budgetUsed: def('tlsscope_memory_budget_used_bytes', 'gauge', 'Payload buffer bytes in use (out-of-order segments, partial records and messages)'),
  budgetLimit: def('tlsscope_memory_budget_limit_bytes', 'gauge', 'The payload buffer budget (limits.memory_budget_mb)'),
  budgetPeak: def('tlsscope_memory_budget_peak_bytes', 'gauge', 'Most payload buffer bytes in use at once'),
  budgetRefused: def('tlsscope_memory_budget_refused_total', 'counter', 'Buffer requests refused because the budget was spent'),

  events: def('tlsscope_events_total', 'counter', 'Events emitted, by dataset (tlsscope.handshake, tlsscope.certificate, tlsscope.finding, tlsscope.stats)', ['dataset']),
  findings: def('tlsscope_findings_total', 'counter', 'Findings raised, by id and severity (after the policy)', ['id', 'severity']),
  certificateCache: def('tlsscope_certificate_cache_lookups_total', 'counter', 'Certificate cache lookups, by result (hit, miss)', ['result']),
  reloads: def('tlsscope_policy_reloads_total', 'counter', 'Policy reloads (SIGHUP), by result (ok, failed: the previous policy stays)', ['result']),

  sinkQueued: def('tlsscope_sink_queued_events_total', 'counter', 'Events accepted into the sink memory queue', ['sink']),
  sinkSpooled: def('tlsscope_sink_spooled_events_total', 'counter', 'Events written to the on-disk spool', ['sink']),
  sinkSent: def('tlsscope_sink_sent_events_total', 'counter', 'Events delivered (acknowledged by Kafka, written to the file or stdout)', ['sink']),
  sinkFailed: def('tlsscope_sink_failed_requests_total', 'counter', 'Requests that failed (each retried or spooled, not an event lost)', ['sink']),
  sinkDropped: def('tlsscope_sink_dropped_events_total', 'counter', 'Events lost, by reason (spool_full, shutdown, …)', ['sink', 'reason']),
  sinkQueue: def('tlsscope_sink_queue_events', 'gauge', 'Events waiting in the sink memory queue now', ['sink']),
  sinkSpool: def('tlsscope_sink_spool_bytes', 'gauge', 'Bytes in the on-disk spool now', ['sink']),
} as const;

const START_SECONDS = Math.round((Date.now() - process.uptime() * 1000) / 1000);

function metric(r: Registry, d: MetricDef): Counter | Gauge {
  return d.type === 'counter' ? r.counter(d.name, d.help, d.labels) : r.gauge(d.name, d.help, d.labels);
}

/** Register every metric (so a scrape shows them all, even before the first packet). */
export function registerSensorMetrics(r: Registry, version = '0.1.0'): void {
  for (const d of Object.values(METRICS)) metric(r, d);
  (r.get(METRICS.buildInfo.name) as Gauge).set({ version, node_version: process.version }, 1);
  (r.get(METRICS.startTime.name) as Gauge).set(undefined, START_SECONDS);
}

/** Set every metric from a snapshot. Series of labels that vanished (an interface, a sink) are dropped. */
export function applySnapshot(r: Registry, s: Snapshot): void {
  registerSensorMetrics(r);
  const m = (d: MetricDef): Counter | Gauge => r.get(d.name)!;
  const one = (d: MetricDef, v: number): void => m(d).set(undefined, v);
  const each = (d: MetricDef, label: string, values: Readonly<Record<string, number>>): void => {
    const x = m(d);
    x.reset();
    for (const [k, v] of Object.entries(values)) x.set({ [label]: k }, v);
  };

  one(METRICS.residentMemory, s.memory.rss);
  one(METRICS.heapUsed, s.memory.heapUsed);

  const cap = [METRICS.captureReceived, METRICS.captureKernelDropped, METRICS.captureInterfaceDropped, METRICS.captureOwnDropped, METRICS.captureUp].map(m);
  for (const x of cap) x.reset();
  for (const c of s.capture) {
    const l = { interface: c.interface };
    cap[0].set(l, c.received);
    cap[1].set(l, c.kernelDrops);
    cap[2].set(l, c.ifDrops);
    cap[3].set(l, c.ownDrops);
    cap[4].set(l, c.up === false ? 0 : 1);
  }

  one(METRICS.packets, s.packets);
  one(METRICS.bytes, s.bytes);
  each(METRICS.decoded, 'result', s.decode);
  each(METRICS.transport, 'protocol', { tcp: s.tcpPackets, udp: s.udpPackets });
  one(METRICS.reassemblyGaps, s.reassemblyGaps);
  one(METRICS.tlsConnections, s.tlsConnections);
  one(METRICS.flowsActive, s.flows.active);
  one(METRICS.flowsCreated, s.flows.created);
  each(METRICS.flowsEvicted, 'reason', s.flows.evicted);
  one(METRICS.budgetUsed, s.memory.budgetUsed);
  one(METRICS.budgetLimit, s.memory.budgetLimit);
  one(METRICS.budgetPeak, s.memory.budgetPeak);
  one(METRICS.budgetRefused, s.memory.budgetRefused);

  each(METRICS.events, 'dataset', s.events);
  const f = m(METRICS.findings);
  f.reset();
  for (const [id, bySev] of Object.entries(s.findings)) for (const [severity, n] of Object.entries(bySev)) f.set({ id, severity }, n);
  if (s.certificateCache) each(METRICS.certificateCache, 'result', { hit: s.certificateCache.hits, miss: s.certificateCache.misses });
  if (s.reloads) each(METRICS.reloads, 'result', { ok: s.reloads.ok, failed: s.reloads.failed });

  const sinkMetrics = [METRICS.sinkQueued, METRICS.sinkSpooled, METRICS.sinkSent, METRICS.sinkFailed, METRICS.sinkDropped, METRICS.sinkQueue, METRICS.sinkSpool].map(m);
  for (const x of sinkMetrics) x.reset();
  const [queued, spooled, sent, failed, dropped, queue, spool] = sinkMetrics;
  for (const k of s.sinks) {
    const l = { sink: k.name };
    sent.set(l, k.sent);
    if (k.queued !== undefined) queued.set(l, k.queued);
    if (k.spooled !== undefined) spooled.set(l, k.spooled);
    if (k.failed !== undefined) failed.set(l, k.failed);
    for (const [reason, n] of Object.entries(k.dropped ?? {})) dropped.set({ sink: k.name, reason }, n);
    if (k.queueEvents !== undefined) queue.set(l, k.queueEvents);
    if (k.spoolBytes !== undefined) spool.set(l, k.spoolBytes);
  }
}

/** Read the sources and set the metrics (call it from `registry.onCollect`, i.e. at every scrape). */
export function collectSensorMetrics(r: Registry, sources: MetricsSources): Snapshot {
  const s = takeSnapshot(sources);
  applySnapshot(r, s);
  return s;
}
