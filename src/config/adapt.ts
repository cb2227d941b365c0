import type { SinkFlags } from '../cli/sinks.js';
import type { SensorOptions } from '../sensor.js';
import type { EventKind, TlsscopeConfig } from './model.js';

/**
 * The sink flags `openSinks(flags, 'live', log)` takes. `kinds`: the event kinds openSinks
 * knows (stats is left out of `events` until src/cli/sinks.ts maps it to a dataset).
 */
export function sinkFlagsFrom(c: TlsscopeConfig, kinds: readonly EventKind[] = ['handshake', 'certificate', 'finding']): SinkFlags {
  const k = c.kafka;
  return {
    format: c.output.format,
    output: c.output.file,
    stdout: c.output.stdout,
    events: c.output.events.filter((e) => kinds.includes(e)).join(','),
    rotateMb: c.output.rotateMb,
    rotateKeep: c.output.rotateKeep,
    kafkaBrokers: k.brokers.length > 0 ? k.brokers.join(',') : undefined,
    kafkaTopicPrefix: k.topicPrefix,
    kafkaFormat: k.format,
    kafkaAcks: k.acks,
    kafkaCompression: k.compression,
    kafkaBatch: k.batchMessages,
    kafkaLingerMs: k.lingerMs,
    kafkaPartitions: k.partitions,
    kafkaReplication: k.replication,
    kafkaCreateTopics: k.createTopics,
    kafkaTimeout: k.timeoutSeconds,
    kafkaTls: k.tls.enabled,
    kafkaCa: k.tls.ca,
    kafkaCert: k.tls.cert,
    kafkaKey: k.tls.key,
    kafkaKeyPassphrase: k.tls.keyPassphrase,
    kafkaInsecure: k.tls.insecure,
    kafkaSaslMechanism: k.sasl.mechanism,
    kafkaSaslUsername: k.sasl.username,
    kafkaSaslPassword: k.sasl.password,
    kafkaSpoolDir: k.spool.dir,
    kafkaSpoolMb: k.spool.maxMb,
  };
}

/** The sensor's limits. */
export function sensorOptionsFrom(c: TlsscopeConfig): SensorOptions {
  const l = c.limits;
  return {
    flows: { maxFlows: l.maxFlows, idleTimeout: l.flowIdleTimeoutSeconds, closedTimeout: l.flowClosedTimeoutSeconds, udpTimeout: l.udpTimeoutSeconds },
    memoryBudget: l.flowMemoryMb * (1 << 20),
    maxBufferedPerDirection: l.maxBufferedPerDirectionKb * 1024,
    maxProbes: l.maxProbes,
    maxHandshakeMessage: l.maxHandshakeMessageKb * 1024,
  };
}

/** The options `enricherFrom` (src/cli/replay.ts) takes. */
export function enrichOptionsFrom(c: TlsscopeConfig): { caFiles: string[]; systemRoots: boolean; policyFile?: string; certificateReemitSec: number; enrich: boolean } {
  return {
    caFiles: [...c.enrich.caFiles],
    systemRoots: c.enrich.systemRoots,
    policyFile: c.enrich.policy,
    certificateReemitSec: c.enrich.certificateReemitSeconds,
    enrich: c.enrich.enabled,
  };
}

/** What `tlsscope live` needs that a configuration may leave out; undefined when it can start. */
export function liveConfigProblem(c: TlsscopeConfig): string | undefined {
  if (c.capture.interfaces.length === 0) return 'no interface to capture on: give -i/--interface, TLSSCOPE_INTERFACE or capture.interfaces';
  return undefined;
}
