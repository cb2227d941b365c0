/**
 * The live source under pressure, on a veth pair in its own namespaces:
 *  - forced garbage collection during capture (node --expose-gc, gc() from a 3 ms timer and
 *    from inside the packet callback) while 250,000 crafted UDP frames cross the veth: no
 *    crash, every packet intact, at least 200,000 captured, the counters add up;
 *  - a flood of short TLS flows (each holding a partial ClientHello) beyond the flow table
 *    and flow memory `tlsscope live` is given, then a burst while the sensor is stopped
 *    (SIGSTOP) so the kernel ring overflows: RSS stays under the cap those options imply,
 *    and kernel drops, evictions and shed bytes are reported in the stats lines.
 * Every process is bounded by a timeout; the namespaces go in afterAll, also on failure.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, liveTestDir, logLines, NetPair, preflight, sleep, waitFor } from './support.js';

const inject = path.join(liveTestDir, 'inject.mjs');
const gcStress = path.join(liveTestDir, 'gc-stress.mjs');

describe('live capture under forced garbage collection', () => {
  let net: NetPair;
  beforeAll(() => {
    preflight();
    net = new NetPair('b', 2);
    net.setup();
  });
  afterAll(() => net?.cleanup());

  it('captures 250,000 packets intact with gc() running all the time, and does not crash', async () => {
    const child = net.start(net.server, process.execPath, ['--expose-gc', gcStress, net.server.ifname, '--gc-every-ms', '3', '--gc-every-packets', '2000'], 60_000);
    await waitFor(() => child.stdout().includes('READY') || child.proc.exitCode !== null, 10_000, 'the gc-stress child');
    expect(child.stderr()).toBe('');
    const gen = net.run(net.client, process.execPath, [inject, net.client.ifname, 'udp', '250000', '--seconds', '25'], 40_000);
    expect(gen.code, gen.stderr).toBe(0);
    const { sent } = JSON.parse(gen.stdout) as { sent: number };
    expect(sent).toBe(250_000);
    await sleep(1000); // the ring hands over its last block within 100 ms
    child.proc.kill('SIGTERM');
    expect(await child.exited, child.stderr()).toBe(0);
    const r = JSON.parse(child.stdout().split('\n').find((l) => l.startsWith('{'))!);
    expect(r.corrupt).toBe(0);
    expect(r.packets).toBeGreaterThanOrEqual(200_000);
    expect(r.valid).toBe(r.packets);
    expect(r.gcs).toBeGreaterThan(100);
    expect(r.sourceAlive).toBe(true); // held by the capture, not by the script
    const st = r.stats[0];
    expect(st.received).toBe(r.packets);
    expect(st.ownDrops).toBe(0);
    // everything sent was either captured or counted as dropped by the kernel
    expect(st.received + st.kernelDrops).toBe(sent);
  }, 90_000);
});

describe('live capture under a flood', () => {
  let net: NetPair;
  beforeAll(() => {
    preflight();
    net = new NetPair('c', 3);
    net.setup();
  });
  afterAll(() => net?.cleanup());

  // The limits given: 20,000 flows, 16 MiB of flow memory, an 8 MiB ring, and V8's old space
  // at 128 MiB (node --max-old-space-size; 20,000 half-open TLS flows take ~40 MB of it).
  // RSS may then reach: the process at rest + ring + old space + young generation (3 x 16 MiB
  // semi-spaces) + 32 MiB of slack (code, libpcap, OpenSSL). Without the heap limit V8 lets
  // garbage pile up well past this before collecting (measured: 367 MB peak).
  const MAX_FLOWS = 20_000;
  const FLOW_MEMORY_MB = 16;
  const RING_MB = 8;
  const OLD_SPACE_MB = 128;
  const capMb = (restMb: number): number => restMb + RING_MB + OLD_SPACE_MB + 48 + 32;

  it('keeps RSS under the cap and reports evictions, shed bytes and kernel drops', async () => {
    const live = net.start(
      net.server,
      process.execPath,
      [
        `--max-old-space-size=${OLD_SPACE_MB}`,
        cli,
        'live',
        '-i',
        net.server.ifname,
        '--max-flows',
        String(MAX_FLOWS),
        '--flow-memory-mb',
        String(FLOW_MEMORY_MB),
        '--buffer-mb',
        String(RING_MB),
        '--stats-interval',
        '1',
      ],
      90_000,
    );
    const stats = (): Record<string, any>[] => logLines(live.stderr()).filter((l) => l.msg === 'stats' || l.msg === 'stopped');
    const last = (): Record<string, any> | undefined => stats().at(-1);
    const seen = (): number => (last() ? last()!.received + last()!.kernel_drops : 0);
    await waitFor(() => stats().length > 0 || live.proc.exitCode !== null, 10_000, 'tlsscope live to capture');
    const restMb = stats()[0].rss_mb as number;

    // 1. 100,000 short TLS flows (200,000 frames), five times what the flow table may hold
    const flood = net.run(net.client, process.execPath, [inject, net.client.ifname, 'tlsflood', '100000', '--seconds', '20'], 30_000);
    expect(flood.code, flood.stderr).toBe(0);
    const sent1 = JSON.parse(flood.stdout).sent as number;
    expect(sent1).toBe(200_000);
    await waitFor(() => seen() >= sent1, 20_000, 'the sensor to take in the flood');

    // 2. the sensor stops reading; the 8 MiB ring overflows
    live.proc.kill('SIGSTOP');
    const burst = net.run(net.client, process.execPath, [inject, net.client.ifname, 'udp', '150000', '--seconds', '20'], 30_000);
    live.proc.kill('SIGCONT');
    expect(burst.code, burst.stderr).toBe(0);
    const sent = sent1 + (JSON.parse(burst.stdout).sent as number);
    await waitFor(() => seen() >= sent, 20_000, 'the sensor to account for every frame');

    live.proc.kill('SIGTERM');
    expect(await live.exited, live.stderr().slice(-2000)).toBe(0);
    const end = stats().find((l) => l.msg === 'stopped')!;
    expect(end).toBeDefined();
    // every frame was either processed or counted as dropped
    expect(end.received + end.kernel_drops).toBe(sent);
    expect(end.packets).toBe(end.received);
    expect(end.kernel_drops).toBeGreaterThan(0);
    expect(end.interfaces[0].kernel_drops).toBe(end.kernel_drops);
    expect(end.own_drops).toBe(0);
    // the flow table and the flow memory held their limits, and said what they refused
    expect(Math.max(...stats().map((l) => l.flows))).toBeLessThanOrEqual(MAX_FLOWS);
    expect(end.flows_evicted_capacity).toBeGreaterThan(0);
    expect(end.shed).toBeGreaterThan(0);
    expect(Math.max(...stats().map((l) => l.memory_used))).toBeLessThanOrEqual(FLOW_MEMORY_MB << 20);
    expect(end.max_rss_mb, `at rest ${restMb} MB`).toBeLessThan(capMb(restMb));
    // no events: no ClientHello was ever complete
    expect(live.stdout()).toBe('');
  }, 120_000);
});
