import { buildHandshakeEvent } from '../../src/event/handshake-event.js';
import { Sensor, DEFAULT_SENSOR_OPTIONS, type SensorOptions } from '../../src/sensor.js';
import { readCapture, type ReadResult } from '../../src/source/file-source.js';

/** Replay captures in-process, as `tlsscope replay` does, and return the events. */
export async function replayFiles(
  files: string[],
  opts: SensorOptions = DEFAULT_SENSOR_OPTIONS,
): Promise<{ events: any[]; results: ReadResult[]; sensor: Sensor }> {
  const events: any[] = [];
  const sensor = new Sensor((flow, conn) => events.push(buildHandshakeEvent(flow, conn)), opts);
  const results: ReadResult[] = [];
  for (const f of files) results.push(await readCapture(f, sensor.packet.bind(sensor)));
  sensor.finish();
  // Round-trip through JSON, as a sink would.
  return { events: events.map((e) => JSON.parse(JSON.stringify(e))), results, sensor };
}
