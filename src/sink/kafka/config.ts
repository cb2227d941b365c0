import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4';
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** How the sensor reaches Kafka. Secrets are references (`file:PATH`, `env:NAME`) or literal text. */
export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  /** Create missing topics with these settings (false: refuse to start when one is missing). */
  createTopics: boolean;
  partitions: number;
  replicationFactor: number;
  /** -1 = all in-sync replicas (the default), 1 = leader only, 0 = none. */
  acks: -1 | 0 | 1;
  idempotent: boolean;
  compression: Compression;
  /** Messages per produce request, at most. */
  batchMessages: number;
  /**
   * Bytes of message values per produce request, at most. The broker limits each partition's
   * batch (message.max.bytes, 1 MiB by default), not the request: requests carry batches for
   * many partitions, so this is larger; a refused batch halves it for the rest of the run.
   */
  batchBytes: number;
  /** Wait this long for a batch to fill before sending it (ms). */
  lingerMs: number;
  /** Unsent bytes held in memory before write() makes the caller wait (replay) or spills (live). */
  maxQueuedBytes: number;
  /** Give up connecting at start-up after this long (ms). */
  connectTimeoutMs: number;
  ssl?: { ca?: string; cert?: string; key?: string; passphrase?: string; rejectUnauthorized: boolean; servername?: string };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

export const DEFAULT_KAFKA_OPTIONS: Omit<KafkaOptions, 'brokers'> = {
  clientId: 'tlsscope',
  topicPrefix: 'tlsscope',
  createTopics: true,
  partitions: 6,
  replicationFactor: 1,
  acks: -1,
  idempotent: true,
  compression: 'none',
  batchMessages: 4000,
  batchBytes: 1536 * 1024,
  lingerMs: 20,
  maxQueuedBytes: 16 << 20,
  connectTimeoutMs: 10_000,
};

export class KafkaConfigError extends Error {}

/**
 * A secret or file-backed value: `file:/path` reads the file (trailing newline dropped for
 * passwords), `env:NAME` reads the environment, anything else is the value itself.
 */
export function resolveSecret(ref: string, what: string, opts: { trimNewline: boolean } = { trimNewline: true }): string {
  if (ref.startsWith('file:')) {
    const path = ref.slice(5);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new KafkaConfigError(`${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return opts.trimNewline ? text.replace(/\r?\n$/, '') : text;
  }
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const v = process.env[name];
    if (v === undefined) throw new KafkaConfigError(`${what}: environment variable ${name} is not set`);
    return v;
  }
  return ref;
}

/** A PEM given as a path (the usual) or `env:NAME` holding the PEM text. */
export function readPem(ref: string, what: string): string {
  if (ref.startsWith('env:')) return resolveSecret(ref, what);
  return resolveSecret(ref.startsWith('file:') ? ref : `file:${ref}`, what, { trimNewline: false });
}

/** `host:port[,host:port…]` as given on the command line. */
export function parseBrokers(list: string): string[] {
  const brokers = list.split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new KafkaConfigError('--kafka-brokers: no broker given');
  for (const b of brokers) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(b);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new KafkaConfigError(`--kafka-brokers: '${b}' is not host:port`);
  }
  return brokers;
}

/** The kafkajs client configuration. */
export function clientConfig(o: KafkaOptions): KafkaConfig {
  const cfg: KafkaConfig = {
    brokers: o.brokers,
    clientId: o.clientId,
    connectionTimeout: Math.min(o.connectTimeoutMs, 10_000),
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 5, maxRetryTime: 5_000 },
  };
  if (o.ssl) {
    cfg.ssl = {
      rejectUnauthorized: o.ssl.rejectUnauthorized,
      ...(o.ssl.ca ? { ca: [o.ssl.ca] } : {}),
      ...(o.ssl.cert ? { cert: o.ssl.cert } : {}),
      ...(o.ssl.key ? { key: o.ssl.key } : {}),
      ...(o.ssl.passphrase ? { passphrase: o.ssl.passphrase } : {}),
      ...(o.ssl.servername ? { servername: o.ssl.servername } : {}),
    };
  }
  if (o.sasl) cfg.sasl = { mechanism: o.sasl.mechanism, username: o.sasl.username, password: o.sasl.password } as SASLOptions;
  return cfg;
}
