import type { FormatName } from '../format/index.js';
import { DEFAULT_SENSOR_OPTIONS } from '../sensor.js';
import { DEFAULT_KAFKA_OPTIONS, type Compression, type SaslMechanism } from '../sink/kafka/config.js';

/** Event kinds a sink can take; `stats` is the periodic `tlsscope.stats` event of `tlsscope live`. */
export type EventKind = 'handshake' | 'certificate' | 'finding' | 'stats';
export const EVENT_KINDS: readonly EventKind[] = ['handshake', 'certificate', 'finding', 'stats'];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export type LogFormat = 'auto' | 'json' | 'pretty';
export type KafkaAcks = 'all' | '1' | '0';

/**
 * Everything `tlsscope live` (and the options `replay` shares with it) can be told, as one
 * typed object. YAML keys are the snake_case of these names (`kafka.topic_prefix`); optional
 * members are off / unset when absent. Secrets are never held here, only references
 * (`file:PATH`, `env:NAME`, or, from the environment or a flag only, the literal text).
 */
export interface TlsscopeConfig {
  capture: {
    /** Interfaces to capture on (libpcap names; `any` for all). */
    interfaces: string[];
    /** A BPF filter (libpcap syntax); unset: every packet. */
    bpf?: string;
    /** Bytes of each packet kept: must cover whole packets, TLS needs the payload. */
    snaplen: number;
    promiscuous: boolean;
    /** Kernel capture buffer (libpcap buffer size), MiB. */
    bufferMb: number;
  };
  output: {
    /** Rendering for stdout and the file. */
    format: FormatName;
    /** Event kinds for stdout and the file (Kafka takes every kind, one topic each). */
    events: EventKind[];
    /** Write to stdout as well as to the file / Kafka (stdout is used anyway when neither is set). */
    stdout: boolean;
    /** NDJSON file; unset: no file. */
    file?: string;
    /** Rotate the file at this size (0: never). */
    rotateMb: number;
    rotateKeep: number;
  };
  kafka: {
    /** host:port of the bootstrap brokers; empty: no Kafka. */
    brokers: string[];
    topicPrefix: string;
    format: FormatName;
    acks: KafkaAcks;
    compression: Compression;
    /** Messages per produce request, at most. */
    batchMessages: number;
    lingerMs: number;
    /** Partitions and replication factor of the topics tlsscope creates. */
    partitions: number;
    replication: number;
    createTopics: boolean;
    /** Give up reaching the brokers at start-up after this long. */
    timeoutSeconds: number;
    tls: {
      /** TLS to the brokers; implied by ca, cert and key. */
      enabled: boolean;
      /** PEM: a path, `file:PATH` or `env:NAME`. */
      ca?: string;
      cert?: string;
      key?: string;
      /** Secret reference: `file:PATH` or `env:NAME`. */
      keyPassphrase?: string;
      /** Do not verify the brokers' certificates. */
      insecure: boolean;
    };
    sasl: {
      mechanism?: SaslMechanism;
      username?: string;
      /** Secret reference: `file:PATH` or `env:NAME`. */
      password?: string;
    };
    spool: {
      /** Where events wait on disk while the brokers are unreachable. */
      dir: string;
      maxMb: number;
    };
  };
  enrich: {
    enabled: boolean;
    /** Extra trust anchors (PEM bundles). */
    caFiles: string[];
    systemRoots: boolean;
    /** Policy YAML (docs/policy.example.yaml); reloaded on SIGHUP. */
    policy?: string;
    certificateReemitSeconds: number;
  };
  limits: {
    maxFlows: number;
    flowIdleTimeoutSeconds: number;
    flowClosedTimeoutSeconds: number;
    udpTimeoutSeconds: number;
    /** Bytes all payload buffers of all flows together may hold, MiB. */
    flowMemoryMb: number;
    maxBufferedPerDirectionKb: number;
    maxProbes: number;
    maxHandshakeMessageKb: number;
  };
  metrics: {
    /** `host:port` of the Prometheus endpoint (/metrics, /healthz, /readyz); unset: none. */
    listen?: string;
  };
  stats: {
    /** Seconds between two `tlsscope.stats` events; 0: none. */
    intervalSeconds: number;
  };
  log: {
    level: LogLevel;
    /** auto: pretty on a terminal, JSON otherwise. */
    format: LogFormat;
  };
}

const S = DEFAULT_SENSOR_OPTIONS;
const K = DEFAULT_KAFKA_OPTIONS;

/** The defaults: the same values `tlsscope replay` uses, and the sensor's own limits. */
export const DEFAULT_CONFIG: TlsscopeConfig = {
  capture: { interfaces: [], snaplen: 65_535, promiscuous: true, bufferMb: 32 },
  output: { format: 'ecs', events: ['handshake', 'certificate', 'stats'], stdout: false, rotateMb: 0, rotateKeep: 5 },
  kafka: {
    brokers: [],
    topicPrefix: K.topicPrefix,
    format: 'ecs',
    acks: 'all',
    compression: K.compression,
    batchMessages: K.batchMessages,
    lingerMs: K.lingerMs,
    partitions: K.partitions,
    replication: K.replicationFactor,
    createTopics: K.createTopics,
    timeoutSeconds: K.connectTimeoutMs / 1000,
    tls: { enabled: false, insecure: false },
    sasl: {},
    spool: { dir: '/var/lib/tlsscope/spool', maxMb: 1024 },
  },
  enrich: { enabled: true, caFiles: [], systemRoots: true, certificateReemitSeconds: 86_400 },
  limits: {
    maxFlows: S.flows.maxFlows,
    flowIdleTimeoutSeconds: S.flows.idleTimeout,
    flowClosedTimeoutSeconds: S.flows.closedTimeout,
    udpTimeoutSeconds: S.flows.udpTimeout,
    flowMemoryMb: S.memoryBudget / (1 << 20),
    maxBufferedPerDirectionKb: S.maxBufferedPerDirection / 1024,
    maxProbes: S.maxProbes,
    maxHandshakeMessageKb: S.maxHandshakeMessage / 1024,
  },
  metrics: {},
  stats: { intervalSeconds: 60 },
  log: { level: 'info', format: 'auto' },
};

type Leaf = string | number | boolean | string[] | undefined;
/** Some of the settings, as one source (file, environment, flags) gives them; null: explicitly unset. */
export type PartialConfig = {
  [K in keyof TlsscopeConfig]?: {
    [L in keyof TlsscopeConfig[K]]?: TlsscopeConfig[K][L] extends Leaf
      ? TlsscopeConfig[K][L] | null
      : { [M in keyof TlsscopeConfig[K][L]]?: TlsscopeConfig[K][L][M] | null };
  };
};

/** What kind of value a setting takes; each kind parses YAML nodes and strings (environment, flags). */
export type ValueKind =
  | { t: 'string' }
  | { t: 'strings'; what: string }
  | { t: 'path' }
  | { t: 'paths' }
  | { t: 'pem' }
  | { t: 'secret' }
  | { t: 'int'; min: number; max: number; unit?: string }
  | { t: 'bool' }
  | { t: 'enum'; values: readonly string[]; aliases?: Record<string, string> }
  | { t: 'enums'; values: readonly string[] }
  | { t: 'brokers' }
  | { t: 'listen' };

export interface Setting {
  /** Dotted YAML key, e.g. `kafka.sasl.password`. */
  key: string;
  /** The property path in TlsscopeConfig. */
  prop: string[];
  kind: ValueKind;
  /** Unset is allowed (no default). */
  optional: boolean;
  /** Long flag, with its argument placeholder: `--snaplen <bytes>`, `--no-promiscuous`, `--stdout`. */
  flag: string;
  /** Short flag, if any (`-i`). */
  short?: string;
  /** TLSSCOPE_ + the flag's name (without `no-`) in upper case, `-` → `_`. */
  env: string;
  help: string;
  /** A repeatable flag (collects a list). */
  repeatable?: boolean;
}

const MAX_I32 = 2 ** 31 - 1;
const int = (min: number, max = MAX_I32, unit?: string): ValueKind => ({ t: 'int', min, max, unit });
const FORMATS = ['ecs', 'gelf', 'ocsf'] as const;

/** Settings as [key, kind, flag, help, extra]; env names and property paths are derived. */
const TABLE: [string, ValueKind, string, string, { optional?: boolean; short?: string; repeatable?: boolean }?][] = [
  ['capture.interfaces', { t: 'strings', what: 'interface name' }, '--interface <name>', 'capture on this interface (repeatable, or a comma-separated list)', { short: '-i', repeatable: true }],
  ['capture.bpf', { t: 'string' }, '--bpf <filter>', 'BPF filter, libpcap syntax (e.g. "tcp or udp")', { optional: true }],
  ['capture.snaplen', int(64, 262_144, 'bytes'), '--snaplen <bytes>', 'bytes kept of each packet (must cover whole packets)'],
  ['capture.promiscuous', { t: 'bool' }, '--no-promiscuous', 'do not put the interfaces in promiscuous mode'],
  ['capture.buffer_mb', int(1, 4096, 'MiB'), '--buffer-mb <mb>', 'kernel capture buffer per interface, MiB'],

  ['output.format', { t: 'enum', values: FORMATS }, '--format <format>', 'rendering for stdout and --output: ecs, gelf or ocsf'],
  ['output.events', { t: 'enums', values: EVENT_KINDS }, '--events <kinds>', 'event kinds for stdout and --output: handshake, certificate, finding, stats'],
  ['output.stdout', { t: 'bool' }, '--stdout', 'write to stdout as well as to --output / Kafka'],
  ['output.file', { t: 'path' }, '--output <file>', 'write events to this NDJSON file', { optional: true, short: '-o' }],
  ['output.rotate_mb', int(0, 1 << 20, 'MiB'), '--rotate-mb <mb>', 'rotate --output at this size (0: never)'],
  ['output.rotate_keep', int(0, 1000), '--rotate-keep <n>', 'rotated files to keep'],

  ['kafka.brokers', { t: 'brokers' }, '--kafka-brokers <list>', 'publish to Kafka: host:port[,host:port…]'],
  ['kafka.topic_prefix', { t: 'string' }, '--kafka-topic-prefix <prefix>', 'topics <prefix>.handshakes, .findings, .certificates'],
  ['kafka.format', { t: 'enum', values: FORMATS }, '--kafka-format <format>', 'rendering for Kafka: ecs, gelf or ocsf'],
  ['kafka.acks', { t: 'enum', values: ['all', '1', '0'], aliases: { '-1': 'all' } }, '--kafka-acks <acks>', 'all, 1 or 0 (idempotence needs all)'],
  ['kafka.compression', { t: 'enum', values: ['none', 'gzip', 'snappy', 'lz4'] }, '--kafka-compression <codec>', 'none, gzip, snappy or lz4'],
  ['kafka.batch_messages', int(1, 1_000_000), '--kafka-batch <n>', 'messages per produce request'],
  ['kafka.linger_ms', int(0, 60_000, 'ms'), '--kafka-linger-ms <ms>', 'wait this long for a batch to fill'],
  ['kafka.partitions', int(1, 10_000), '--kafka-partitions <n>', 'partitions of topics tlsscope creates'],
  ['kafka.replication', int(1, 100), '--kafka-replication <n>', 'replication factor of topics tlsscope creates'],
  ['kafka.create_topics', { t: 'bool' }, '--no-kafka-create-topics', 'refuse to start when a topic is missing instead of creating it'],
  ['kafka.timeout_seconds', int(1, 3600, 's'), '--kafka-timeout <seconds>', 'give up reaching the brokers at start-up after this long'],
  ['kafka.tls.enabled', { t: 'bool' }, '--kafka-tls', 'TLS to the brokers (implied by ca, cert, key)'],
  ['kafka.tls.ca', { t: 'pem' }, '--kafka-ca <pem>', 'CA bundle for the brokers (path or env:NAME)', { optional: true }],
  ['kafka.tls.cert', { t: 'pem' }, '--kafka-cert <pem>', 'client certificate for mutual TLS (path or env:NAME)', { optional: true }],
  ['kafka.tls.key', { t: 'pem' }, '--kafka-key <pem>', 'client private key (path or env:NAME)', { optional: true }],
  ['kafka.tls.key_passphrase', { t: 'secret' }, '--kafka-key-passphrase <secret>', 'passphrase of the key (file:PATH or env:NAME)', { optional: true }],
  ['kafka.tls.insecure', { t: 'bool' }, '--kafka-insecure', "do not verify the brokers' certificates"],
  ['kafka.sasl.mechanism', { t: 'enum', values: ['plain', 'scram-sha-256', 'scram-sha-512'] }, '--kafka-sasl-mechanism <m>', 'plain, scram-sha-256 or scram-sha-512', { optional: true }],
  ['kafka.sasl.username', { t: 'string' }, '--kafka-sasl-username <user>', 'SASL user (or file:PATH, env:NAME)', { optional: true }],
  ['kafka.sasl.password', { t: 'secret' }, '--kafka-sasl-password <secret>', 'SASL password: file:PATH or env:NAME', { optional: true }],
  ['kafka.spool.dir', { t: 'path' }, '--kafka-spool-dir <dir>', 'spool events here while the brokers are unreachable'],
  ['kafka.spool.max_mb', int(1, 1 << 22, 'MiB'), '--kafka-spool-mb <mb>', 'size cap of the spool, MiB'],

  ['enrich.enabled', { t: 'bool' }, '--no-enrich', 'no certificate details, validation, findings or certificate events'],
  ['enrich.ca_files', { t: 'paths' }, '--ca-file <file>', 'trust the CA certificates of this PEM bundle too (repeatable)', { repeatable: true }],
  ['enrich.system_roots', { t: 'bool' }, '--no-system-roots', "do not trust Node's bundled root certificates (only the CA files)"],
  ['enrich.policy', { t: 'path' }, '--policy <file>', 'YAML policy (docs/policy.example.yaml); reloaded on SIGHUP', { optional: true }],
  ['enrich.certificate_reemit_seconds', int(1, MAX_I32, 's'), '--certificate-reemit <seconds>', 'report a certificate again when seen after this long'],

  ['limits.max_flows', int(1, 100_000_000), '--max-flows <n>', 'flow table capacity (the least recently active flow is evicted beyond)'],
  ['limits.flow_idle_timeout_seconds', int(1, 86_400, 's'), '--flow-idle-timeout <seconds>', 'idle timeout of open TCP flows'],
  ['limits.flow_closed_timeout_seconds', int(0, 3600, 's'), '--flow-closed-timeout <seconds>', 'how long a flow stays after FIN/RST'],
  ['limits.udp_timeout_seconds', int(1, 86_400, 's'), '--udp-timeout <seconds>', 'idle timeout of UDP flows'],
  ['limits.flow_memory_mb', int(1, 1 << 20, 'MiB'), '--flow-memory-mb <mb>', 'payload buffers of all flows together, MiB (beyond, buffering is refused and counted)'],
  ['limits.max_buffered_per_direction_kb', int(1, 1 << 20, 'KiB'), '--max-buffered-per-direction-kb <kb>', 'out-of-order bytes one TCP direction may hold, KiB'],
  ['limits.max_probes', int(1, 10_000), '--max-probes <n>', 'data segments inspected for a TLS hello before a flow is left alone'],
  ['limits.max_handshake_message_kb', int(1, 16_384, 'KiB'), '--max-handshake-message-kb <kb>', 'largest handshake message reassembled, KiB'],

  ['metrics.listen', { t: 'listen' }, '--metrics-listen <host:port>', 'serve /metrics, /healthz and /readyz here (port 0: any free port)', { optional: true }],
  ['stats.interval_seconds', int(0, 86_400, 's'), '--stats-interval <seconds>', 'seconds between two stats events (0: none but the last, at exit)'],
  ['log.level', { t: 'enum', values: LOG_LEVELS }, '--log-level <level>', 'fatal, error, warn, info, debug, trace or silent'],
  ['log.format', { t: 'enum', values: ['auto', 'json', 'pretty'] }, '--log-format <format>', 'auto (pretty on a terminal, JSON otherwise), json or pretty'],
];

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flag's long name without `--`, `no-` and the argument: `kafka-create-topics`. */
export function flagName(flag: string): string {
  return flag.split(' ')[0].replace(/^--(no-)?/, '');
}

/** Every setting, in the order of docs/configuration.md. */
export const SETTINGS: readonly Setting[] = TABLE.map(([key, kind, flag, help, extra]) => ({
  key,
  prop: key.split('.').map(camel),
  kind,
  optional: extra?.optional ?? false,
  flag,
  short: extra?.short,
  env: `TLSSCOPE_${flagName(flag).toUpperCase().replace(/-/g, '_')}`,
  help,
  repeatable: extra?.repeatable,
}));

export const SETTINGS_BY_KEY: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [s.key, s]));

/** The configuration file's path: `--config` or this variable. */
export const CONFIG_ENV = 'TLSSCOPE_CONFIG';

/** The value at a property path (undefined when a section is missing). */
export function getProp(obj: unknown, prop: readonly string[]): unknown {
  let o = obj;
  for (const p of prop) {
    if (o === null || typeof o !== 'object') return undefined;
    o = (o as Record<string, unknown>)[p];
  }
  return o;
}

/** Set a value at a property path, creating sections; `undefined` deletes. */
export function setProp(obj: Record<string, unknown>, prop: readonly string[], value: unknown): void {
  let o = obj;
  for (const p of prop.slice(0, -1)) {
    if (o[p] === undefined || o[p] === null || typeof o[p] !== 'object') o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  const last = prop[prop.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
}
