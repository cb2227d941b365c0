#!/usr/bin/env -S node --max-semi-space-size=32
// A young generation of 32 MB (V8's default is 16): a connection's parse state lives while
// about a thousand others are processed, and in a smaller young generation it survives two
// scavenges and is copied into the old one. Measured on bench handshakes.pcap with
// certificates and findings on: 2.5 MB promoted per scavenge instead of 0.4, and the replay
// 13% slower. The flag can only be given at start-up, hence the shebang (and the Dockerfile).
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerConfigCommand } from './config-command.js';
import { ExitCode } from './exit-codes.js';
import { configFromCommandLine } from '../config/merge.js';
import { ConfigError } from '../config/load.js';
import { enrichOptionsFrom, liveConfigProblem, sinkFlagsFrom } from '../config/adapt.js';
import { live, LIVE_DEFAULTS, type LiveOptions } from './live.js';
import { replay } from './replay.js';
import type { SinkFlags } from './sinks.js';

const program = new Command();
program
  .name('tlsscope')
  .description('Passive TLS sensor: one structured event per TLS handshake')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `tlsscope: ${s}` : s) });

addKafkaOptions(
  addEnrichOptions(
    addOutputOptions(
      program
        .command('replay')
        .description('read pcap/pcapng captures (or - for stdin) and write one NDJSON event per TLS connection')
        .argument('<files...>', 'capture files; - reads standard input'),
    )
      .option('--no-progress', 'no progress bar, even on a terminal')
      .option('-q, --quiet', 'no run summary on stderr'),
  ),
)
  .action(async (files: string[], o: ReplayFlags) => {
    process.exitCode = await replay(files, {
      ...o,
      events: o.certificates === false ? 'handshake' : o.events,
      summary: !o.quiet,
      caFiles: o.caFile,
      policyFile: o.policy,
      certificateReemitSec: o.certificateReemit,
      kafkaSpoolMb: 0,
    });
  });

addKafkaOptions(
  addEnrichOptions(
    addOutputOptions(
      program
        .command('live')
        .description('capture on network interfaces (a tap or span port) and write one NDJSON event per TLS connection, until SIGTERM/SIGINT')
        .option('-i, --interface <name>', 'capture on this interface (repeatable)', collect, [] as string[])
        .option('--bpf <expr>', 'capture only what this BPF expression (pcap-filter(7)) matches')
        .option('--snaplen <bytes>', 'bytes kept of each packet', positiveInt, LIVE_DEFAULTS.snaplen)
        .option('--buffer-mb <mb>', 'kernel capture ring per interface', positiveInt, LIVE_DEFAULTS.bufferMb)
        .option('--no-promiscuous', 'do not put the interfaces in promiscuous mode')
        .option('--stats-interval <seconds>', 'a stats line on stderr this often (0: only at the end)', nonNegativeInt, LIVE_DEFAULTS.statsIntervalSec)
        .option('--max-flows <n>', 'flows tracked at once (the oldest is evicted beyond)', positiveInt, LIVE_DEFAULTS.maxFlows)
        .option('--flow-memory-mb <mb>', 'payload buffers of all flows together (beyond, buffering is refused and counted as shed)', positiveInt, LIVE_DEFAULTS.flowMemoryMb),
    ),
  ),
)
  .option('--metrics-listen <host:port>', 'serve Prometheus /metrics, /healthz and /readyz here')
  .addOption(new Option('--log-level <level>', 'log level (default info)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
  .addOption(new Option('--log-format <format>', 'auto: pretty on a terminal, JSON otherwise').choices(['auto', 'json', 'pretty']))
  .option('--config <file>', 'YAML configuration (docs/configuration.md); flags given here override it, TLSSCOPE_* variables sit between')
  .option('--kafka-spool-dir <dir>', `where events wait while Kafka is unreachable (default with --kafka-brokers: /var/lib/tlsscope/spool)`)
  .option('--kafka-spool-mb <mb>', 'size cap of the spool', positiveInt, LIVE_DEFAULTS.kafkaSpoolMb)
  .action(async (o: LiveFlags, cmd: Command) => {
    let code: number;
    try {
      const fromConfig = o.config ?? process.env.TLSSCOPE_CONFIG ? liveOptionsFromConfig(cmd) : undefined;
      if (typeof fromConfig === 'string') {
        process.stderr.write(`tlsscope: ${fromConfig}\n`);
        process.exit(ExitCode.Usage);
      }
      code = fromConfig ? await live(fromConfig) : await live({
        ...o,
        interfaces: o.interface,
        events: o.certificates === false ? 'handshake' : o.events,
        caFiles: o.caFile,
        policyFile: o.policy,
        certificateReemitSec: o.certificateReemit,
        statsIntervalSec: o.statsInterval,
      });
    } catch (err) {
      process.stderr.write(`tlsscope: internal error: ${(err as Error)?.stack ?? err}\n`);
      code = ExitCode.Internal;
    }
    // The capture sockets keep the event loop alive: end here, everything is delivered.
    process.exit(code);
  });

/**
 * `live --config FILE`: the file, then TLSSCOPE_* variables, then the flags actually typed
 * (commander's defaults do not count as given). A string is the one-line error.
 */
function liveOptionsFromConfig(cmd: Command): LiveOptions | string {
  let r;
  try {
    r = configFromCommandLine(cmd.opts(), process.env, (attr) => cmd.getOptionValueSource(attr) === 'cli');
  } catch (err) {
    if (err instanceof ConfigError) return err.origin && !err.message.startsWith(err.origin) ? `${err.origin}: ${err.message}` : err.message;
    throw err;
  }
  for (const w of r.warnings) process.stderr.write(`tlsscope: warning: ${w}\n`);
  const c = r.config;
  const problem = liveConfigProblem(c);
  if (problem) return problem;
  return {
    ...sinkFlagsFrom(c, ['handshake', 'certificate', 'finding', 'stats']),
    ...enrichOptionsFrom(c),
    interfaces: c.capture.interfaces,
    bpf: c.capture.bpf,
    snaplen: c.capture.snaplen,
    bufferMb: c.capture.bufferMb,
    promiscuous: c.capture.promiscuous,
    statsIntervalSec: c.stats.intervalSeconds,
    maxFlows: c.limits.maxFlows,
    flowMemoryMb: c.limits.flowMemoryMb,
    metricsListen: c.metrics.listen,
    logLevel: c.log.level,
    logFormat: c.log.format,
  };
}

/** The enrich options both commands take, as commander names them. */
interface EnrichFlags {
  caFile: string[];
  systemRoots: boolean;
  policy?: string;
  certificates: boolean;
  certificateReemit: number;
  enrich: boolean;
}

interface LiveFlags extends SinkFlags, EnrichFlags {
  config?: string;
  logLevel?: string;
  logFormat?: 'auto' | 'json' | 'pretty';
  metricsListen?: string;
  interface: string[];
  bpf?: string;
  snaplen: number;
  bufferMb: number;
  promiscuous: boolean;
  statsInterval: number;
  maxFlows: number;
  flowMemoryMb: number;
}

interface ReplayFlags extends Omit<SinkFlags, 'kafkaSpoolMb'>, EnrichFlags {
  progress: boolean;
  quiet?: boolean;
}

/** Where events go and how they look: the options replay and live share. */
function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--format <format>', 'rendering for stdout and --output: ecs, gelf or ocsf', 'ecs')
    .option('-o, --output <file>', 'write events to this file (instead of stdout, unless --stdout)')
    .option('--stdout', 'write to stdout as well as to --output / Kafka')
    .option('--events <kinds>', 'event kinds for stdout and --output: handshake, certificate, finding', 'handshake,certificate')
    .option('--no-certificates', 'same as --events handshake')
    .option('--rotate-mb <mb>', 'rotate --output when it reaches this size (0: never)', nonNegativeInt, 0)
    .option('--rotate-keep <n>', 'rotated files to keep', nonNegativeInt, 5);
}

/** Trust anchors, policy and the enrich step: the options replay and live share. */
function addEnrichOptions(cmd: Command): Command {
  return cmd
    .option('--ca-file <file>', 'trust the CA certificates of this PEM bundle too (repeatable)', collect, [] as string[])
    .option('--no-system-roots', "do not trust Node's bundled root certificates (only --ca-file)")
    .option('--policy <file>', 'YAML policy: mTLS services, disabled or re-graded findings, allow-lists (docs/policy.example.yaml)')
    .option('--certificate-reemit <seconds>', 'report a certificate again when seen after this long (packet time)', positiveInt, 86_400)
    .option('--no-enrich', 'the bare replay engine: certificates by hash only, no validation, findings or certificate events');
}

/** Kafka: the options replay and live share. */
function addKafkaOptions(cmd: Command): Command {
  return cmd
    .option('--kafka-brokers <list>', 'publish to Kafka: host:port[,host:port…]')
    .option('--kafka-topic-prefix <prefix>', 'topics <prefix>.handshakes, .findings, .certificates', 'tlsscope')
    .option('--kafka-format <format>', 'rendering for Kafka: ecs, gelf or ocsf', 'ecs')
    .option('--kafka-acks <acks>', 'all, 1 or 0 (idempotence needs all)', 'all')
    .option('--kafka-compression <codec>', 'none, gzip, snappy or lz4', 'none')
    .option('--kafka-batch <n>', 'messages per produce request', positiveInt, 4000)
    .option('--kafka-linger-ms <ms>', 'wait this long for a batch to fill', nonNegativeInt, 20)
    .option('--kafka-partitions <n>', 'partitions of topics tlsscope creates', positiveInt, 6)
    .option('--kafka-replication <n>', 'replication factor of topics tlsscope creates', positiveInt, 1)
    .option('--no-kafka-create-topics', 'refuse to start when a topic is missing instead of creating it')
    .option('--kafka-timeout <seconds>', 'give up reaching the brokers at start-up after this long', positiveInt, 10)
    .option('--kafka-tls', 'TLS to the brokers (implied by --kafka-ca/--kafka-cert)')
    .option('--kafka-ca <pem>', 'CA bundle for the brokers (path or env:NAME)')
    .option('--kafka-cert <pem>', 'client certificate for mutual TLS (path or env:NAME)')
    .option('--kafka-key <pem>', 'client private key (path or env:NAME)')
    .option('--kafka-key-passphrase <secret>', 'passphrase of --kafka-key (file:PATH or env:NAME)')
    .option('--kafka-insecure', 'do not verify the brokers\' certificates')
    .option('--kafka-sasl-mechanism <m>', 'plain, scram-sha-256 or scram-sha-512')
    .option('--kafka-sasl-username <user>', 'SASL user (or file:PATH, env:NAME)')
    .option('--kafka-sasl-password <secret>', 'SASL password: file:PATH or env:NAME (or TLSSCOPE_KAFKA_SASL_PASSWORD)');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got '${value}'`);
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive whole number, got '${value}'`);
  return n;
}

registerConfigCommand(program);

// A closed stdout (`tlsscope replay x | head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : ExitCode.Usage;
  } else {
    process.stderr.write(`tlsscope: internal error: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = ExitCode.Internal;
  }
}
