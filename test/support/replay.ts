import { DEFAULT_ENRICH_OPTIONS, Enricher, type EnrichOptions } from '../../src/enrich/enricher.js';
import { loadPolicy } from '../../src/enrich/policy.js';
import { connectionEvents } from '../../src/event/connection-events.js';
import { Sensor, DEFAULT_SENSOR_OPTIONS, type SensorOptions } from '../../src/sensor.js';
import { readCapture, type ReadResult } from '../../src/source/file-source.js';

export interface ReplayTestOptions {
  sensor?: SensorOptions;
  caFiles?: string[];
  policyFile?: string;
  enrich?: Partial<EnrichOptions>;
}

/**
 * Replay captures in-process, as `tlsscope replay` does. `events` are the handshake events,
 * `certificates` the certificate inventory events, `all` both in emission order.
 */
export async function replayFiles(
  files: string[],
  opts: ReplayTestOptions = {},
): Promise<{ events: any[]; certificates: any[]; all: any[]; results: ReadResult[]; sensor: Sensor; enricher: Enricher }> {
  const all: any[] = [];
  const enricher = new Enricher({
    ...DEFAULT_ENRICH_OPTIONS,
    ...opts.enrich,
    caFiles: opts.caFiles ?? opts.enrich?.caFiles ?? [],
    ...(opts.policyFile ? { policy: loadPolicy(opts.policyFile) } : {}),
  });
  const sensor = new Sensor((flow, conn) => connectionEvents(flow, conn, enricher, (e) => all.push(e)), opts.sensor ?? DEFAULT_SENSOR_OPTIONS);
  const results: ReadResult[] = [];
  for (const f of files) results.push(await readCapture(f, sensor.packet.bind(sensor)));
  sensor.finish();
  // Round-trip through JSON, as a sink would.
  const json = all.map((e) => JSON.parse(JSON.stringify(e)));
  return {
    events: json.filter((e) => e.event.dataset === 'tlsscope.handshake'),
    certificates: json.filter((e) => e.event.dataset === 'tlsscope.certificate'),
    all: json,
    results,
    sensor,
    enricher,
  };
}
