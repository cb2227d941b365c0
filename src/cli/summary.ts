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
