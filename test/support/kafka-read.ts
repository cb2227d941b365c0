import kafkajs from 'kafkajs';
import type { KafkaConfig } from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export interface ReadMessage {
  key: string | null;
  value: string;
  partition: number;
  offset: number;
  headers: Record<string, string>;
}

/**
 * Everything a topic holds right now: the high watermark of each partition first, then a
 * fresh consumer group reads from the beginning up to it. Nothing is assumed about how many
 * messages there should be, so duplicates and losses both show.
 */
export async function readTopic(config: Omit<KafkaConfig, 'clientId'>, topic: string, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const kafka = new Kafka({ clientId: 'tlsscope-test-reader', logLevel: logLevel.NOTHING, ...config });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, Number(p.high));
  } finally {
    await admin.disconnect();
  }
  const out: ReadMessage[] = [];
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return out;
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic}: read ${out.length} of ${total} messages in ${timeoutMs} ms`)), timeoutMs);
      // On a fresh broker the first group join can meet COORDINATOR_LOAD_IN_PROGRESS while
      // __consumer_offsets is created; kafkajs then restarts the consumer by itself.
      consumer.on(consumer.events.CRASH, (e) => {
        if (e.payload.restart) return;
        clearTimeout(timer);
        reject(e.payload.error);
      });
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', partition, offset: Number(message.offset), headers });
            if (out.length >= total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
