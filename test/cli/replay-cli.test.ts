import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusRoot, repoRoot } from '../support/paths.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const trace = path.join(corpusRoot, 'zeek/traces/tls1.2.pcap');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-cli-'));

function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'buffer', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe('tlsscope replay (the command line)', () => {
  it('writes one NDJSON event per connection, after the certificates it shows for the first time, and a one-line summary on stderr', () => {
    const r = run(['replay', trace]);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const handshakes = events.filter((e) => e.event.dataset === 'tlsscope.handshake');
    expect(handshakes).toHaveLength(1);
    const ev = handshakes[0];
    expect(events[events.length - 1]).toEqual(ev);
    expect(ev.tls.cipher).toBe('TLS_RSA_WITH_RC4_128_MD5');
    // One inventory event per certificate of the chain, in chain order.
    const certs = events.filter((e) => e.event.dataset === 'tlsscope.certificate');
    expect(certs.map((c) => c.tls.server.hash.sha256)).toEqual(ev.tlsscope.server.certificates.map((c: { sha256: string }) => c.sha256));
    expect(certs.length).toBeGreaterThan(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tlsscope: packets=\d+ bytes=\d+ flows=\d+ tls_connections=1 events=1 .*packets_per_sec=\d+/);
  });

  it('writes one finding event per finding when asked (--events), none otherwise', () => {
    const pcap = path.join(repoRoot, 'pcaps/findings-protocol.pcap');
    const lines = (args: string[]) => {
      const r = run(['replay', pcap, '-q', ...args]);
      expect(r.code).toBe(0);
      return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: { dataset: string }; rule?: { id: string }; tlsscope: { findings?: { id: string }[] } });
    };
    const plain = lines([]);
    expect(plain.some((e) => e.event.dataset === 'tlsscope.finding')).toBe(false);
    const listed = plain.filter((e) => e.event.dataset === 'tlsscope.handshake').flatMap((e) => e.tlsscope.findings!.map((f) => f.id));
    expect(listed.length).toBeGreaterThan(0);
    const withFindings = lines(['--events', 'handshake,finding']);
    const events = withFindings.filter((e) => e.event.dataset === 'tlsscope.finding').map((e) => e.rule!.id);
    expect(events.sort()).toEqual([...listed].sort());
  });

  it('reads standard input with -', () => {
    const r = run(['replay', '-', '-q', '--no-certificates'], readFileSync(trace));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).tls.version).toBe('1.2');
    expect(r.stderr).toBe('');
  });

  it('writes to a file with --output', () => {
    const out = path.join(tmp, 'events.ndjson');
    const r = run(['replay', trace, '-q', '-o', out, '--no-certificates']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).event.dataset).toBe('tlsscope.handshake');
  });

  it('says in one line that a file is missing, and exits 3', () => {
    const r = run(['replay', path.join(tmp, 'nope.pcap'), '-q']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^tlsscope: .*nope\.pcap: no such file$/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('says in one line that a file is not a capture, and exits 3', () => {
    const f = path.join(tmp, 'notes.pcap');
    writeFileSync(f, 'these are my notes, not a capture\n');
    const r = run(['replay', f, '-q']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/notes\.pcap/);
  });

  it('still reports the connections of a truncated capture, names the damage, and exits 4', () => {
    const whole = readFileSync(path.join(corpusRoot, 'zeek/traces/tls13_psk_succesfull.pcap'));
    const f = path.join(tmp, 'cut.pcap');
    writeFileSync(f, whole.subarray(0, whole.length - 20));
    const r = run(['replay', f, '-q', '--no-certificates']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/truncat/i);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout).tls.version).toBe('1.3');
  });

  it('rejects an unknown format as a usage error (exit 2)', () => {
    const r = run(['replay', trace, '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/format/);
  });

  it('exits 2 on a bad command line', () => {
    expect(run(['replay']).code).toBe(2);
    expect(run(['frobnicate']).code).toBe(2);
  });

  it('says in one line what is wrong with a policy file, with its line, and exits 2', () => {
    const f = path.join(tmp, 'policy.yaml');
    writeFileSync(f, 'expiring_soon_days: 30\nfindings:\n  disable: [no_such_finding]\n');
    const r = run(['replay', trace, '-q', '--policy', f]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/policy\.yaml:3:.*no_such_finding/);
    expect(r.stdout).toBe('');
  });

  it('says in one line that a CA file is missing or not PEM, and exits 2', () => {
    const missing = run(['replay', trace, '-q', '--ca-file', path.join(tmp, 'none.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^tlsscope: CA bundle .*none\.pem: no such file$/);
    const f = path.join(tmp, 'junk.pem');
    writeFileSync(f, 'not a certificate');
    const junk = run(['replay', trace, '-q', '--ca-file', f]);
    expect(junk.code).toBe(2);
    expect(junk.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('trusts a chain once its root is given with --ca-file, and only then', () => {
    // tls1.2.pcap's server sends a chain whose root is long gone from public stores; trust its
    // top certificate explicitly and the untrusted_chain finding goes away.
    const plain = run(['replay', trace, '-q', '--no-certificates']);
    const ev = JSON.parse(plain.stdout);
    const ids = (e: { tlsscope: { findings: { id: string }[] } }) => e.tlsscope.findings.map((f) => f.id);
    expect(ids(ev)).toContain('untrusted_chain');
    const top = spawnSync('tshark', ['-r', trace, '-Y', 'tls.handshake.certificate', '-T', 'fields', '-e', 'tls.handshake.certificate'], { encoding: 'utf8' });
    const ders = top.stdout.trim().split('\n')[0].split(',');
    const last = Buffer.from(ders[ders.length - 1], 'hex');
    const pem = `-----BEGIN CERTIFICATE-----\n${last.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    const ca = path.join(tmp, 'ca.pem');
    writeFileSync(ca, pem);
    const trusted = JSON.parse(run(['replay', trace, '-q', '--no-certificates', '--ca-file', ca]).stdout);
    expect(trusted.tlsscope.server.validation.trusted, JSON.stringify(trusted.tlsscope.server.validation)).toBe(true);
    expect(ids(trusted)).not.toContain('untrusted_chain');
  });
});
