import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigFile, ConfigError, DEFAULT_CONFIG, resolveConfig, configFromEnv, showConfig, SETTINGS } from '../../src/config/index.js';
import { METRICS } from '../../src/metrics/collect.js';
import { repoRoot } from '../support/paths.js';

const harness = path.join(repoRoot, 'test/config/config-cli.mjs');
const example = path.join(repoRoot, 'docs/tlsscope.example.yaml');
const fixtures = path.join(repoRoot, 'test/fixtures/x509');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-config-cli-'));

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [harness, ...args], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The example with its /etc/tlsscope files made here (the CA bundles, the policy). */
function deployedExample(): string {
  const dir = mkdtempSync(path.join(tmp, 'etc-'));
  copyFileSync(path.join(fixtures, 'root-ca.pem'), path.join(dir, 'kafka-ca.pem'));
  copyFileSync(path.join(fixtures, 'int-ca.pem'), path.join(dir, 'internal-ca.pem'));
  copyFileSync(path.join(repoRoot, 'docs/policy.example.yaml'), path.join(dir, 'policy.yaml'));
  const f = path.join(dir, 'tlsscope.yaml');
  writeFileSync(f, readFileSync(example, 'utf8').replaceAll('/etc/tlsscope/', `${dir}/`));
  return f;
}

describe.skipIf(!existsSync(path.join(repoRoot, 'dist/src/cli/config-command.js')))('tlsscope config check', () => {
  it('passes docs/tlsscope.example.yaml as it is (--syntax-only) and with its files in place', () => {
    const a = run(['config', 'check', '--syntax-only', example]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^ok: .*tlsscope\.example\.yaml: capture eth1 \(snaplen 65535, bpf 'tcp or udp'\); events handshake,certificate,stats as ecs to file \/var\/log\/tlsscope\/events\.ndjson .*kafka kafka1\.example\.net:9093,kafka2\.example\.net:9093 .*SASL scram-sha-512.*metrics on 127\.0\.0\.1:9100; stats every 60 s; log info auto\n$/);

    const f = deployedExample();
    const b = run(['config', 'check', f]);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/^ok: /);
    expect(b.stdout.split('\n')).toHaveLength(2);
    // the output directory is made by systemd (LogsDirectory=); here it is only a warning
    expect(b.stderr).toMatch(/^(tlsscope: warning: .*the directory of \/var\/log\/tlsscope\/events\.ndjson does not exist \(yet\)\n)?$/);
  });

  it('the example gives every setting of the table', () => {
    const r = checkConfigFile(example, { files: false });
    const fromFile = SETTINGS.filter((s) => r.origins[s.key] !== 'default').map((s) => s.key);
    const left = SETTINGS.map((s) => s.key).filter((k) => !fromFile.includes(k));
    // only the optional mutual-TLS settings are commented out
    expect(left).toEqual(['kafka.tls.cert', 'kafka.tls.key', 'kafka.tls.key_passphrase']);
  });

  it('--env requires the env: references to be set', () => {
    const f = deployedExample();
    const a = run(['config', 'check', '--env', f]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^tlsscope: .*tlsscope\.yaml:\d+:15: kafka\.sasl\.password: environment variable KAFKA_SASL_PASSWORD is not set\n$/);
    const b = run(['config', 'check', '--env', f], { KAFKA_SASL_PASSWORD: 'x', TLSSCOPE_SNAPLEN: '1600' });
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/snaplen 1600/);
  });

  it('a mistake is exit 2 and one line naming the file, line and column', () => {
    const f = path.join(tmp, 'bad.yaml');
    writeFileSync(f, 'capture:\n  interfaces: [eth0]\n  snaplen: lots\n');
    const r = run(['config', 'check', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`tlsscope: ${f}:3:12: capture.snaplen: 'lots' is not a whole number from 64 to 262144 (bytes)\n`);
  });

  it('a mistake in the policy it names is the policy file line', () => {
    const dir = mkdtempSync(path.join(tmp, 'pol-'));
    writeFileSync(path.join(dir, 'policy.yaml'), 'expiring_soon_days: 30\nfindings:\n  disable: [no_such_finding]\n');
    writeFileSync(path.join(dir, 'tlsscope.yaml'), 'enrich:\n  policy: policy.yaml\n');
    const r = run(['config', 'check', path.join(dir, 'tlsscope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^tlsscope: ${dir}/policy\\.yaml:3:13: unknown finding id 'no_such_finding'`));
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('a missing or bad CA bundle names the entry', () => {
    const dir = mkdtempSync(path.join(tmp, 'ca-'));
    writeFileSync(path.join(dir, 'notes.pem'), 'not a certificate\n');
    writeFileSync(path.join(dir, 'a.yaml'), `enrich:\n  ca_files:\n    - ${fixtures}/root-ca.pem\n    - missing.pem\n`);
    writeFileSync(path.join(dir, 'b.yaml'), 'enrich:\n  ca_files: [notes.pem]\n');
    const a = run(['config', 'check', path.join(dir, 'a.yaml')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(`tlsscope: ${dir}/a.yaml:4:7: enrich.ca_files: cannot read ${dir}/missing.pem: ENOENT\n`);
    const b = run(['config', 'check', path.join(dir, 'b.yaml')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(new RegExp(`^tlsscope: ${dir}/b\\.yaml:2:14: enrich\\.ca_files: CA bundle ${dir}/notes\\.pem: `));
  });

  it('a missing file, or no file argument, is exit 2', () => {
    const r = run(['config', 'check', path.join(tmp, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tlsscope: ${tmp}/nope.yaml: cannot read: ENOENT\n`);
    expect(run(['config', 'check']).code).toBe(2);
  });
});

describe('tlsscope config show', () => {
  it('prints each setting with where it came from, literal secrets redacted', () => {
    const f = path.join(tmp, 'show.yaml');
    writeFileSync(f, 'kafka:\n  brokers: ["k:9092"]\n  sasl:\n    mechanism: plain\n    username: u\n    password: env:PW\n');
    const r = run(['config', 'show', f], { TLSSCOPE_KAFKA_SASL_PASSWORD: 'hunter2', TLSSCOPE_SNAPLEN: '9000' });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stdout).toContain('    password: "[redacted]"  # TLSSCOPE_KAFKA_SASL_PASSWORD\n');
    expect(r.stdout).toContain('  snaplen: 9000  # TLSSCOPE_SNAPLEN\n');
    expect(r.stdout).toContain(`  brokers: [ k:9092 ]  # ${f}:2:12\n`);
    expect(r.stdout).toContain('  # bpf: (unset)\n');
    expect(r.stderr).toMatch(/SASL PLAIN without TLS/);
  });

  it('its output reads back as the same configuration', async () => {
    const { parseConfig } = await import('../../src/config/index.js');
    const r = resolveConfig(DEFAULT_CONFIG, configFromEnv({ TLSSCOPE_INTERFACE: 'eth0,eth1', TLSSCOPE_BPF: 'tcp port 443', TLSSCOPE_METRICS_LISTEN: '[::]:9100' }));
    expect(resolveConfig(DEFAULT_CONFIG, parseConfig(showConfig(r))).config).toEqual(r.config);
  });
});

describe('docs/configuration.md', () => {
  const doc = readFileSync(path.join(repoRoot, 'docs/configuration.md'), 'utf8');

  it('documents every key, variable and flag', () => {
    for (const s of SETTINGS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${s.key}\``));
      expect(row, s.key).toBeDefined();
      expect(row, s.key).toContain(`\`${s.env}\``);
      expect(row, s.key).toContain(`\`${s.flag.split(' ')[0]}`);
    }
  });

  it('lists every metric', () => {
    for (const m of Object.values(METRICS)) expect(doc, m.name).toContain(`\`${m.name}\``);
  });
});

describe('errors of checkConfigFile are ConfigErrors', () => {
  it('with the origin kept apart', () => {
    const f = path.join(tmp, 'origin.yaml');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(f, 'log:\n  level: loud\n');
    try {
      checkConfigFile(f);
      throw new Error('expected an error');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).origin).toBe(`${f}:2:10`);
    }
  });
});
