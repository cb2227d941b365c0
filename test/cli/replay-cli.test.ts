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
  it('writes one NDJSON event per connection and a one-line summary on stderr', () => {
    const r = run(['replay', trace]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const ev = JSON.parse(lines[0]);
    expect(ev.tls.cipher).toBe('TLS_RSA_WITH_RC4_128_MD5');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tlsscope: packets=\d+ bytes=\d+ flows=\d+ tls_connections=1 events=1 .*packets_per_sec=\d+/);
  });

  it('reads standard input with -', () => {
    const r = run(['replay', '-', '-q'], readFileSync(trace));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).tls.version).toBe('1.2');
    expect(r.stderr).toBe('');
  });

  it('writes to a file with --output', () => {
    const out = path.join(tmp, 'events.ndjson');
    const r = run(['replay', trace, '-q', '-o', out]);
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
    const r = run(['replay', f, '-q']);
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
});
