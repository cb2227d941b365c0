/**
 * tlsscope → a real Kafka broker (scripts/kafka.sh): round trip against stdout, keys and
 * topics, GELF for Graylog, a broker outage in the middle of a replay, an unreachable broker,
 * TLS client certificates and SCRAM, secrets kept out of logs, and the live-mode spool.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { DEFAULT_KAFKA_OPTIONS } from '../../src/sink/kafka/config.js';
import { KafkaSink } from '../../src/sink/kafka/kafka-sink.js';
import { gelfViolations } from '../format/graylog-rules.js';
import { useKafka } from '../support/kafka.js';
import { readTopic } from '../support/kafka-read.js';
import { pcapsDir, repoRoot } from '../support/paths.js';

const broker = useKafka();
const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-kafka-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const pcaps = ['findings-certs.pcap', 'findings-mtls.pcap', 'openssl-tls13.pcap', 'gnutls-tls12.pcap', 'node-tls13.pcap'].map((f) => path.join(pcapsDir, f));
let prefixSeq = 0;
const prefix = (label: string) => `ts-${label}-${process.pid}-${++prefixSeq}`;

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The events of a replay to stdout, every kind, by dataset, as sorted JSON texts. */
function stdoutEvents(files: string[], extra: string[] = []): Map<string, string[]> {
  const r = run(['replay', ...files, '-q', '--events', 'handshake,certificate,finding', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const by = new Map<string, string[]>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const ds = JSON.parse(line).event?.dataset ?? JSON.parse(line)._event_dataset;
    by.set(ds, [...(by.get(ds) ?? []), line]);
  }
  for (const v of by.values()) v.sort();
  return by;
}

async function topics(p: string, config = { brokers: [broker().plaintext] }) {
  return {
    handshakes: await readTopic(config, `${p}.handshakes`),
    findings: await readTopic(config, `${p}.findings`),
    certificates: await readTopic(config, `${p}.certificates`),
  };
}

const endpoint = (e: { ip: string; port: number }) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

describe('Kafka sink', () => {
  it('delivers exactly what stdout gets, on three topics, keyed by server (or certificate)', async () => {
    const p = prefix('rt');
    const r = run(['replay', ...pcaps, '--kafka-brokers', broker().plaintext, '--kafka-topic-prefix', p]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(''); // Kafka given: stdout stays empty unless --stdout
    const want = stdoutEvents(pcaps);
    const got = await topics(p);
    const sorted = (ms: { value: string }[]) => ms.map((m) => m.value).sort();
    expect(sorted(got.handshakes)).toEqual(want.get('tlsscope.handshake'));
    expect(sorted(got.findings)).toEqual(want.get('tlsscope.finding'));
    expect(sorted(got.certificates)).toEqual(want.get('tlsscope.certificate'));
    expect(got.handshakes.length).toBeGreaterThan(30);
    expect(got.findings.length).toBeGreaterThan(10);
    for (const m of [...got.handshakes, ...got.findings]) expect(m.key).toBe(endpoint(JSON.parse(m.value).destination));
    for (const m of got.certificates) expect(m.key).toBe(JSON.parse(m.value).related.hash[0]);
    expect(got.handshakes[0].headers).toMatchObject({ 'content-type': 'application/json', 'tlsscope-format': 'ecs' });
    // One server's events stay in order in one partition.
    const partitions = new Map<string, Set<number>>();
    for (const m of got.handshakes) partitions.set(m.key!, (partitions.get(m.key!) ?? new Set()).add(m.partition));
    for (const s of partitions.values()) expect(s.size).toBe(1);
    expect(r.stderr).toMatch(/kafka_sent=(\d+) kafka_failed=0 kafka_dropped=none/);
    const sent = Number(/kafka_sent=(\d+)/.exec(r.stderr)![1]);
    expect(sent).toBe(got.handshakes.length + got.findings.length + got.certificates.length);
  }, 120_000);

  it('publishes GELF that Graylog accepts, with every kind of event', async () => {
    const p = prefix('gelf');
    const r = run(['replay', ...pcaps, '--kafka-brokers', broker().plaintext, '--kafka-topic-prefix', p, '--kafka-format', 'gelf', '--kafka-compression', 'gzip']);
    expect(r.code, r.stderr).toBe(0);
    const got = await topics(p);
    const all = [...got.handshakes, ...got.findings, ...got.certificates];
    expect(all.length).toBeGreaterThan(50);
    for (const m of all) {
      const problems = gelfViolations(JSON.parse(m.value));
      expect(problems, m.value.slice(0, 300)).toEqual([]);
    }
    expect(got.handshakes[0].headers['tlsscope-format']).toBe('gelf');
  }, 120_000);

  it('loses and repeats nothing when the broker stops in the middle of a replay and comes back', async () => {
    const p = prefix('outage');
    const file = path.join(pcapsDir, 'findings-certs.pcap');
    const bytes = readFileSync(file);
    // Feed the capture through stdin in two halves with the broker down in between.
    const child = spawn(process.execPath, [cli, 'replay', '-', '--kafka-brokers', broker().plaintext, '--kafka-topic-prefix', p, '--kafka-linger-ms', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const half = Math.floor(bytes.length / 2);
    child.stdin.write(bytes.subarray(0, half));
    await new Promise((r) => setTimeout(r, 3000)); // the first connections are published
    await broker().script(['pause']);
    child.stdin.write(bytes.subarray(half));
    child.stdin.end();
    await new Promise((r) => setTimeout(r, 4000)); // the sink meets a dead broker and retries
    await broker().script(['resume']);
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/unreachable; retrying/);
    const want = stdoutEvents([file]);
    const got = await topics(p);
    expect(got.handshakes.map((m) => m.value).sort()).toEqual(want.get('tlsscope.handshake'));
    expect(got.findings.map((m) => m.value).sort()).toEqual(want.get('tlsscope.finding'));
    expect(got.certificates.map((m) => m.value).sort()).toEqual(want.get('tlsscope.certificate'));
  }, 180_000);

  it('says within the timeout, in one line, that no broker is reachable', () => {
    const t0 = Date.now();
    const r = run(['replay', pcaps[0], '--kafka-brokers', '127.0.0.1:9', '--kafka-timeout', '3']);
    expect(r.code).toBe(5);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('tlsscope:'))).toEqual(['tlsscope: cannot reach Kafka at 127.0.0.1:9 within 3 s']);
  }, 30_000);

  it('connects with a client certificate over TLS, and is refused with one the broker does not trust', async () => {
    const t = broker().tls;
    const p = prefix('tls');
    const ok = run(['replay', pcaps[2], '-q', '--kafka-brokers', t.bootstrap, '--kafka-topic-prefix', p, '--kafka-ca', t.caPath, '--kafka-cert', t.certPath, '--kafka-key', t.keyPath]);
    expect(ok.code, ok.stderr).toBe(0);
    const got = await readTopic({ brokers: [broker().plaintext] }, `${p}.handshakes`);
    expect(got.length).toBe(3);
    const bad = run(['replay', pcaps[2], '-q', '--kafka-brokers', t.bootstrap, '--kafka-topic-prefix', p, '--kafka-ca', t.caPath, '--kafka-cert', t.otherCertPath, '--kafka-key', t.otherKeyPath, '--kafka-timeout', '8']);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(/^tlsscope: .*(certificate|SSL|TLS|connect|reach)/im);
    const none = run(['replay', pcaps[2], '-q', '--kafka-brokers', t.bootstrap, '--kafka-topic-prefix', p, '--kafka-ca', t.caPath, '--kafka-timeout', '8']);
    expect(none.code).toBe(5);
  }, 120_000);

  it('authenticates with SCRAM (password from a file or the environment), refuses a wrong password, and never logs it', async () => {
    const s = broker().sasl;
    const p = prefix('scram');
    const pwFile = path.join(tmp, 'kafka-password');
    writeFileSync(pwFile, `${s.password}\n`);
    const viaFile = run(['replay', pcaps[2], '-q', '--kafka-brokers', s.bootstrap, '--kafka-topic-prefix', p, '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-sasl-username', s.username, '--kafka-sasl-password', `file:${pwFile}`], { TLSSCOPE_LOG_LEVEL: 'debug' });
    expect(viaFile.code, viaFile.stderr).toBe(0);
    expect(viaFile.stderr).not.toContain(s.password);
    const viaEnv = run(['replay', pcaps[2], '-q', '--kafka-brokers', s.bootstrap, '--kafka-topic-prefix', p, '--kafka-sasl-mechanism', 'scram-sha-256', '--kafka-sasl-username', s.username], { TLSSCOPE_KAFKA_SASL_PASSWORD: s.password, TLSSCOPE_LOG_LEVEL: 'debug' });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(viaEnv.stderr).not.toContain(s.password);
    expect((await readTopic({ brokers: [broker().plaintext] }, `${p}.handshakes`)).length).toBe(6);
    const wrong = run(['replay', pcaps[2], '-q', '--kafka-brokers', s.bootstrap, '--kafka-topic-prefix', p, '--kafka-sasl-mechanism', 'scram-sha-256', '--kafka-sasl-username', s.username, '--kafka-sasl-password', 'not-the-password', '--kafka-timeout', '8']);
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toMatch(/^tlsscope: .*(authentication|SASL)/im);
    expect(wrong.stderr).not.toContain('not-the-password');
  }, 120_000);

  it('live mode: spools while the broker is away and drains the spool, in order, at the next start', async () => {
    const p = prefix('spool');
    const spoolDir = mkdtempSync(path.join(tmp, 'spool-'));
    const log = createLogger({ level: 'silent' });
    const options = (timeout: number) => ({
      kafka: { ...DEFAULT_KAFKA_OPTIONS, brokers: [broker().plaintext], topicPrefix: p, connectTimeoutMs: timeout, lingerMs: 0 },
      mode: 'live' as const,
      render: (e: Record<string, unknown>) => e,
      format: 'ecs',
      spool: { dir: spoolDir, maxBytes: 1 << 20, segmentBytes: 16 << 10 },
      log,
    });
    const ev = (i: number) => ({ event: { dataset: 'tlsscope.handshake' }, destination: { ip: '10.0.0.1', port: 443 }, seq: i });
    const first = await KafkaSink.open(options(10_000));
    for (let i = 0; i < 50; i++) first.write(ev(i));
    await broker().script(['pause']);
    // The broker is gone: the next events must not block the capture, and must not be lost.
    const t0 = Date.now();
    for (let i = 50; i < 400; i++) expect(first.write(ev(i))).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 3000));
    await first.close(2000);
    expect(first.counters.spooled).toBeGreaterThan(0);
    expect(first.counters.dropped).toEqual({});
    await broker().script(['resume']);
    const second = await KafkaSink.open(options(20_000));
    await second.close(30_000);
    const got = await readTopic({ brokers: [broker().plaintext] }, `${p}.handshakes`);
    const seqs = got.sort((a, b) => a.offset - b.offset).map((m) => JSON.parse(m.value).seq);
    expect(seqs).toEqual(Array.from({ length: 400 }, (_, i) => i));
  }, 180_000);
});

describe('log redaction', () => {
  it('never prints a password or a private key, however deeply it is nested', () => {
    let text = '';
    const sinkStream = new Writable({
      write(chunk, _enc, cb) {
        text += chunk;
        cb();
      },
    });
    const log = createLogger({ level: 'info', destination: sinkStream });
    log.info({ kafka: { sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'hunter2' }, ssl: { key: '-----BEGIN PRIVATE KEY-----abc', passphrase: 'pp' } } }, 'config');
    log.info({ password: 'top-secret' }, 'flat');
    expect(text).not.toMatch(/hunter2|BEGIN PRIVATE KEY|top-secret|"pp"/);
    expect(text).toContain('[redacted]');
    expect(text).toContain('scram-sha-256');
  });

  it('renders for humans when asked (a terminal), redacting just the same', () => {
    let text = '';
    const sinkStream = new Writable({
      write(chunk, _enc, cb) {
        text += chunk;
        cb();
      },
    });
    const log = createLogger({ level: 'info', destination: sinkStream, format: 'pretty' });
    log.info({ kafka: { sasl: { password: 'hunter2' } } }, 'connected to Kafka');
    expect(text).toContain('connected to Kafka');
    expect(() => JSON.parse(text.split('\n')[0])).toThrow();
    expect(text).not.toContain('hunter2');
    expect(text).toContain('[redacted]');
  });
});
