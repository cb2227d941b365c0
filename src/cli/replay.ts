import { stat } from 'node:fs/promises';
import { buildHandshakeEvent } from '../event/handshake-event.js';
import { Sensor } from '../sensor.js';
import { readCapture } from '../source/file-source.js';
import { NdjsonSink } from '../sink/ndjson-sink.js';
import type { EventSink } from '../sink/sink.js';
import { ExitCode } from './exit-codes.js';
import { Progress } from './progress.js';
import { formatSummary } from './summary.js';

export interface ReplayOptions {
  format: string;
  output?: string;
  progress: boolean;
  summary: boolean;
}

const PROGRESS_MIN_BYTES = 64 << 20;

/** `tlsscope replay`: read captures, write one event per TLS connection. Returns the exit code. */
export async function replay(files: string[], opts: ReplayOptions): Promise<number> {
  if (opts.format !== 'ecs') {
    process.stderr.write(`tlsscope: unknown format '${opts.format}' (this version writes: ecs)\n`);
    return ExitCode.Usage;
  }
  const sink: EventSink = opts.output ? NdjsonSink.toFile(opts.output) : new NdjsonSink(process.stdout);
  let pending: Promise<void> | undefined;
  const sensor = new Sensor((flow, conn) => {
    const p = sink.write(buildHandshakeEvent(flow, conn));
    if (p) pending = p;
  });
  const onPacket = sensor.packet.bind(sensor);
  const afterChunk = (): Promise<void> | void => {
    const p = pending;
    pending = undefined;
    return p;
  };

  const started = process.hrtime.bigint();
  let exit: number = ExitCode.Ok;
  let inputBytes = 0;
  let captureErrors = 0;
  for (const file of files) {
    let progress: Progress | undefined;
    if (opts.progress && process.stderr.isTTY && file !== '-') {
      const size = await stat(file).then((s) => s.size, () => 0);
      if (size >= PROGRESS_MIN_BYTES) progress = new Progress(file, size);
    }
    const res = await readCapture(
      file,
      onPacket,
      progress ? (b) => progress!.update(b, sensor.stats.packets) : undefined,
      afterChunk,
    );
    progress?.done();
    inputBytes += res.bytes;
    captureErrors += res.errors.length;
    for (const e of res.errors.slice(0, 20)) {
      const msg = e.message.startsWith(file) ? e.message : `${file}: ${e.message}`;
      process.stderr.write(`tlsscope: ${msg}\n`);
    }
    if (res.errors.length > 20) process.stderr.write(`tlsscope: ${file}: ${res.errors.length - 20} more errors\n`);
    if (res.unreadable) exit = Math.max(exit, ExitCode.Unreadable);
    else if (res.errors.length > 0) exit = exit === ExitCode.Ok ? ExitCode.Damaged : exit;
  }
  sensor.finish();
  if (pending) await pending;
  await sink.close();
  const elapsedSec = Number(process.hrtime.bigint() - started) / 1e9;
  if (opts.summary) {
    process.stderr.write(
      formatSummary({
        files: files.length,
        inputBytes,
        elapsedSec,
        stats: sensor.stats,
        flows: sensor.flows.created,
        captureErrors,
        memoryPeak: sensor.budget.peak,
      }) + '\n',
    );
  }
  return exit;
}
