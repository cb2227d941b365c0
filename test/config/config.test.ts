import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  addConfigFlags,
  ConfigError,
  configFromCommand,
  configFromCommandLine,
  configFromEnv,
  configFromFlags,
  DEFAULT_CONFIG,
  enrichOptionsFrom,
  getProp,
  liveConfigProblem,
  loadConfig,
  mergeConfig,
  parseConfig,
  resolveConfig,
  sensorOptionsFrom,
  SETTINGS,
  sinkFlagsFrom,
  flagName,
} from '../../src/config/index.js';
import { kafkaOptionsFrom } from '../../src/cli/sinks.js';
import { DEFAULT_SENSOR_OPTIONS } from '../../src/sensor.js';
import { repoRoot } from '../support/paths.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-config-'));

/** The ConfigError message of parsing `text` as FILE. */
function errorOf(text: string, file = 'cfg.yaml'): string {
  try {
    parseConfig(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const FULL = `
capture:
  interfaces: [eth1, eth2]
  bpf: "tcp port 443"
  snaplen: 65535
  promiscuous: false
  buffer_mb: 32
output:
  format: gelf
  events: [handshake, finding]
  stdout: true
  file: out/events.ndjson
  rotate_mb: 10
  rotate_keep: 3
kafka:
  brokers: ["k1:9092", "[2001:db8::1]:9093"]
  topic_prefix: sensors
  format: ocsf
  acks: 1
  compression: gzip
  batch_messages: 500
  linger_ms: 5
  partitions: 3
  replication: 2
  create_topics: false
  timeout_seconds: 30
  tls:
    enabled: true
    ca: pki/ca.pem
    cert: env:KAFKA_CERT_PEM
    key: file:pki/client.key
    key_passphrase: file:/run/secrets/pass
    insecure: false
  sasl:
    mechanism: scram-sha-256
    username: tlsscope
    password: env:KAFKA_PW
  spool:
    dir: /var/lib/tlsscope/spool
    max_mb: 100
enrich:
  enabled: true
  ca_files: [corp-ca.pem, /etc/ssl/other.pem]
  system_roots: false
  policy: policy.yaml
  certificate_reemit_seconds: 3600
limits:
  max_flows: 1000
  flow_idle_timeout_seconds: 120
  flow_closed_timeout_seconds: 2
  udp_timeout_seconds: 30
  flow_memory_mb: 64
  max_buffered_per_direction_kb: 512
  max_probes: 16
  max_handshake_message_kb: 256
metrics:
  listen: "[::1]:0"
stats:
  interval_seconds: 10
log:
  level: debug
  format: json
`;

describe('the configuration file', () => {
  it('gives every setting, typed, with relative paths made absolute against its directory', () => {
    const layer = parseConfig(FULL, '/etc/tlsscope/tlsscope.yaml');
    const c = mergeConfig(DEFAULT_CONFIG, layer);
    expect(c.capture).toEqual({ interfaces: ['eth1', 'eth2'], bpf: 'tcp port 443', snaplen: 65535, promiscuous: false, bufferMb: 32 });
    expect(c.output).toEqual({ format: 'gelf', events: ['handshake', 'finding'], stdout: true, file: '/etc/tlsscope/out/events.ndjson', rotateMb: 10, rotateKeep: 3 });
    expect(c.kafka.brokers).toEqual(['k1:9092', '[2001:db8::1]:9093']);
    expect(c.kafka.acks).toBe('1');
    expect(c.kafka.tls).toEqual({ enabled: true, ca: '/etc/tlsscope/pki/ca.pem', cert: 'env:KAFKA_CERT_PEM', key: 'file:/etc/tlsscope/pki/client.key', keyPassphrase: 'file:/run/secrets/pass', insecure: false });
    expect(c.kafka.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'tlsscope', password: 'env:KAFKA_PW' });
    expect(c.kafka.spool).toEqual({ dir: '/var/lib/tlsscope/spool', maxMb: 100 });
    expect(c.enrich).toEqual({ enabled: true, caFiles: ['/etc/tlsscope/corp-ca.pem', '/etc/ssl/other.pem'], systemRoots: false, policy: '/etc/tlsscope/policy.yaml', certificateReemitSeconds: 3600 });
    expect(c.limits.maxFlows).toBe(1000);
    expect(c.metrics.listen).toBe('[::1]:0');
    expect(c.stats.intervalSeconds).toBe(10);
    expect(c.log).toEqual({ level: 'debug', format: 'json' });
    // every setting of the table is in FULL: the test above covers the whole model
    for (const s of SETTINGS) expect(layer.origins[s.key], s.key).toMatch(/^\/etc\/tlsscope\/tlsscope\.yaml:\d+:\d+$/);
  });

  it('an empty file, or empty sections, give the defaults', () => {
    expect(mergeConfig(DEFAULT_CONFIG, parseConfig(''))).toEqual(DEFAULT_CONFIG);
    expect(mergeConfig(DEFAULT_CONFIG, parseConfig('# nothing\ncapture:\nkafka:\n'))).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    ['captur:\n  snaplen: 100\n', "cfg.yaml:1:1: unknown key 'captur' at the top level (did you mean 'capture'?); expected one of: capture, output, kafka, enrich, limits, metrics, stats, log"],
    ['capture:\n  snaplen: 100\n  interface: [eth0]\n', "cfg.yaml:3:3: unknown key 'interface' in 'capture' (did you mean 'interfaces'?)"],
    ['kafka:\n  tls:\n    enabled: true\n    ciphers: x\n', "cfg.yaml:4:5: unknown key 'ciphers' in 'kafka.tls'"],
    ['capture:\n  snaplen: "1500"\n', "cfg.yaml:2:12: capture.snaplen: '1500' is not a whole number from 64 to 262144 (bytes)"],
    ['capture:\n  snaplen: 10\n', 'cfg.yaml:2:12: capture.snaplen: 10 is out of range: must be a whole number from 64 to 262144 (bytes)'],
    ['capture:\n  snaplen: 1500.5\n', 'cfg.yaml:2:12: capture.snaplen: 1500.5 is not a whole number'],
    ['capture:\n  promiscuous: yes\n', "cfg.yaml:2:16: capture.promiscuous: 'yes' is not true or false"],
    ['output:\n  format: json\n', "cfg.yaml:2:11: output.format: 'json' is not one of ecs, gelf, ocsf"],
    ['output:\n  events:\n    - handshake\n    - flows\n', "cfg.yaml:4:7: output.events: 'flows' is not an event kind (handshake, certificate, finding, stats)"],
    ['output:\n  events: handshake\n', 'cfg.yaml:2:11: output.events: must be a list of handshake, certificate, finding, stats, e.g. [handshake, certificate]'],
    ['capture:\n  interfaces: [eth0, eth0]\n', "cfg.yaml:2:22: capture.interfaces: 'eth0' is listed twice"],
    ['capture:\n  interfaces: [eth0, {name: eth1}]\n', 'cfg.yaml:2:22: capture.interfaces: each entry must be a single value'],
    ['capture:\n  bpf: {tcp: 1}\n', 'cfg.yaml:2:8: capture.bpf must be a non-empty string, not a mapping'],
    ['capture: eth0\n', "cfg.yaml:1:10: 'capture' must be a mapping of keys (interfaces, bpf, snaplen, promiscuous, buffer_mb)"],
    ['- a\n- b\n', 'cfg.yaml:1:1: the configuration must be a mapping of keys'],
    ['kafka:\n  brokers: [kafka1]\n', "cfg.yaml:2:13: kafka.brokers: 'kafka1' is not host:port"],
    ['kafka:\n  acks: 2\n', "cfg.yaml:2:9: kafka.acks: '2' is not one of all, 1, 0"],
    ['kafka:\n  sasl:\n    password: hunter2\n', 'cfg.yaml:3:15: kafka.sasl.password: a secret in the configuration file must be a reference (file:PATH or env:NAME), not the secret itself'],
    ['kafka:\n  tls:\n    key_passphrase: "env:1BAD"\n', "cfg.yaml:3:21: kafka.tls.key_passphrase: 'env:1BAD': '1BAD' is not an environment variable name"],
    ['kafka:\n  tls:\n    key: "-----BEGIN PRIVATE KEY-----"\n', 'cfg.yaml:3:10: kafka.tls.key: give a path, file:PATH or env:NAME, not the PEM text itself'],
    ['metrics:\n  listen: "::1:9100"\n', "cfg.yaml:2:11: metrics.listen: '::1:9100': put an IPv6 address in brackets, e.g. [::1]:9100"],
    ['metrics:\n  listen: "127.0.0.1:99999"\n', "cfg.yaml:2:11: metrics.listen: '99999' in '127.0.0.1:99999' is not a port number (0-65535)"],
    ['log:\n  level: verbose\n', "cfg.yaml:2:10: log.level: 'verbose' is not one of fatal, error, warn, info, debug, trace, silent"],
    ['stats:\n  interval_seconds:\n', 'cfg.yaml:2:20: stats.interval_seconds: must be a whole number from 0 to 86400 (s) (it has no "unset")'],
    ['log:\n  level: info\n  level: debug\n', 'cfg.yaml:3:3: Map keys must be unique'],
    ['capture:\n  interfaces: [eth0\n', 'cfg.yaml:3:1:'],
  ])('names the offending line and column: %j', (text, message) => {
    const m = errorOf(text);
    expect(m.split('\n')).toHaveLength(1);
    expect(m.slice(0, message.length)).toBe(message);
  });

  it('null unsets an optional setting', () => {
    const base = parseConfig('metrics:\n  listen: ":9100"\n');
    const off = parseConfig('metrics:\n  listen:\n');
    expect(mergeConfig(DEFAULT_CONFIG, base).metrics.listen).toBe(':9100');
    expect(mergeConfig(DEFAULT_CONFIG, base, off).metrics.listen).toBeUndefined();
  });

  it('a missing file is one line naming it', () => {
    expect(() => loadConfig(path.join(tmp, 'nope.yaml'))).toThrow(/nope\.yaml: cannot read: ENOENT$/);
  });
});

describe('TLSSCOPE_* environment variables', () => {
  it('give settings: numbers, booleans, comma lists, literal secrets', () => {
    const layer = configFromEnv({
      TLSSCOPE_INTERFACE: 'eth0, eth1',
      TLSSCOPE_SNAPLEN: '9000',
      TLSSCOPE_PROMISCUOUS: 'no',
      TLSSCOPE_KAFKA_BROKERS: 'a:1,b:2',
      TLSSCOPE_KAFKA_SASL_MECHANISM: 'plain',
      TLSSCOPE_KAFKA_SASL_USERNAME: 'u',
      TLSSCOPE_KAFKA_SASL_PASSWORD: 'literal-secret',
      TLSSCOPE_KAFKA_CREATE_TOPICS: 'false',
      TLSSCOPE_CA_FILE: 'a.pem,b.pem',
      TLSSCOPE_ENRICH: '0',
      TLSSCOPE_METRICS_LISTEN: ':9100',
      TLSSCOPE_LOG_LEVEL: 'warn',
      PATH: '/usr/bin',
    });
    expect(layer.warnings).toEqual([]);
    const c = mergeConfig(DEFAULT_CONFIG, layer);
    expect(c.capture.interfaces).toEqual(['eth0', 'eth1']);
    expect(c.capture.snaplen).toBe(9000);
    expect(c.capture.promiscuous).toBe(false);
    expect(c.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(c.kafka.sasl).toEqual({ mechanism: 'plain', username: 'u', password: 'literal-secret' });
    expect(c.kafka.createTopics).toBe(false);
    expect(c.enrich.caFiles).toEqual(['a.pem', 'b.pem']);
    expect(c.enrich.enabled).toBe(false);
    expect(c.metrics.listen).toBe(':9100');
    expect(c.log.level).toBe('warn');
    expect(layer.origins['capture.snaplen']).toBe('TLSSCOPE_SNAPLEN');
  });

  it('a bad value names the variable; unknown TLSSCOPE_ variables are warnings', () => {
    expect(() => configFromEnv({ TLSSCOPE_SNAPLEN: 'big' })).toThrow(/^TLSSCOPE_SNAPLEN: capture.snaplen: 'big' is not a whole number from 64 to 262144 \(bytes\)$/);
    expect(() => configFromEnv({ TLSSCOPE_STDOUT: 'maybe' })).toThrow(/^TLSSCOPE_STDOUT: output.stdout: 'maybe' is not true or false$/);
    expect(configFromEnv({ TLSSCOPE_INTERFACES: 'eth0', TLSSCOPE_CONFIG: '/x.yaml' }).warnings).toEqual(['TLSSCOPE_INTERFACES: not a tlsscope setting (ignored)']);
  });

  it('an empty value unsets an optional setting and empties a list', () => {
    const file = parseConfig('metrics:\n  listen: ":9100"\ncapture:\n  interfaces: [eth0]\n');
    const c = mergeConfig(DEFAULT_CONFIG, file, configFromEnv({ TLSSCOPE_METRICS_LISTEN: '', TLSSCOPE_INTERFACE: '' }));
    expect(c.metrics.listen).toBeUndefined();
    expect(c.capture.interfaces).toEqual([]);
  });
});

describe('flags', () => {
  function parse(argv: string[]): Command {
    const cmd = addConfigFlags(new Command('live').exitOverride());
    cmd.action(() => {});
    cmd.parse(argv, { from: 'user' });
    return cmd;
  }

  it('addConfigFlags declares no defaults: only what was typed counts', () => {
    const layer = configFromCommand(parse([]));
    expect(layer.config).toEqual({});
  });

  it('parses every kind: repeatable, comma lists, negations, numbers', () => {
    const cmd = parse(['-i', 'eth0', '--interface', 'eth1,eth2', '--snaplen', '1600', '--no-promiscuous', '--ca-file', 'a,b.pem', '--ca-file', 'c.pem', '--no-enrich', '--stdout', '--kafka-acks', '-1', '--metrics-listen', '[::]:9100', '-c', '/etc/x.yaml']);
    const layer = configFromCommand(cmd);
    const c = mergeConfig(DEFAULT_CONFIG, layer);
    expect(c.capture.interfaces).toEqual(['eth0', 'eth1', 'eth2']);
    expect(c.capture.snaplen).toBe(1600);
    expect(c.capture.promiscuous).toBe(false);
    expect(c.enrich.caFiles).toEqual(['a,b.pem', 'c.pem']); // paths are not split on commas when repeated
    expect(c.enrich.enabled).toBe(false);
    expect(c.output.stdout).toBe(true);
    expect(c.kafka.acks).toBe('all');
    expect(c.metrics.listen).toBe('[::]:9100');
    expect(layer.origins['capture.snaplen']).toBe('--snaplen');
    expect(cmd.opts().config).toBe('/etc/x.yaml');
  });

  it('a bad value names the flag', () => {
    expect(() => configFromCommand(parse(['--snaplen', 'x']))).toThrow(/^--snaplen: 'x' is not a whole number/);
    expect(() => configFromCommand(parse(['--format', 'xml']))).toThrow(/^--format: 'xml' is not one of ecs, gelf, ocsf$/);
  });

  it('covers every option of tlsscope replay and live but the replay-only ones (progress, quiet), --no-certificates and --config itself', () => {
    const main = readFileSync(path.join(repoRoot, 'src/cli/main.ts'), 'utf8');
    const replay = main.slice(main.indexOf(".command('replay')"));
    const flags = [...replay.matchAll(/\.option\('(?:-\w, )?(--[a-z0-9-]+)/g)].map((m) => m[1]);
    expect(flags.length).toBeGreaterThan(30);
    const ours = new Set(SETTINGS.map((s) => s.flag.split(' ')[0]));
    const replayOnly = new Set(['--no-progress', '--quiet', '--no-certificates', '--config']);
    expect(flags.filter((f) => !ours.has(f) && !replayOnly.has(f))).toEqual([]);
  });
});

describe('precedence: flags > environment > file > defaults', () => {
  const file = parseConfig('capture:\n  snaplen: 2000\n  bpf: "tcp"\n  interfaces: [eth0, eth1]\nlog:\n  level: warn\nstats:\n  interval_seconds: 30\n', '/etc/tlsscope/t.yaml');
  const env = configFromEnv({ TLSSCOPE_SNAPLEN: '3000', TLSSCOPE_INTERFACE: 'eth9', TLSSCOPE_LOG_LEVEL: 'error' });
  const flags = configFromFlags({ snaplen: '4000' });

  it('each setting comes from the highest source that gives it; lists are replaced whole', () => {
    const r = resolveConfig(DEFAULT_CONFIG, file, env, flags);
    expect(r.config.capture.snaplen).toBe(4000);
    expect(r.origins['capture.snaplen']).toBe('--snaplen');
    expect(r.config.capture.interfaces).toEqual(['eth9']);
    expect(r.origins['capture.interfaces']).toBe('TLSSCOPE_INTERFACE');
    expect(r.config.log.level).toBe('error');
    expect(r.config.capture.bpf).toBe('tcp');
    expect(r.origins['capture.bpf']).toBe('/etc/tlsscope/t.yaml:3:8');
    expect(r.config.stats.intervalSeconds).toBe(30);
    expect(r.config.capture.bufferMb).toBe(DEFAULT_CONFIG.capture.bufferMb);
    expect(r.origins['capture.buffer_mb']).toBe('default');
    expect(mergeConfig(DEFAULT_CONFIG, file, env).capture.snaplen).toBe(3000);
    expect(mergeConfig(DEFAULT_CONFIG, file).capture.snaplen).toBe(2000);
    expect(mergeConfig(DEFAULT_CONFIG).capture.snaplen).toBe(65_535);
  });

  it('does not change the defaults or the layers', () => {
    const before = JSON.stringify(DEFAULT_CONFIG);
    const c = mergeConfig(DEFAULT_CONFIG, file);
    c.capture.interfaces.push('x');
    expect(JSON.stringify(DEFAULT_CONFIG)).toBe(before);
    expect(mergeConfig(DEFAULT_CONFIG, file).capture.interfaces).toEqual(['eth0', 'eth1']);
  });

  it('configFromCommandLine reads --config or TLSSCOPE_CONFIG', () => {
    const f = path.join(tmp, 'cl.yaml');
    writeFileSync(f, 'capture:\n  interfaces: [eth3]\n  snaplen: 5000\n');
    const a = configFromCommandLine({ config: f, snaplen: '6000' }, {});
    expect(a.file).toBe(f);
    expect(a.config.capture.interfaces).toEqual(['eth3']);
    expect(a.config.capture.snaplen).toBe(6000);
    const b = configFromCommandLine({}, { TLSSCOPE_CONFIG: f });
    expect(b.config.capture.snaplen).toBe(5000);
    expect(liveConfigProblem(b.config)).toBeUndefined();
    expect(liveConfigProblem(DEFAULT_CONFIG)).toMatch(/no interface/);
  });
});

describe('settings that depend on each other', () => {
  it('are checked after merging, naming where the offending value is', () => {
    const cert = parseConfig('kafka:\n  brokers: ["k:9092"]\n  tls:\n    cert: c.pem\n', 't.yaml');
    expect(() => mergeConfig(DEFAULT_CONFIG, cert)).toThrow(/^t\.yaml:4:11: kafka\.tls\.cert needs kafka\.tls\.key too/);
    // ... and the key may come from the environment
    const ok = mergeConfig(DEFAULT_CONFIG, cert, configFromEnv({ TLSSCOPE_KAFKA_KEY: '/k.pem' }));
    expect(ok.kafka.tls.key).toBe('/k.pem');
    const sasl = parseConfig('kafka:\n  sasl:\n    mechanism: plain\n    username: u\n', 't.yaml');
    expect(() => mergeConfig(DEFAULT_CONFIG, sasl)).toThrow(/^t\.yaml:3:16: SASL plain needs kafka\.sasl\.password$/);
    expect(() => mergeConfig(DEFAULT_CONFIG, configFromEnv({ TLSSCOPE_KAFKA_SASL_PASSWORD: 'x' }))).toThrow(/^TLSSCOPE_KAFKA_SASL_PASSWORD: kafka\.sasl\.password is set but kafka\.sasl\.mechanism is not$/);
  });

  it('warn about settings without effect', () => {
    const r = resolveConfig(DEFAULT_CONFIG, parseConfig('kafka:\n  compression: lz4\noutput:\n  rotate_mb: 5\ncapture:\n  snaplen: 128\n', 't.yaml'));
    expect(r.warnings).toEqual([
      't.yaml:2:16: Kafka settings (kafka.compression) have no effect without kafka.brokers',
      't.yaml:4:14: rotation settings have no effect without output.file',
      't.yaml:6:12: snaplen 128 truncates full-size packets: TLS handshakes will have gaps',
    ]);
  });
});

describe('what the live command is given', () => {
  it('the defaults are the sensor defaults', () => {
    expect(sensorOptionsFrom(DEFAULT_CONFIG)).toEqual(DEFAULT_SENSOR_OPTIONS);
    expect(enrichOptionsFrom(DEFAULT_CONFIG)).toEqual({ caFiles: [], systemRoots: true, policyFile: undefined, certificateReemitSec: 86_400, enrich: true });
  });

  it('sink flags that openSinks and kafkaOptionsFrom accept (secrets resolved only there)', () => {
    const c = mergeConfig(DEFAULT_CONFIG, parseConfig(FULL, '/etc/tlsscope/t.yaml'));
    const f = sinkFlagsFrom(c);
    expect(f.events).toBe('handshake,finding');
    expect(f.kafkaBrokers).toBe('k1:9092,[2001:db8::1]:9093');
    expect(f.kafkaSaslPassword).toBe('env:KAFKA_PW');
    expect(f.kafkaSpoolMb).toBe(100);
    const plain = sinkFlagsFrom(mergeConfig(DEFAULT_CONFIG, configFromEnv({ TLSSCOPE_KAFKA_BROKERS: 'k:9092', TLSSCOPE_KAFKA_COMPRESSION: 'snappy', TLSSCOPE_KAFKA_ACKS: '0' })));
    expect(plain.events).toBe('handshake,certificate');
    const k = kafkaOptionsFrom(plain);
    expect(k).toMatchObject({ brokers: ['k:9092'], acks: 0, idempotent: false, compression: 'snappy', connectTimeoutMs: 10_000 });
    expect(sinkFlagsFrom(DEFAULT_CONFIG, ['handshake', 'certificate', 'finding', 'stats']).events).toBe('handshake,certificate,stats');
  });
});

describe('the settings table', () => {
  it('env names are TLSSCOPE_ + the flag name; every non-optional setting has a default', () => {
    const envs = new Set<string>();
    for (const s of SETTINGS) {
      expect(s.env).toBe(`TLSSCOPE_${flagName(s.flag).toUpperCase().replace(/-/g, '_')}`);
      expect(envs.has(s.env), s.env).toBe(false);
      envs.add(s.env);
      if (!s.optional) expect(getProp(DEFAULT_CONFIG, s.prop), s.key).not.toBeUndefined();
    }
  });
});
