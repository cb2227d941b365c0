import { hostname } from 'node:os';
import { isFormatName, render, type FormatName } from '../format/index.js';
import type { Logger } from '../log.js';
import { DEFAULT_KAFKA_OPTIONS, parseBrokers, readPem, resolveSecret, KafkaConfigError, type Compression, type KafkaOptions, type SaslMechanism } from '../sink/kafka/config.js';
import type { DeliveryMode, KafkaSink } from '../sink/kafka/kafka-sink.js';
import { NdjsonSink } from '../sink/ndjson-sink.js';
import { FanOutSink, type EventSink } from '../sink/sink.js';

/** Sink options as the command line gives them (see main.ts for each flag). */
export interface SinkFlags {
  format: string;
  output?: string;
  stdout?: boolean;
  events: string;
  rotateMb: number;
  rotateKeep: number;
  kafkaBrokers?: string;
  kafkaTopicPrefix: string;
  kafkaFormat: string;
  kafkaAcks: string;
  kafkaCompression: string;
  kafkaBatch: number;
  kafkaLingerMs: number;
  kafkaPartitions: number;
  kafkaReplication: number;
  kafkaCreateTopics: boolean;
  kafkaTimeout: number;
  kafkaTls?: boolean;
  kafkaCa?: string;
  kafkaCert?: string;
  kafkaKey?: string;
  kafkaKeyPassphrase?: string;
  kafkaInsecure?: boolean;
  kafkaSaslMechanism?: string;
  kafkaSaslUsername?: string;
  kafkaSaslPassword?: string;
  kafkaSpoolDir?: string;
  kafkaSpoolMb: number;
}

export class SinkConfigError extends Error {}

const DATASETS: Record<string, string> = { handshake: 'tlsscope.handshake', certificate: 'tlsscope.certificate', finding: 'tlsscope.finding', stats: 'tlsscope.stats' };
const PRODUCT_VERSION = '0.1.0';

function formatOf(name: string, flag: string): FormatName {
  if (!isFormatName(name)) throw new SinkConfigError(`${flag}: unknown format '${name}' (ecs, gelf or ocsf)`);
  return name;
}

function renderer(format: FormatName): (e: Record<string, unknown>) => Record<string, unknown> {
  if (format === 'ecs') return (e) => e;
  const ctx = { host: hostname(), productVersion: PRODUCT_VERSION };
  return (e) => render(format, e, ctx);
}

/** The Kafka options from the flags; secrets from `file:`/`env:` references or TLSSCOPE_KAFKA_* variables. */
export function kafkaOptionsFrom(f: SinkFlags): KafkaOptions {
  const acks = f.kafkaAcks === 'all' || f.kafkaAcks === '-1' ? -1 : f.kafkaAcks === '1' ? 1 : f.kafkaAcks === '0' ? 0 : undefined;
  if (acks === undefined) throw new KafkaConfigError(`--kafka-acks: '${f.kafkaAcks}' is not all, 1 or 0`);
  if (!['none', 'gzip', 'snappy', 'lz4'].includes(f.kafkaCompression)) throw new KafkaConfigError(`--kafka-compression: '${f.kafkaCompression}' is not none, gzip, snappy or lz4`);
  const o: KafkaOptions = {
    ...DEFAULT_KAFKA_OPTIONS,
    brokers: parseBrokers(f.kafkaBrokers ?? ''),
    topicPrefix: f.kafkaTopicPrefix,
    acks,
    idempotent: acks === -1,
    compression: f.kafkaCompression as Compression,
    batchMessages: f.kafkaBatch,
    lingerMs: f.kafkaLingerMs,
    partitions: f.kafkaPartitions,
    replicationFactor: f.kafkaReplication,
    createTopics: f.kafkaCreateTopics,
    connectTimeoutMs: f.kafkaTimeout * 1000,
  };
  const env = process.env;
  const ca = f.kafkaCa ?? env.TLSSCOPE_KAFKA_CA;
  const cert = f.kafkaCert ?? env.TLSSCOPE_KAFKA_CERT;
  const key = f.kafkaKey ?? env.TLSSCOPE_KAFKA_KEY;
  if (f.kafkaTls || ca || cert || key) {
    if ((cert === undefined) !== (key === undefined)) throw new KafkaConfigError('--kafka-cert and --kafka-key go together');
    const pass = f.kafkaKeyPassphrase ?? env.TLSSCOPE_KAFKA_KEY_PASSPHRASE;
    o.ssl = {
      rejectUnauthorized: !f.kafkaInsecure,
      ca: ca ? readPem(ca, '--kafka-ca') : undefined,
      cert: cert ? readPem(cert, '--kafka-cert') : undefined,
      key: key ? readPem(key, '--kafka-key') : undefined,
      passphrase: pass ? resolveSecret(pass, '--kafka-key-passphrase') : undefined,
    };
  }
  const mech = f.kafkaSaslMechanism ?? env.TLSSCOPE_KAFKA_SASL_MECHANISM;
  if (mech) {
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mech)) throw new KafkaConfigError(`--kafka-sasl-mechanism: '${mech}' is not plain, scram-sha-256 or scram-sha-512`);
    const user = f.kafkaSaslUsername ?? env.TLSSCOPE_KAFKA_SASL_USERNAME;
    const pass = f.kafkaSaslPassword ?? env.TLSSCOPE_KAFKA_SASL_PASSWORD;
    if (!user || pass === undefined) throw new KafkaConfigError('SASL needs --kafka-sasl-username and --kafka-sasl-password (or TLSSCOPE_KAFKA_SASL_USERNAME / TLSSCOPE_KAFKA_SASL_PASSWORD)');
    o.sasl = { mechanism: mech as SaslMechanism, username: resolveSecret(user, '--kafka-sasl-username'), password: resolveSecret(pass, '--kafka-sasl-password') };
  }
  return o;
}

export interface Sinks {
  sink: EventSink;
  kafka?: KafkaSink;
  files: NdjsonSink[];
  /** Event datasets some sink takes (Kafka takes every kind): what is not taken need not be built. */
  wanted: ReadonlySet<string>;
}

/** Every sink the flags ask for: stdout (the default), a rotated file, Kafka. */
export async function openSinks(f: SinkFlags, mode: DeliveryMode, log: Logger): Promise<Sinks> {
  const datasets = new Set(
    f.events.split(',').map((e) => {
      const d = DATASETS[e.trim()];
      if (!d) throw new SinkConfigError(`--events: unknown event kind '${e}' (handshake, certificate, finding, stats)`);
      return d;
    }),
  );
  const format = formatOf(f.format, '--format');
  const sinks: EventSink[] = [];
  const files: NdjsonSink[] = [];
  if (f.output) {
    const s = NdjsonSink.toFile(f.output, { maxBytes: f.rotateMb * 1024 * 1024, keep: f.rotateKeep, truncate: mode === 'replay' && f.rotateMb === 0 }, { datasets, render: renderer(format) });
    sinks.push(s);
    files.push(s);
  }
  let kafka: KafkaSink | undefined;
  if (f.kafkaBrokers !== undefined) {
    const kformat = formatOf(f.kafkaFormat, '--kafka-format');
    // Loaded only when asked for: kafkajs and its codecs take a tenth of a second to load.
    const { KafkaSink } = await import('../sink/kafka/kafka-sink.js');
    kafka = await KafkaSink.open({
      kafka: kafkaOptionsFrom(f),
      mode,
      render: renderer(kformat),
      format: kformat,
      spool: mode === 'live' && f.kafkaSpoolDir ? { dir: f.kafkaSpoolDir, maxBytes: f.kafkaSpoolMb * 1024 * 1024, segmentBytes: 8 << 20 } : undefined,
      log,
    });
    sinks.push(kafka);
  }
  if (f.stdout || sinks.length === 0) sinks.push(NdjsonSink.toStream(process.stdout, { datasets, render: renderer(format) }));
  const wanted = kafka ? new Set(Object.values(DATASETS)) : datasets;
  return { sink: sinks.length === 1 ? sinks[0] : new FanOutSink(sinks), kafka, files, wanted };
}
