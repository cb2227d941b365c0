import { accessSync, constants, mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { connectionEvents, type TlsscopeEvent } from '../event/connection-events.js';
import { createLogger } from '../log.js';
import { DEFAULT_SENSOR_OPTIONS, Sensor } from '../sensor.js';
import { KafkaConfigError } from '../sink/kafka/config.js';
import type { Instant } from '../source/live-clock.js';
import { PcapLiveSource } from '../source/live-pcap.js';
import { CaptureError, oneLine, type InterfaceStats } from '../source/live-source.js';
import { ExitCode } from './exit-codes.js';
import { enricherFrom, type ReplayOptions } from './replay.js';
import { openSinks, SinkConfigError, type SinkFlags, type Sinks } from './sinks.js';
import type { EventSink } from '../sink/sink.js';
import { loadPolicy } from '../enrich/policy.js';
import { buildStatsEvent } from '../event/stats-event.js';
import { collectSensorMetrics, EventCounter, Registry, registerSensorMetrics, startMetricsServer, takeSnapshot, type MetricsServer, type MetricsSources, type Snapshot } from '../metrics/index.js';

export const DEFAULT_SPOOL_DIR = '/var/lib/tlsscope/spool';
export const MAX_SNAPLEN = 262_144;

/** Defaults of the live command's own options. */
export const LIVE_DEFAULTS = {
  snaplen: 65_535,
  bufferMb: 32,
  statsIntervalSec: 60,
  maxFlows: DEFAULT_SENSOR_OPTIONS.flows.maxFlows,
  flowMemoryMb: Math.round(DEFAULT_SENSOR_OPTIONS.memoryBudget / (1 << 20)),
  kafkaSpoolMb: 1024,
} as const;

export interface LiveOptions extends SinkFlags, Pick<ReplayOptions, 'caFiles' | 'systemRoots' | 'policyFile' | 'certificateReemitSec' | 'enrich'> {
  interfaces: string[];
  bpf?: string;
  snaplen: number;
  bufferMb: number;
  promiscuous: boolean;
  /** Seconds between stats lines on stderr; 0: only at the end. */
  statsIntervalSec: number;
  maxFlows: number;
  flowMemoryMb: number;
  /** Serve Prometheus metrics and health endpoints on this address. */
  metricsListen?: string;
  logLevel?: string;
  logFormat?: 'auto' | 'json' | 'pretty';
}

/** Wall-clock tick: flow expiry on a quiet link, clock resync, stats. */
const TICK_MS = 1000;
/** The packet path looks at the clock every this many packets (timers wait while libpcap delivers). */
const CLOCK_CHECK_MASK = 4095;
const MAX_LOGGED_HANDLER_ERRORS = 10;

/**
 * `tlsscope live`: capture on interfaces until SIGTERM/SIGINT, one event per TLS connection.
 * Resolves with the exit code once everything is delivered; the caller ends the process
 * (the capture sockets keep the event loop alive).
 */
export async function live(opts: LiveOptions): Promise<number> {
  const usage = (msg: string): number => {
    process.stderr.write(`tlsscope: ${msg}\n`);
    return ExitCode.Usage;
  };
  const interfaces = [...new Set(opts.interfaces)];
  if (interfaces.length === 0) return usage('live: name at least one interface with -i');
  if (opts.snaplen < 64 || opts.snaplen > MAX_SNAPLEN) return usage(`--snaplen: ${opts.snaplen} is not between 64 and ${MAX_SNAPLEN}`);
  if (opts.bufferMb > 2047) return usage(`--buffer-mb: ${opts.bufferMb} is over 2047`);
  const enricher = enricherFrom(opts);
  if (typeof enricher === 'string') return usage(enricher);

  const log = createLogger({ level: opts.logLevel, format: opts.logFormat });
  let handlerErrors = 0;
  const source = new PcapLiveSource({
    onWarning: (msg, iface) => log.debug({ interface: iface }, `libpcap: ${msg}`),
    onHandlerError: (err, iface) => {
      if (++handlerErrors <= MAX_LOGGED_HANDLER_ERRORS) log.error({ interface: iface, err }, 'packet handler failed; packet counted in own_drops');
    },
  });
  // The capture first: a missing interface or privilege is said before Kafka is dialled.
  try {
    source.open(interfaces, { bpf: opts.bpf, snaplen: opts.snaplen, bufferSize: opts.bufferMb * 1024 * 1024, promiscuous: opts.promiscuous });
  } catch (err) {
    if (err instanceof CaptureError) {
      process.stderr.write(`tlsscope: ${err.message}\n`);
      return err.kind === 'bad_filter' ? ExitCode.Usage : ExitCode.Capture;
    }
    throw err;
  }

  let kafkaSpoolDir: string | undefined;
  if (opts.kafkaBrokers !== undefined) {
    kafkaSpoolDir = opts.kafkaSpoolDir ?? DEFAULT_SPOOL_DIR;
    try {
      mkdirSync(kafkaSpoolDir, { recursive: true });
      accessSync(kafkaSpoolDir, constants.W_OK);
    } catch (err) {
      source.close();
      process.stderr.write(`tlsscope: --kafka-spool-dir ${kafkaSpoolDir}: ${oneLine((err as Error).message)}\n`);
      return ExitCode.Sink;
    }
  }
  let sinks: Sinks;
  try {
    sinks = await openSinks({ ...opts, kafkaSpoolDir }, 'live', log);
  } catch (err) {
    source.close();
    if (err instanceof SinkConfigError || err instanceof KafkaConfigError) {
      process.stderr.write(`tlsscope: ${err.message}\n`);
      return err instanceof SinkConfigError ? ExitCode.Usage : ExitCode.Sink;
    }
    throw err;
  }
  const sink = sinks.sink;
  const counter = new EventCounter();

  let eventsOut = 0;
  let sinkErrors = 0;
  const onSinkError = (err: unknown): void => {
    if (++sinkErrors <= MAX_LOGGED_HANDLER_ERRORS) log.error({ err }, 'writing an event failed');
  };
  // Live capture never waits for a sink: Kafka spills to its spool, files and pipes write through.
  const write = (ev: TlsscopeEvent): void => {
    eventsOut++;
    counter.count(ev);
    const p = sink.write(ev);
    if (p) p.catch(onSinkError);
  };
  const sensor = new Sensor((flow, conn) => connectionEvents(flow, conn, enricher, write), {
    ...DEFAULT_SENSOR_OPTIONS,
    flows: { ...DEFAULT_SENSOR_OPTIONS.flows, maxFlows: opts.maxFlows },
    memoryBudget: opts.flowMemoryMb * 1024 * 1024,
  });

  // Metrics, health, the stats event and policy reloads.
  const reloads = { ok: 0, failed: 0 };
  const metricSources: MetricsSources = {
    sensors: sensor,
    capture: () => source.stats().map((c) => ({ ...c, up: true })),
    events: counter,
    sinks: () => [
      ...(sinks.kafka ? [{ name: 'kafka', ...sinks.kafka.counters, queueEvents: sinks.kafka.queueEvents, spoolBytes: sinks.kafka.spoolBytes }] : []),
      ...sinks.files.map((f) => ({ name: 'file', sent: f.written })),
    ],
    certificateCache: enricher.cache,
    reloads,
  };
  const registry = new Registry();
  registerSensorMetrics(registry);
  registry.onCollect(() => {
    collectSensorMetrics(registry, metricSources);
  });
  let metricsServer: MetricsServer | undefined;
  let stoppingNow = false;
  if (opts.metricsListen) {
    try {
      metricsServer = await startMetricsServer(opts.metricsListen, registry, () => ({ live: true, ready: !stoppingNow, detail: { interfaces } }));
      log.info({ listen: metricsServer.address }, 'metrics and health endpoints up');
    } catch (err) {
      source.close();
      await sink.close().catch(() => undefined);
      process.stderr.write(`tlsscope: --metrics-listen ${opts.metricsListen}: ${oneLine((err as Error).message)}\n`);
      return ExitCode.Usage;
    }
  }
  let prevSnapshot: Snapshot | undefined;
  const startedAt = Date.now();
  const statsEvent = (): void => {
    const snap = takeSnapshot(metricSources);
    // Not counted in `events` (TLS events only).
    const ev = buildStatsEvent(snap, prevSnapshot, { startedAt }) as TlsscopeEvent;
    counter.count(ev);
    const p = sink.write(ev);
    if (p) p.catch(onSinkError);
    prevSnapshot = snap;
  };
  // SIGHUP: read the policy again; flows and everything else stay as they are.
  const onHup = (): void => {
    if (!opts.policyFile) return;
    try {
      enricher.setPolicy(loadPolicy(opts.policyFile));
      reloads.ok++;
      log.info({ policy: opts.policyFile }, 'policy reloaded');
    } catch (err) {
      reloads.failed++;
      log.error({ policy: opts.policyFile, err: oneLine((err as Error).message) }, 'policy reload failed; the previous policy stays');
    }
  };
  process.on('SIGHUP', onHup);

  const clock = source.clock;
  const now: Instant = { sec: 0, nsec: 0 };
  const started = performance.now();
  let lastTick = started;
  let lastStats = started;
  const statsMs = opts.statsIntervalSec * 1000;
  let maxRssMb = 0;

  const statsLine = (msg: string): void => {
    const ifs = source.stats();
    const sum = (k: keyof Omit<InterfaceStats, 'interface'>): number => ifs.reduce((n, s) => n + s[k], 0);
    const st = sensor.stats;
    const mem = process.memoryUsage();
    const rssMb = Math.round(mem.rss / (1 << 20));
    maxRssMb = Math.max(maxRssMb, rssMb, Math.round(process.resourceUsage().maxRSS / 1024));
    log.info(
      {
        packets: st.packets,
        bytes: st.bytes,
        received: sum('received'),
        kernel_drops: sum('kernelDrops'),
        if_drops: sum('ifDrops'),
        own_drops: sum('ownDrops'),
        events: eventsOut,
        tls_connections: st.tlsConnections,
        handshakes: st.events,
        flows: sensor.flows.size,
        flows_evicted_capacity: sensor.flows.evicted.capacity,
        shed: sensor.budget.shed,
        memory_used: sensor.budget.used,
        reassembly_gaps: st.reassemblyGaps,
        rss_mb: rssMb,
        heap_mb: Math.round(mem.heapUsed / (1 << 20)),
        max_rss_mb: maxRssMb,
        uptime_s: Math.round((performance.now() - started) / 1000),
        interfaces: ifs.map((s) => ({ name: s.interface, received: s.received, kernel_drops: s.kernelDrops, if_drops: s.ifDrops, own_drops: s.ownDrops })),
        ...(sinks.kafka ? { kafka: sinks.kafka.counters } : {}),
      },
      msg,
    );
  };

  const tick = (t: number): void => {
    lastTick = t;
    clock.resync();
    clock.now(now);
    sensor.tick(now.sec, now.nsec);
    flushBatched(sink);
    if (statsMs > 0 && t - lastStats >= statsMs) {
      lastStats = t;
      statsLine('stats');
      statsEvent();
    }
  };

  let n = 0;
  source.onPacket((rec) => {
    sensor.packet(rec);
    // While libpcap hands over packets back to back, timers wait: keep time from here too.
    if ((++n & CLOCK_CHECK_MASK) === 0) {
      const t = performance.now();
      if (t - lastTick >= TICK_MS) tick(t);
    }
  });
  const timer = setInterval(() => {
    const t = performance.now();
    if (t - lastTick >= TICK_MS - 50) tick(t);
  }, TICK_MS);

  log.info({ interfaces, bpf: opts.bpf ?? '', snaplen: opts.snaplen, buffer_mb: opts.bufferMb, promiscuous: opts.promiscuous, link_types: source.linkTypes() }, 'capturing');

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`tlsscope: ${sig} again: exiting without waiting for delivery\n`);
        process.exit(ExitCode.Internal);
      }
      stopping = true;
      stoppingNow = true;
      log.info({ signal: sig }, 'stopping: reporting open connections and delivering every event');
      clearInterval(timer);
      process.off('SIGHUP', onHup);
      source.close();
      sensor.finish();
      statsEvent();
      void metricsServer?.close();
      sink.close().then(
        () => {
          statsLine('stopped');
          resolve(ExitCode.Ok);
        },
        (err: unknown) => {
          log.error({ err }, 'closing the sinks failed');
          statsLine('stopped');
          resolve(ExitCode.Sink);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * NDJSON sinks gather lines into 64 KiB batches (right for replay); live output must not sit
 * on events while the link is quiet, so every tick hands on what is gathered. Backpressure is
 * not waited for in live mode; a failure shows at close.
 */
function flushBatched(s: EventSink): void {
  const p = s.flush();
  if (p instanceof Promise) p.catch(() => {});
}
