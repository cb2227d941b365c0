/**
 * One `tlsscope live` process on two interfaces: each interface's packets are counted on
 * their own in the stats, and TLS connections over either are reported.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, liveTestDir, logLines, NetPair, preflight, sleep, waitFor, type Ns } from './support.js';

const inject = path.join(liveTestDir, 'inject.mjs');

let net: NetPair;
let second: { client: Ns; server: Ns };

beforeAll(() => {
  preflight(['ss']);
  net = new NetPair('f', 6);
  net.setup();
  second = net.addLink('2', 7);
});
afterAll(() => net?.cleanup());

/** A TLS client that sends its ClientHello to a server that never answers, and hangs up. */
function hello(host: string, sni: string): string {
  return `const s = require('node:tls').connect({ host: '${host}', port: 4443, servername: '${sni}', rejectUnauthorized: false });
s.on('error', () => {});
setTimeout(() => { s.destroy(); process.exit(0); }, 300);`;
}

describe('tlsscope live on several interfaces', () => {
  it('counts each interface on its own and reports connections over both', async () => {
    const server = net.start(net.server, process.execPath, ['-e', "require('node:net').createServer((s) => s.resume()).listen(4443, '0.0.0.0'); setTimeout(() => process.exit(0), 40000)"], 45_000);
    await waitFor(() => /LISTEN/.test(net.run(net.server, 'ss', ['-Hltn', 'sport = :4443'], 5000).stdout), 10_000, 'the server');
    const live = net.start(net.server, process.execPath, [cli, 'live', '-i', net.server.ifname, '-i', second.server.ifname, '--bpf', 'tcp or udp', '--stats-interval', '0', '--events', 'handshake'], 60_000);
    await waitFor(() => logLines(live.stderr()).some((l) => l.msg === 'capturing'), 10_000, 'tlsscope live to capture');
    expect(logLines(live.stderr()).find((l) => l.msg === 'capturing')).toMatchObject({ interfaces: [net.server.ifname, second.server.ifname], link_types: [1, 1], bpf: 'tcp or udp' });

    // 3000 UDP frames on the first link, 5000 on the second
    for (const [ns, n] of [[net.client, 3000], [second.client, 5000]] as const) {
      const r = net.run(ns, process.execPath, [inject, ns.ifname, 'udp', String(n), '--seconds', '10'], 20_000);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const [host, sni] of [[net.server.ip, 'one.example'], [second.server.ip, 'two.example']]) {
      const r = net.run(net.client, process.execPath, ['-e', hello(host, sni)], 20_000);
      expect(r.code, r.stderr).toBe(0);
    }
    // promiscuous by default
    expect(net.run(net.server, 'ip', ['-d', 'link', 'show', net.server.ifname], 5000).stdout).toMatch(/promiscuity [1-9]/);
    await sleep(700);
    live.proc.kill('SIGTERM');
    expect(await live.exited).toBe(0);
    const end = logLines(live.stderr()).find((l) => l.msg === 'stopped')!;
    const [a, b] = end.interfaces;
    // the frames, plus each interface's TCP packets (ARP is filtered out by --bpf)
    expect(a.name).toBe(net.server.ifname);
    expect(b.name).toBe(second.server.ifname);
    expect(a.received - 3000).toBeGreaterThanOrEqual(5);
    expect(a.received - 3000).toBeLessThan(20);
    expect(b.received - 5000).toBeGreaterThanOrEqual(5);
    expect(b.received - 5000).toBeLessThan(20);
    expect(end.received).toBe(a.received + b.received);
    expect(end.kernel_drops).toBe(0);
    const events = live.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(events.map((e) => [e.destination.ip, e.tls.client.server_name]).sort()).toEqual([
      [net.server.ip, 'one.example'],
      [second.server.ip, 'two.example'],
    ]);
    server.proc.kill('SIGKILL');
  }, 60_000);

  it('leaves promiscuous mode alone with --no-promiscuous', async () => {
    const live = net.start(net.server, process.execPath, [cli, 'live', '-i', net.server.ifname, '--no-promiscuous', '--stats-interval', '0'], 30_000);
    await waitFor(() => logLines(live.stderr()).some((l) => l.msg === 'capturing'), 10_000, 'tlsscope live to capture');
    expect(net.run(net.server, 'ip', ['-d', 'link', 'show', net.server.ifname], 5000).stdout).toMatch(/promiscuity 0/);
    live.proc.kill('SIGTERM');
    expect(await live.exited).toBe(0);
  });
});
