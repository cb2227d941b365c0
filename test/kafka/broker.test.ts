/**
 * The development/test broker of scripts/kafka.sh with kafkajs: a round trip over every listener
 * and codec, refusals on the authenticated listeners, and a stop that leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import {
  findFreePortBase,
  kafkaScript,
  portIsFree,
  registerKafkaCodecs,
  useKafka,
} from '../support/kafka.js';
import { readTopic } from '../support/kafka-read.js';

const { Kafka, CompressionTypes, logLevel, Partitioners } = kafkajs;
const execFileP = promisify(execFile);

registerKafkaCodecs();
const broker = useKafka();

type ClientConfig = Omit<KafkaConfig, 'clientId' | 'logLevel'>;

function client(config: ClientConfig) {
  return new Kafka({ clientId: 'tlsscope-test', logLevel: logLevel.NOTHING, ...config });
}

let topicSeq = 0;
function topicName(label: string) {
  return `t-${label}-${process.pid}-${++topicSeq}`;
}

interface Received {
  key: string;
  value: string;
  partition: number;
  offset: number;
}

/**
 * Creates a topic, sends `count` messages with an idempotent producer (acks=-1) in batches of 250,
 * and reads the topic back with a new consumer group. Returns what was sent and what came back.
 */
async function roundTrip(config: ClientConfig, label: string, count: number, compression = CompressionTypes.None) {
  const kafka = client(config);
  const topic = topicName(label);
  const admin = kafka.admin();
  await admin.connect();
  try {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })).toBe(true);
  } finally {
    await admin.disconnect();
  }

  const sent = Array.from({ length: count }, (_, i) => ({
    key: `key-${i % 17}`,
    // Compressible but not constant, and unique per message.
    value: `${label} message ${i} ` + 'tlsscope '.repeat(10 + (i % 13)),
  }));
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    for (let i = 0; i < sent.length; i += 250) {
      const meta = await producer.send({ topic, acks: -1, compression, messages: sent.slice(i, i + 250) });
      for (const m of meta) expect(m.errorCode).toBe(0);
    }
  } finally {
    await producer.disconnect();
  }

  // Read back with a fresh consumer group, up to each partition's high watermark.
  const received: Received[] = (await readTopic(config, topic)).map((m) => ({ key: m.key ?? '', value: m.value, partition: m.partition, offset: m.offset }));
  return { topic, sent, received };
}

function expectSameMessages(sent: { key: string; value: string }[], received: Received[]) {
  expect(received).toHaveLength(sent.length);
  const key = (m: { key: string; value: string }) => `${m.key}\u0000${m.value}`;
  expect(new Set(received.map(key))).toEqual(new Set(sent.map(key)));
  // Within a partition, offsets are dense and in order: nothing duplicated or lost.
  for (const p of new Set(received.map((m) => m.partition))) {
    const offsets = received.filter((m) => m.partition === p).map((m) => Number(m.offset));
    expect(offsets).toEqual(offsets.map((_, i) => i));
  }
}

interface StoredBatch {
  codec: number;
  producerId: bigint;
  baseSequence: number;
  records: number;
}

/** The record batches the broker stored for a topic, read from its log segments (format v2). */
function storedBatches(stateDir: string, topic: string): StoredBatch[] {
  const dataDir = path.join(stateDir, 'data');
  const batches: StoredBatch[] = [];
  for (const dir of fs.readdirSync(dataDir).filter((d) => d.startsWith(`${topic}-`))) {
    for (const file of fs.readdirSync(path.join(dataDir, dir)).filter((f) => f.endsWith('.log'))) {
      const buf = fs.readFileSync(path.join(dataDir, dir, file));
      let pos = 0;
      while (pos + 61 <= buf.length) {
        const batchLength = buf.readInt32BE(pos + 8);
        expect(buf.readInt8(pos + 16)).toBe(2); // magic
        batches.push({
          codec: buf.readInt16BE(pos + 21) & 0x7,
          producerId: buf.readBigInt64BE(pos + 43),
          baseSequence: buf.readInt32BE(pos + 53),
          records: buf.readInt32BE(pos + 57),
        });
        pos += 12 + batchLength;
      }
    }
  }
  return batches;
}

/** Connecting must fail: returns the error kafkajs gives (no retries, so it is quick). */
async function refusal(config: ClientConfig): Promise<Error & { cause?: Error & { code?: string } }> {
  const admin = client({ ...config, retry: { retries: 0 }, connectionTimeout: 5_000 }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (err) {
    return err as Error & { cause?: Error & { code?: string } };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  throw new Error('the broker accepted the connection');
}

/** Java refuses a missing or untrusted client certificate with a TLS alert; Node names it in `code`. */
const TLS_ALERT = /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_(BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|UNKNOWN_CA|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE)$/;

const codecs = [
  ['none', CompressionTypes.None],
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
] as const;

describe('scripts/kafka.sh broker', () => {
  it('runs Kafka 4 in KRaft mode with every listener, certificate and credential it reports', async () => {
    const b = broker();
    expect(b.version).toMatch(/^4\./);
    expect(b.plaintext).toBe(`127.0.0.1:${b.port}`);
    expect(b.tls.bootstrap).toBe(`127.0.0.1:${b.port + 1}`);
    expect(b.sasl.bootstrap).toBe(`127.0.0.1:${b.port + 2}`);
    expect(b.sasl.sslBootstrap).toBe(`127.0.0.1:${b.port + 3}`);
    expect(b.sasl.mechanisms).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']);
    for (const pem of [b.tls.ca, b.tls.cert, b.tls.otherCert]) expect(pem).toContain('BEGIN CERTIFICATE');
    for (const pem of [b.tls.key, b.tls.otherKey]) expect(pem).toContain('PRIVATE KEY');
    expect(fs.readFileSync(b.logPath, 'utf8')).toContain('Kafka Server started');

    const status = await b.script(['status']);
    for (const port of b.ports) expect(status.stdout).toContain(`127.0.0.1:${port}`);
    // start again: already running, prints the same bootstrap last.
    const again = await b.script(['start']);
    expect(again.stdout.trimEnd().split('\n').pop()).toBe(b.plaintext);

    const cluster = await (async () => {
      const admin = client({ brokers: [b.plaintext] }).admin();
      await admin.connect();
      try {
        return await admin.describeCluster();
      } finally {
        await admin.disconnect();
      }
    })();
    expect(cluster.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: b.port }]);
  });

  describe('PLAINTEXT: 1,000 messages with an idempotent producer (acks=-1)', () => {
    it.each(codecs)('%s', async (name, compression) => {
      const b = broker();
      const { topic, sent, received } = await roundTrip({ brokers: [b.plaintext] }, name, 1000, compression);
      expectSameMessages(sent, received);
      // The broker stored the batches as sent: this codec, with a producer id and sequences.
      const batches = storedBatches(b.stateDir, topic);
      expect(batches.length).toBeGreaterThanOrEqual(4);
      expect(batches.reduce((n, x) => n + x.records, 0)).toBe(1000);
      for (const batch of batches) {
        expect(batch.codec).toBe(compression);
        expect(batch.producerId).toBeGreaterThanOrEqual(0n);
        expect(batch.baseSequence).toBeGreaterThanOrEqual(0);
      }
    }, 60_000);
  });

  describe('SSL listener (client certificate required)', () => {
    it('accepts the client certificate issued by the test CA', async () => {
      const { tls } = broker();
      const { sent, received } = await roundTrip(
        { brokers: [tls.bootstrap], ssl: { ca: [tls.ca], cert: tls.cert, key: tls.key } },
        'tls',
        1000,
        CompressionTypes.GZIP,
      );
      expectSameMessages(sent, received);
    }, 60_000);

    it('refuses a client certificate from another CA', async () => {
      const { tls } = broker();
      const err = await refusal({
        brokers: [tls.bootstrap],
        ssl: { ca: [tls.ca], cert: tls.otherCert, key: tls.otherKey },
      });
      expect(err.name).toBe('KafkaJSNumberOfRetriesExceeded');
      expect(err.cause?.name).toBe('KafkaJSConnectionError');
      expect(err.cause?.code).toMatch(TLS_ALERT);
      expect(err.message).toMatch(/SSL alert number \d+/);
    }, 30_000);

    it('refuses a client without a certificate', async () => {
      const { tls } = broker();
      const err = await refusal({ brokers: [tls.bootstrap], ssl: { ca: [tls.ca] } });
      expect(err.name).toBe('KafkaJSNumberOfRetriesExceeded');
      expect(err.cause?.name).toBe('KafkaJSConnectionError');
      expect(err.cause?.code).toMatch(TLS_ALERT);
    }, 30_000);
  });

  describe('SASL listeners', () => {
    const scram = [
      ['scram-sha-256', 'SCRAM SHA256'],
      ['scram-sha-512', 'SCRAM SHA512'],
    ] as const;

    it.each(scram)('%s with the right password works', async (mechanism) => {
      const { sasl } = broker();
      const auth = { mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
      const { sent, received } = await roundTrip({ brokers: [sasl.bootstrap], sasl: auth }, mechanism, 1000);
      expectSameMessages(sent, received);
    }, 60_000);

    it.each(scram)('%s with a wrong password is refused with an authentication error', async (mechanism, label) => {
      const { sasl } = broker();
      const auth = { mechanism, username: sasl.username, password: 'not-the-password' } as SASLOptions;
      const err = await refusal({ brokers: [sasl.bootstrap], sasl: auth });
      expect(err.name).toBe('KafkaJSSASLAuthenticationError');
      expect(err.message).toContain(`SASL ${label} authentication failed`);
      expect(err.message).toMatch(/invalid credentials/i);
    }, 30_000);

    it('an unknown user is refused', async () => {
      const { sasl } = broker();
      const err = await refusal({
        brokers: [sasl.bootstrap],
        sasl: { mechanism: 'scram-sha-512', username: 'nobody', password: sasl.password },
      });
      expect(err.name).toBe('KafkaJSSASLAuthenticationError');
    }, 30_000);

    it('PLAIN works, and SCRAM-SHA-512 over SASL_SSL', async () => {
      const { sasl, tls } = broker();
      const plain = await roundTrip(
        { brokers: [sasl.bootstrap], sasl: { mechanism: 'plain', username: sasl.username, password: sasl.password } },
        'plain',
        100,
      );
      expectSameMessages(plain.sent, plain.received);
      const overTls = await roundTrip(
        {
          brokers: [sasl.sslBootstrap],
          ssl: { ca: [tls.ca] },
          sasl: { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password },
        },
        'sasl-ssl',
        100,
        CompressionTypes.LZ4,
      );
      expectSameMessages(overTls.sent, overTls.received);
      const wrong = await refusal({
        brokers: [sasl.sslBootstrap],
        ssl: { ca: [tls.ca] },
        sasl: { mechanism: 'plain', username: sasl.username, password: 'not-the-password' },
      });
      expect(wrong.name).toBe('KafkaJSSASLAuthenticationError');
    }, 60_000);
  });

  it('start refuses a port in use with one line on stderr', async () => {
    const base = await findFreePortBase();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(base + 2, '127.0.0.1', resolve));
    try {
      const err = await execFileP('bash', [kafkaScript, 'start'], {
        env: { ...process.env, KAFKA_PORT: String(base), KAFKA_STATE_DIR: path.join(os.tmpdir(), `tlsscope-kafka-unused-${base}`) },
      }).then(
        () => undefined,
        (e: unknown) => e as { code: number; stderr: string; stdout: string },
      );
      expect(err).toBeDefined();
      expect(err!.code).not.toBe(0);
      expect(err!.stderr.trim().split('\n')).toEqual([
        `kafka.sh: port ${base + 2} on 127.0.0.1 is in use (ports ${base}..${base + 4} are needed; choose another KAFKA_PORT)`,
      ]);
      expect(err!.stdout).toBe('');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 30_000);

  it('stop stops the broker, removes its state dir and frees its ports', async () => {
    const b = broker();
    expect(fs.existsSync(b.stateDir)).toBe(true);
    await b.stop();
    expect(fs.existsSync(b.stateDir)).toBe(false);
    for (const port of b.ports) expect(await portIsFree(port)).toBe(true);
    const status = await b.script(['status']).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    expect(status).toBe(3);
  }, 60_000);
});
