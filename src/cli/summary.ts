import type { SensorStats } from '../sensor.js';

export interface RunSummary {
  files: number;
  inputBytes: number;
  elapsedSec: number;
  stats: SensorStats;
  flows: number;
  captureErrors: number;
  memoryPeak: number;
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
    `shed=${st.budgetShed}`,
    `elapsed=${s.elapsedSec.toFixed(3)}s`,
    `max_rss_mb=${Math.round(process.resourceUsage().maxRSS / 1024)}`,
    `packets_per_sec=${pps}`,
  ].join(' ');
}
