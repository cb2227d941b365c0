import type { SensorStats } from '../sensor.js';

export interface RunSummary {
  files: number;
  inputBytes: number;
  elapsedSec: number;
  stats: SensorStats;
  flows: number;
  captureErrors: number;
  memoryPeak: number;
  /** The enrich step's counters. */
  enrich?: { certificateEvents: number; cacheHits: number; cacheMisses: number; findings: number };
  /** Kafka delivery counters, when Kafka is a sink. */
  kafka?: { queued: number; spooled: number; sent: number; failed: number; dropped: Record<string, number> };
}

/** The run summary printed on stderr at the end of a replay: one line of key=value pairs. */
export function formatSummary(s: RunSummary): string {
  const st = s.stats;
  const decodeErrors = Object.entries(st.decode)
    .filter(([k, v]) => k !== 'ok' && v > 0)
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  const pps = s.elapsedSec > 0 ? Math.round(st.packets / s.elapsedSec) : 0;
  return [
    `tlsscope: packets=${st.packets}`,
    `bytes=${st.bytes}`,
    `flows=${s.flows}`,
    `tls_connections=${st.tlsConnections}`,
    `events=${st.events}`,
    `decode_errors=${decodeErrors || 'none'}`,
    `capture_errors=${s.captureErrors}`,
    `reassembly_gaps=${st.reassemblyGaps}`,
    ...(s.enrich ? enrichFields(s.enrich) : []),
    ...(s.kafka ? kafkaFields(s.kafka) : []),
    `shed=${st.budgetShed}`,
    `elapsed=${s.elapsedSec.toFixed(3)}s`,
    `max_rss_mb=${Math.round(process.resourceUsage().maxRSS / 1024)}`,
    `packets_per_sec=${pps}`,
  ].join(' ');
}

function enrichFields(e: NonNullable<RunSummary['enrich']>): string[] {
  const lookups = e.cacheHits + e.cacheMisses;
  return [
    `certificates=${e.certificateEvents}`,
    `cert_cache_hit_rate=${lookups > 0 ? (e.cacheHits / lookups).toFixed(3) : 'n/a'}`,
    `findings=${e.findings}`,
  ];
}

function kafkaFields(k: NonNullable<RunSummary['kafka']>): string[] {
  const dropped = Object.entries(k.dropped).map(([r, n]) => `${r}:${n}`).join(',');
  return [`kafka_queued=${k.queued}`, `kafka_spooled=${k.spooled}`, `kafka_sent=${k.sent}`, `kafka_failed=${k.failed}`, `kafka_dropped=${dropped || 'none'}`];
}
