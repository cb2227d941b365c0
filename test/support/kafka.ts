/**
 * A real Kafka broker for one test file: `scripts/kafka.sh start` on free ports with a state dir of
 * its own, so that test files running in parallel never share a broker, and `stop` afterwards.
 * Tests never assume a broker that they did not start.
 *
 *   const kafka = useKafka();            // beforeAll starts, afterAll stops
 *   it('...', async () => { kafka().plaintext ... });
 *
 * The first start on a machine resolves the broker's jars with Maven (see scripts/kafka/README.md);
 * later starts are offline and take a few seconds.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import kafkajs from 'kafkajs';
import { repoRoot } from './paths.js';

const execFileP = promisify(execFile);
const require = createRequire(import.meta.url);

export const kafkaScript = path.join(repoRoot, 'scripts', 'kafka.sh');

/** Ports a broker takes: plaintext, SSL, SASL_PLAINTEXT, SASL_SSL, controller. */
export const KAFKA_PORT_COUNT = 5;

/** Long enough for a first start that downloads the broker with Maven, then waits up to 90 s. */
export const KAFKA_START_TIMEOUT_MS = 300_000;

export interface KafkaTls {
  bootstrap: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  /** A client certificate and key issued by a CA the broker does not trust. */
  otherCertPath: string;
  otherKeyPath: string;
  ca: string;
  cert: string;
  key: string;
  otherCert: string;
  otherKey: string;
}

export interface KafkaSasl {
  /** SASL_PLAINTEXT: SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN. */
  bootstrap: string;
  /** SASL_SSL: the same mechanisms over TLS (server-authenticated only; trust `tls.ca`). */
  sslBootstrap: string;
  username: string;
  password: string;
  mechanisms: string[];
}

export interface KafkaBroker {
  version: string;
  /** The first port (plaintext); the others follow it. */
  port: number;
  ports: number[];
  stateDir: string;
  /** Plaintext bootstrap address, 127.0.0.1:PORT. */
  plaintext: string;
  tls: KafkaTls;
  sasl: KafkaSasl;
  logPath: string;
  /** Runs scripts/kafka.sh with this broker's environment (KAFKA_PORT, KAFKA_STATE_DIR). */
  script(args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Stops the broker and removes its state dir; safe to call more than once. */
  stop(): Promise<void>;
}

/** True if nothing listens on 127.0.0.1:port and it can be bound. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function ephemeralLow(): number {
  try {
    const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(low);
    return Number.isFinite(n) && n > 12_000 ? n : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A run of KAFKA_PORT_COUNT free ports, chosen at random below the kernel's ephemeral range (so
 * that outgoing connections do not take them between this check and the broker's bind).
 */
export async function findFreePortBase(): Promise<number> {
  const high = ephemeralLow() - KAFKA_PORT_COUNT - 1;
  const low = 20_000;
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low));
    let free = true;
    for (let i = 0; i < KAFKA_PORT_COUNT && free; i++) free = await portIsFree(base + i);
    if (free) return base;
  }
  throw new Error('no run of free ports found for a Kafka broker');
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export (\w+)='([^']*)'$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function runScript(args: string[], env: NodeJS.ProcessEnv, timeout: number) {
  return execFileP('bash', [kafkaScript, ...args], {
    env,
    timeout,
    maxBuffer: 16 * 1024 * 1024,
  });
}

function errorText(err: unknown): string {
  const e = err as { stderr?: string; stdout?: string; message?: string };
  return [e.message, e.stderr].filter(Boolean).join('\n');
}

/** Starts a broker of its own (free ports, own state dir). Retries on a port clash with another run. */
export async function startKafka(options: { env?: NodeJS.ProcessEnv } = {}): Promise<KafkaBroker> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await findFreePortBase();
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `tlsscope-kafka-test-${port}-`));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      KAFKA_PORT: String(port),
      KAFKA_STATE_DIR: stateDir,
      // If this test process dies without its afterAll, the broker goes with it.
      KAFKA_OWNER_PID: String(process.pid),
    };
    try {
      const { stdout } = await runScript(['start'], env, KAFKA_START_TIMEOUT_MS - 10_000);
      const lines = stdout.trimEnd().split('\n');
      const bootstrap = lines[lines.length - 1];
      if (bootstrap !== `127.0.0.1:${port}`) {
        throw new Error(`kafka.sh start printed ${JSON.stringify(bootstrap)} last, not 127.0.0.1:${port}`);
      }
      const vars = parseEnv((await runScript(['env'], env, 10_000)).stdout);
      const read = (name: string) => fs.readFileSync(vars[name], 'utf8');
      let stopped = false;
      return {
        version: vars.KAFKA_VERSION,
        port,
        ports: Array.from({ length: KAFKA_PORT_COUNT }, (_, i) => port + i),
        stateDir: vars.KAFKA_STATE_DIR,
        plaintext: vars.KAFKA_BOOTSTRAP_PLAINTEXT,
        tls: {
          bootstrap: vars.KAFKA_BOOTSTRAP_SSL,
          caPath: vars.KAFKA_CA_PEM,
          certPath: vars.KAFKA_CLIENT_CERT_PEM,
          keyPath: vars.KAFKA_CLIENT_KEY_PEM,
          otherCertPath: vars.KAFKA_OTHER_CLIENT_CERT_PEM,
          otherKeyPath: vars.KAFKA_OTHER_CLIENT_KEY_PEM,
          ca: read('KAFKA_CA_PEM'),
          cert: read('KAFKA_CLIENT_CERT_PEM'),
          key: read('KAFKA_CLIENT_KEY_PEM'),
          otherCert: read('KAFKA_OTHER_CLIENT_CERT_PEM'),
          otherKey: read('KAFKA_OTHER_CLIENT_KEY_PEM'),
        },
        sasl: {
          bootstrap: vars.KAFKA_BOOTSTRAP_SASL_PLAINTEXT,
          sslBootstrap: vars.KAFKA_BOOTSTRAP_SASL_SSL,
          username: vars.KAFKA_SCRAM_USER,
          password: vars.KAFKA_SCRAM_PASSWORD,
          mechanisms: vars.KAFKA_SASL_MECHANISMS.split(','),
        },
        logPath: vars.KAFKA_LOG,
        script: (args) => runScript(args, env, 60_000),
        async stop() {
          if (stopped) return;
          stopped = true;
          await runScript(['stop'], env, 60_000);
        },
      };
    } catch (err) {
      lastError = errorText(err);
      // Leave nothing behind, then try other ports if another run took these.
      await runScript(['stop'], env, 60_000).catch(() => undefined);
      fs.rmSync(stateDir, { recursive: true, force: true });
      if (!/in use|BindException|Address already in use/.test(lastError)) break;
    }
  }
  throw new Error(`could not start a Kafka broker with scripts/kafka.sh:\n${lastError}`);
}

/**
 * Registers beforeAll/afterAll for a broker of this test file; the returned function gives the
 * broker inside tests.
 */
export function useKafka(options: { env?: NodeJS.ProcessEnv } = {}): () => KafkaBroker {
  let broker: KafkaBroker | undefined;
  beforeAll(async () => {
    broker = await startKafka(options);
  }, KAFKA_START_TIMEOUT_MS);
  afterAll(async () => {
    await broker?.stop();
  }, 90_000);
  return () => {
    if (!broker) throw new Error('the Kafka broker did not start (see the beforeAll error)');
    return broker;
  };
}

/** kafkajs ships gzip only: adds the Snappy and LZ4 codecs (kafkajs-snappy, kafkajs-lz4). */
export function registerKafkaCodecs(): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  // Both are CommonJS whose module.exports is the codec (kafkajs-lz4's typings say `default`).
  const SnappyCodec = require('kafkajs-snappy') as () => unknown;
  const LZ4Codec = require('kafkajs-lz4') as typeof import('kafkajs-lz4').default;
  CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec;
}
