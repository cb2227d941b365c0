// Before kafkajs: it swaps in a native CRC-32C (see fast-crc.ts).
import { nativeCrc32c } from './fast-crc.js';
import kafkajs from 'kafkajs';
import type { Admin, Message, Producer, TopicMessages } from 'kafkajs';
import type { Logger } from '../../log.js';
import type { EventSink } from '../sink.js';
import { Spool, type SpoolOptions, type SpoolRecord } from '../spool.js';
import { clientConfig, KafkaConfigError, type KafkaOptions } from './config.js';
import { registerCodecs } from './codecs.js';
import { eventJson } from '../../event/event-json.js';

const { Kafka, CompressionTypes, logLevel } = kafkajs;

/** replay: never drop, make the reader wait. live: never block the capture, spill to the spool. */
export type DeliveryMode = 'replay' | 'live';

export interface KafkaSinkCounters {
  /** Events accepted into the memory queue. */
  queued: number;
  /** Events written to the on-disk spool. */
  spooled: number;
  /** Events acknowledged by the broker. */
  sent: number;
  /** Produce requests that failed (each is retried or spooled, so not an event lost). */
  failed: number;
  /** Events lost, by reason (spool full, shutdown with the broker unreachable). */
  dropped: Record<string, number>;
}

interface Pending {
  topic: string;
  key: string | null;
  value: string;
}

const DATASET_TOPIC: Record<string, string> = {
  'tlsscope.handshake': 'handshakes',
  'tlsscope.finding': 'findings',
  'tlsscope.certificate': 'certificates',
  'tlsscope.stats': 'stats',
};

/** The message key: the server endpoint (one server's events stay in order in one partition), a certificate's hash. */
export function messageKey(event: Record<string, unknown>): string | null {
  const dataset = (event.event as { dataset?: string } | undefined)?.dataset;
  if (dataset === 'tlsscope.certificate') {
    const rel = event.related as { hash?: string[] } | undefined;
    return rel?.hash?.[0] ?? null;
  }
  const d = event.destination as { ip?: string; port?: number } | undefined;
  if (!d?.ip) return null;
  return d.ip.includes(':') ? `[${d.ip}]:${d.port}` : `${d.ip}:${d.port}`;
}

export interface KafkaSinkOptions {
  kafka: KafkaOptions;
  mode: DeliveryMode;
  /** Rendering of each event (ECS as built, GELF, OCSF). */
  render: (event: Record<string, unknown>) => Record<string, unknown>;
  /** Format name, sent as a message header. */
  format: string;
  /** Live mode: where events wait while the broker is unreachable. */
  spool?: SpoolOptions;
  log: Logger;
}

/**
 * Events to Kafka with kafkajs, behind the sink interface (kafkajs is unmaintained; nothing
 * else in tlsscope imports it). Three topics, `<prefix>.handshakes|findings|certificates`.
 * Batches are sent one produce request at a time, so the order within a key is the order of
 * the events, also across retries. When the broker is slow, replay mode makes write() return
 * a promise (the reader pauses: nothing is ever dropped); live mode keeps the capture going
 * and spills to the spool, which drains, oldest first, when the broker is back.
 */
export class KafkaSink implements EventSink {
  readonly counters: KafkaSinkCounters = { queued: 0, spooled: 0, sent: 0, failed: 0, dropped: {} };
  private queue: Pending[] = [];
  private head = 0;
  private queuedBytes = 0;
  private pump: Promise<void> | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private spaceWaiters: (() => void)[] = [];
  private brokerDown = false;
  private closing = false;
  private readonly spool: Spool | undefined;
  private readonly compression: number;
  private readonly topics: Record<string, string>;

  private constructor(
    private readonly o: KafkaSinkOptions,
    private readonly producer: Producer,
  ) {
    this.spool = o.mode === 'live' && o.spool ? new Spool(o.spool) : undefined;
    this.compression = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4 }[o.kafka.compression];
    this.topics = Object.fromEntries(Object.entries(DATASET_TOPIC).map(([ds, t]) => [ds, `${o.kafka.topicPrefix}.${t}`]));
    // A spool left by an earlier run drains first.
    if (this.spool && !this.spool.isEmpty) this.schedule(0);
  }

  /** The topic names of a prefix. */
  static topicNames(prefix: string): string[] {
    return Object.values(DATASET_TOPIC).map((t) => `${prefix}.${t}`);
  }

  /**
   * Connect, make sure the topics exist (creating them when allowed), and start the
   * producer. Fails with a one-line KafkaConfigError within `connectTimeoutMs` when the
   * brokers cannot be reached, refuse the credentials, or topics cannot be created.
   */
  static async open(o: KafkaSinkOptions): Promise<KafkaSink> {
    registerCodecs();
    const k = o.kafka;
    const log = o.log.child({ component: 'kafka' });
    const kafka = new Kafka({
      ...clientConfig(k),
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        const { message, ...rest } = entry.log;
        log.debug({ kafkajs: entry.namespace, ...rest }, message);
      },
    });
    const admin = kafka.admin();
    const producer = kafka.producer({
      idempotent: k.idempotent,
      maxInFlightRequests: k.idempotent ? 1 : 5,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 300, retries: 5, maxRetryTime: 5_000 },
    });
    const deadline = withTimeout(k.connectTimeoutMs, `cannot reach Kafka at ${k.brokers.join(',')} within ${k.connectTimeoutMs / 1000} s`);
    try {
      await Promise.race([admin.connect(), deadline.promise]);
      await Promise.race([ensureTopics(admin, k), deadline.promise]);
      await Promise.race([producer.connect(), deadline.promise]);
    } catch (err) {
      await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
      throw err instanceof KafkaConfigError ? err : new KafkaConfigError(`Kafka ${k.brokers.join(',')}: ${describeError(err)}`);
    } finally {
      deadline.cancel();
    }
    await admin.disconnect();
    log.info({ nativeCrc32c, brokers: k.brokers, topics: KafkaSink.topicNames(k.topicPrefix), mode: o.mode, acks: k.acks, compression: k.compression }, 'connected to Kafka');
    return new KafkaSink(o, producer);
  }

  write(event: Record<string, unknown>): void | Promise<void> {
    const dataset = (event.event as { dataset?: string } | undefined)?.dataset ?? '';
    const topic = this.topics[dataset];
    if (topic === undefined) return;
    const out = this.o.render(event);
    const rec: Pending = { topic, key: messageKey(event), value: out === event ? eventJson(event) : JSON.stringify(out) };
    if (this.spool && (this.brokerDown || !this.spool.isEmpty)) {
      // Once events wait on disk, newer ones queue behind them there: order is kept.
      this.toSpool([rec]);
      return;
    }
    this.queue.push(rec);
    this.queuedBytes += rec.value.length;
    this.counters.queued++;
    if (this.queue.length - this.head >= this.o.kafka.batchMessages) this.schedule(0);
    else this.schedule(this.o.kafka.lingerMs);
    if (this.queuedBytes <= this.o.kafka.maxQueuedBytes) return;
    if (this.spool) {
      this.spillQueue();
      return;
    }
    return new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
  }

  private toSpool(records: Pending[]): void {
    const spool = this.spool!;
    const n = spool.append(records);
    this.counters.spooled += n;
    if (n < records.length) this.drop('spool_full', records.length - n);
    this.schedule(1000);
  }

  private spillQueue(): void {
    const rest = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.toSpool(rest);
  }

  private drop(reason: string, n: number): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + n;
    this.o.log.warn({ reason, events: n }, 'events dropped');
  }

  private schedule(delayMs: number): void {
    if (this.pump) return;
    if (this.wakeTimer) {
      if (delayMs > 0) return;
      clearTimeout(this.wakeTimer);
    }
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.pump = this.run().finally(() => {
        this.pump = null;
        if (this.hasWork()) this.schedule(this.brokerDown ? 1000 : 0);
      });
    }, delayMs);
  }

  private hasWork(): boolean {
    return this.queue.length > this.head || (this.spool !== undefined && !this.spool.isEmpty);
  }

  /** Send until nothing is left or a send fails. */
  private async run(): Promise<void> {
    let backoff = 250;
    while (this.hasWork()) {
      const fromSpool = this.spool !== undefined && !this.spool.isEmpty;
      const batch = limitBytes(
        fromSpool ? this.spool!.peek(this.o.kafka.batchMessages) : this.queue.slice(this.head, this.head + this.o.kafka.batchMessages),
        this.o.kafka.batchBytes,
      );
      if (batch.length === 0) {
        // Only damaged records left in the oldest segment: skip them.
        if (fromSpool) this.spool!.ack(Number.MAX_SAFE_INTEGER);
        continue;
      }
      try {
        await this.producer.sendBatch({ topicMessages: byTopic(batch, this.o.format), acks: this.o.kafka.acks, compression: this.compression });
      } catch (err) {
        this.counters.failed++;
        if (isTooLarge(err) && batch.length === 1) {
          // Larger than the broker takes (a certificate with 10,000 names…): it never will.
          this.o.log.error({ topic: batch[0].topic, bytes: batch[0].value.length }, 'event larger than the broker accepts (message.max.bytes); dropped');
          this.drop('too_large', 1);
          this.consumed(batch, fromSpool);
          continue;
        }
        if (isTooLarge(err)) {
          this.o.kafka.batchBytes = Math.max(1024, Math.floor(this.o.kafka.batchBytes / 2));
          continue;
        }
        if (!this.brokerDown) this.o.log.warn({ err: describeError(err) }, 'Kafka unreachable; retrying');
        this.brokerDown = true;
        if (this.spool && !fromSpool) this.spillQueue();
        if (this.closing && this.spool) return;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
        continue;
      }
      if (this.brokerDown) this.o.log.info('Kafka reachable again');
      this.brokerDown = false;
      backoff = 250;
      this.counters.sent += batch.length;
      this.consumed(batch, fromSpool);
    }
    this.releaseWaiters();
  }

  /** The first `batch.length` records are done with (sent, or dropped for good). */
  private consumed(batch: unknown[], fromSpool: boolean): void {
    if (fromSpool) this.spool!.ack(batch.length);
    else {
      for (let i = 0; i < batch.length; i++) this.queuedBytes -= this.queue[this.head + i].value.length;
      this.head += batch.length;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
    }
    if (this.queuedBytes <= this.o.kafka.maxQueuedBytes) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const w = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const r of w) r();
  }

  /** Send what is queued now rather than after the linger time. */
  flush(): void {
    if (this.hasWork()) this.schedule(0);
  }

  /** Events waiting in memory. */
  get queueEvents(): number {
    return this.queue.length - this.head;
  }

  /** Bytes waiting in the on-disk spool. */
  get spoolBytes(): number {
    return this.spool?.bytes ?? 0;
  }

  /**
   * Deliver everything, then disconnect. Replay: waits until every event is acknowledged.
   * Live: sends what the broker takes within `graceMs`; the rest stays in the spool for the
   * next start (without a spool it is dropped and counted).
   */
  async close(graceMs = 30_000): Promise<void> {
    this.closing = this.o.mode === 'live';
    const started = Date.now();
    while (this.hasWork() || this.pump) {
      if (this.o.mode === 'live' && Date.now() - started > graceMs) break;
      if (!this.pump) this.schedule(0);
      if (this.wakeTimer) {
        clearTimeout(this.wakeTimer);
        this.wakeTimer = null;
        this.schedule(0);
      }
      await (this.pump ?? sleep(50));
      if (this.closing && this.brokerDown) break;
    }
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.queue.length > this.head) {
      if (this.spool) this.spillQueue();
      else this.drop('shutdown_unreachable', this.queue.length - this.head);
    }
    this.spool?.close();
    await this.producer.disconnect().catch(() => undefined);
  }
}

/** The longest prefix of `batch` within `maxBytes` of values (at least one record). */
function limitBytes<T extends { value: string }>(batch: T[], maxBytes: number): T[] {
  let bytes = 0;
  for (let i = 0; i < batch.length; i++) {
    bytes += batch[i].value.length + 64;
    if (bytes > maxBytes && i > 0) return batch.slice(0, i);
  }
  return batch;
}

function isTooLarge(err: unknown): boolean {
  const e = err as { type?: string; cause?: { type?: string }; originalError?: { type?: string } };
  return [e.type, e.cause?.type, e.originalError?.type].some((t) => t === 'MESSAGE_TOO_LARGE' || t === 'RECORD_LIST_TOO_LARGE');
}

/** The headers every message carries, one object per format: values as bytes, encoded once. */
const HEADERS = new Map<string, Message['headers']>();

function headersFor(format: string): Message['headers'] {
  let h = HEADERS.get(format);
  if (h === undefined) {
    h = Object.freeze({ 'content-type': Buffer.from('application/json'), 'tlsscope-format': Buffer.from(format) });
    HEADERS.set(format, h);
  }
  return h;
}

function byTopic(batch: (Pending | SpoolRecord)[], format: string): TopicMessages[] {
  const m = new Map<string, Message[]>();
  const headers = headersFor(format);
  for (const r of batch) {
    let list = m.get(r.topic);
    if (!list) m.set(r.topic, (list = []));
    list.push({ key: r.key, value: r.value, headers });
  }
  return [...m].map(([topic, messages]) => ({ topic, messages }));
}

async function ensureTopics(admin: Admin, k: KafkaOptions): Promise<void> {
  const wanted = KafkaSink.topicNames(k.topicPrefix);
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  if (!k.createTopics) throw new KafkaConfigError(`Kafka topics missing and --kafka-no-create-topics given: ${missing.join(', ')}`);
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: k.partitions, replicationFactor: k.replicationFactor })),
    });
  } catch (err) {
    throw new KafkaConfigError(`cannot create Kafka topics ${missing.join(', ')}: ${describeError(err)}`);
  }
}

function describeError(err: unknown): string {
  const e = err as { message?: string; type?: string; cause?: { message?: string } };
  const text = [e.type, e.message, e.cause?.message].filter(Boolean).join(': ');
  return (text || String(err)).replace(/\s+/g, ' ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function withTimeout(ms: number, message: string): { promise: Promise<never>; cancel: () => void } {
  let t: NodeJS.Timeout;
  const promise = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new KafkaConfigError(message)), ms);
  });
  promise.catch(() => undefined);
  return { promise, cancel: () => clearTimeout(t) };
}
