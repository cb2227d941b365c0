import { stat } from 'node:fs/promises';
import { DEFAULT_ENRICH_OPTIONS, Enricher } from '../enrich/enricher.js';
import { DEFAULT_INVENTORY_OPTIONS } from '../enrich/inventory.js';
import { DEFAULT_POLICY, loadPolicy, PolicyError } from '../enrich/policy.js';
import { TrustStoreError } from '../enrich/x509/validate.js';
import { connectionEvents, type TlsscopeEvent } from '../event/connection-events.js';
import { Sensor } from '../sensor.js';
import { readCapture } from '../source/file-source.js';
import { createLogger } from '../log.js';
import { KafkaConfigError } from '../sink/kafka/config.js';
import { openSinks, SinkConfigError, type SinkFlags, type Sinks } from './sinks.js';
import { ExitCode } from './exit-codes.js';
import { Progress } from './progress.js';
import { formatSummary } from './summary.js';

export interface ReplayOptions extends SinkFlags {
  progress: boolean;
  summary: boolean;
  /** Extra trust anchors (PEM bundles). */
  caFiles: string[];
  systemRoots: boolean;
  policyFile?: string;
  /** Seconds after which a certificate seen again is reported again. */
  certificateReemitSec: number;
  /** false: the bare replay engine (no certificate details, validation, findings, inventory). */
  enrich: boolean;
}

/** The enrich step from the command line's options; a bad policy or CA file is a one-line error. */
export function enricherFrom(opts: Pick<ReplayOptions, 'caFiles' | 'systemRoots' | 'policyFile' | 'certificateReemitSec' | 'enrich'>): Enricher | string {
  try {
    return new Enricher({
      ...DEFAULT_ENRICH_OPTIONS,
      caFiles: opts.caFiles,
      noSystemRoots: !opts.systemRoots,
      policy: opts.policyFile ? loadPolicy(opts.policyFile) : DEFAULT_POLICY,
      inventory: { ...DEFAULT_INVENTORY_OPTIONS, reemitAfterSec: opts.certificateReemitSec },
      enabled: opts.enrich,
    });
  } catch (err) {
    if (err instanceof PolicyError || err instanceof TrustStoreError) return err.message;
    throw err;
  }
}

const PROGRESS_MIN_BYTES = 64 << 20;

/** `tlsscope replay`: read captures, write one event per TLS connection. Returns the exit code. */
export async function replay(files: string[], opts: ReplayOptions): Promise<number> {
  const enricher = enricherFrom(opts);
  if (typeof enricher === 'string') {
    process.stderr.write(`tlsscope: ${enricher}\n`);
    return ExitCode.Usage;
  }
  const log = createLogger();
  let sinks: Sinks;
  try {
    sinks = await openSinks(opts, 'replay', log);
  } catch (err) {
    if (err instanceof SinkConfigError || err instanceof KafkaConfigError) {
      process.stderr.write(`tlsscope: ${err.message}\n`);
      return err instanceof SinkConfigError ? ExitCode.Usage : ExitCode.Sink;
    }
    throw err;
  }
  const sink = sinks.sink;
  let pending: Promise<void> | undefined;
  const write = (ev: TlsscopeEvent): void => {
    const p = sink.write(ev);
    if (p) pending = p;
  };
  // SIGINT/SIGTERM: stop reading, report what is open, deliver everything, then exit.
  let stopRequested = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopRequested) return;
    stopRequested = true;
    process.stderr.write(`tlsscope: ${sig}: stopping after delivering every event\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const findingEvents = sinks.wanted.has('tlsscope.finding');
  const sensor = new Sensor((flow, conn) => connectionEvents(flow, conn, enricher, write, findingEvents));
  const onPacket = sensor.packet.bind(sensor);
  const afterChunk = (): Promise<void> | void | false => {
    if (stopRequested) return false;
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
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
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
        kafka: sinks.kafka?.counters,
        enrich: { certificateEvents: enricher.inventory.reported, cacheHits: enricher.cache.hits, cacheMisses: enricher.cache.misses, findings: enricher.findingsRaised },
      }) + '\n',
    );
  }
  return exit;
}
