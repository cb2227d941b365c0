/**
 * `tlsscope live` in operation: Prometheus metrics and health endpoints, the periodic stats
 * event (schema-valid, on the event stream), and SIGHUP reloading the policy (a bad file
 * keeps the old one and is counted) without stopping the capture.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, logLines, NetPair, preflight, waitFor } from './support.js';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { repoRoot } from '../support/paths.js';

let net: NetPair;
beforeAll(() => {
  preflight([]);
  net = new NetPair('o', 6);
  net.setup();
});
afterAll(() => net?.cleanup());

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const statsSchema = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'schemas/stats.ecs.schema.json'), 'utf8')));

describe('tlsscope live operations', () => {
  it('serves metrics and health, emits stats events, and reloads the policy on SIGHUP', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-ops-'));
    const policy = path.join(dir, 'policy.yaml');
    writeFileSync(policy, 'expiring_soon_days: 30\n');
    const live = net.start(net.server, process.execPath, [cli, 'live', '-i', net.server.ifname, '--metrics-listen', '127.0.0.1:0', '--stats-interval', '1', '--events', 'handshake,stats', '--policy', policy], 60_000);
    await waitFor(() => logLines(live.stderr()).some((l) => l.msg === 'metrics and health endpoints up'), 15_000, 'the metrics endpoint');
    const address = logLines(live.stderr()).find((l) => l.msg === 'metrics and health endpoints up')!.listen as string;
    // The endpoint lives in the server's namespace: ask from inside it.
    const curl = (p: string) => net.run(net.server, process.execPath, ['-e', `fetch('http://${address}${p}').then(async (r) => { console.log(r.status); console.log(await r.text()); })`], 10_000).stdout;
    expect(curl('/healthz').split('\n')[0]).toBe('200');
    expect(curl('/readyz').split('\n')[0]).toBe('200');
    const metrics = curl('/metrics');
    expect(metrics.split('\n')[0]).toBe('200');
    expect(metrics).toMatch(/^# TYPE tlsscope_packets_total counter$/m);
    expect(metrics).toMatch(new RegExp(`^tlsscope_capture_kernel_dropped_packets_total\\{interface="${net.server.ifname}"\\} \\d+$`, 'm'));

    const statsEvents = (): any[] => live.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.event?.dataset === 'tlsscope.stats');
    await waitFor(() => statsEvents().length >= 2, 10_000, 'two stats events');
    for (const e of statsEvents()) expect(statsSchema(e), ajv.errorsText(statsSchema.errors)).toBe(true);

    writeFileSync(policy, 'findings:\n  disable: [no_such_finding]\n');
    live.proc.kill('SIGHUP');
    await waitFor(() => logLines(live.stderr()).some((l) => l.msg?.startsWith('policy reload failed')), 5000, 'the failed reload');
    writeFileSync(policy, 'expiring_soon_days: 10\n');
    live.proc.kill('SIGHUP');
    await waitFor(() => logLines(live.stderr()).some((l) => l.msg === 'policy reloaded'), 5000, 'the reload');
    const after = curl('/metrics');
    expect(after).toMatch(/^tlsscope_policy_reloads_total\{result="failed"\} 1$/m);
    expect(after).toMatch(/^tlsscope_policy_reloads_total\{result="ok"\} 1$/m);

    live.proc.kill('SIGTERM');
    expect(await live.exited).toBe(0);
  }, 60_000);

  it('takes everything from --config, with a flag given on the command line winning over the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-ops-'));
    const cfg = path.join(dir, 'tlsscope.yaml');
    writeFileSync(cfg, [
      'capture:',
      `  interfaces: [${net.server.ifname}]`,
      'output:',
      '  events: [handshake, stats]',
      'metrics:',
      '  listen: 127.0.0.1:0',
      'stats:',
      '  interval_seconds: 30',
      '',
    ].join('\n'));
    const live = net.start(net.server, process.execPath, [cli, 'live', '--config', cfg, '--stats-interval', '1'], 60_000);
    await waitFor(() => logLines(live.stderr()).some((l) => l.msg === 'metrics and health endpoints up'), 15_000, 'the metrics endpoint from the file');
    // the two start-up lines come in either order
    await waitFor(() => logLines(live.stderr()).some((l) => l.msg === 'capturing'), 15_000, 'capture to start');
    const capturing = logLines(live.stderr()).find((l) => l.msg === 'capturing');
    expect(capturing?.interfaces).toEqual([net.server.ifname]);
    // 1 s from the flag, not 30 s from the file: two stats events arrive quickly.
    const stats = (): any[] => live.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.event?.dataset === 'tlsscope.stats');
    await waitFor(() => stats().length >= 2, 8000, 'stats every second');
    live.proc.kill('SIGTERM');
    expect(await live.exited).toBe(0);

    writeFileSync(cfg, 'capture:\n  interfaces: [lo]\n  snaplen: lots\n');
    const bad = net.run(net.server, process.execPath, [cli, 'live', '--config', cfg], 10_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/tlsscope\.yaml:3:\d+: .*snaplen/);
  }, 60_000);
});
