#!/usr/bin/env node
// The Kafka sink alone: publish the events of an NDJSON file (as a replay would hand them over,
// one object at a time, honouring backpressure) to a broker with acks=all and idempotence, and
// time it to the last acknowledgement. Usage: node bench/kafka-sink.mjs EVENTS.ndjson BOOTSTRAP
import { readFileSync } from 'node:fs';
import { createLogger } from '../dist/src/log.js';
import { DEFAULT_KAFKA_OPTIONS } from '../dist/src/sink/kafka/config.js';
import { KafkaSink } from '../dist/src/sink/kafka/kafka-sink.js';

const [file, bootstrap, compression = 'none', batchKb, batchMessages] = process.argv.slice(2);
const events = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const sink = await KafkaSink.open({
  kafka: { ...DEFAULT_KAFKA_OPTIONS, brokers: [bootstrap], topicPrefix: `sinkbench${Date.now()}`, compression, ...(batchKb ? { batchBytes: Number(batchKb) * 1024 } : {}), ...(batchMessages ? { batchMessages: Number(batchMessages) } : {}) },
  mode: 'replay',
  render: (e) => e,
  format: 'ecs',
  log: createLogger({ level: 'warn' }),
});
const t0 = performance.now();
for (const e of events) {
  const p = sink.write(e);
  if (p) await p;
}
await sink.close();
const seconds = (performance.now() - t0) / 1000;
const c = sink.counters;
console.log(JSON.stringify({ events: events.length, sent: c.sent, failed: c.failed, dropped: c.dropped, seconds: Number(seconds.toFixed(3)), eventsPerSec: Math.round(c.sent / seconds) }));
