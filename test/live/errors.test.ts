/**
 * `tlsscope live` that cannot start says why in one line on stderr, prints nothing on stdout,
 * and exits with a code a supervisor can act on: 6 (capture) for a missing interface or
 * missing privileges, 2 (command line) for a bad BPF expression or bad options.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, NetPair, preflight } from './support.js';

let net: NetPair;

beforeAll(() => {
  preflight(['setpriv']);
  net = new NetPair('d', 4);
  net.setup();
});
afterAll(() => net?.cleanup());

function live(args: string[], withoutCapture = false) {
  // Root without CAP_NET_RAW/CAP_NET_ADMIN (out of the bounding set, so exec cannot regain them):
  // unlike another user, it can still read the checkout wherever CI put it.
  const cmd = withoutCapture ? ['setpriv', '--inh-caps=-all', '--bounding-set=-net_raw,-net_admin', process.execPath] : [process.execPath];
  const r = net.run(net.server, cmd[0], [...cmd.slice(1), cli, 'live', ...args], 20_000);
  return { ...r, lines: r.stderr.split('\n').filter(Boolean) };
}

describe('tlsscope live: one line and an exit code when capture cannot start', () => {
  it('a missing interface: exit 6', () => {
    const r = live(['-i', 'nosuch0']);
    expect(r.code).toBe(6);
    expect(r.lines).toEqual(['tlsscope: interface nosuch0 not found']);
    expect(r.stdout).toBe('');
  });

  it('a missing second interface, before anything is opened: exit 6', () => {
    const r = live(['-i', net.server.ifname, '-i', 'nosuch1']);
    expect(r.code).toBe(6);
    expect(r.lines).toEqual(['tlsscope: interface nosuch1 not found']);
  });

  it('a bad BPF expression, with libpcap\'s reason: exit 2', () => {
    const r = live(['-i', net.server.ifname, '--bpf', 'tcp and and']);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^tlsscope: bad BPF expression 'tcp and and': .*syntax error/);
    expect(r.stdout).toBe('');
  });

  it('a BPF expression naming an unknown host: exit 2', () => {
    const r = live(['-i', net.server.ifname, '--bpf', 'host no-such-host.invalid']);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual(["tlsscope: bad BPF expression 'host no-such-host.invalid': unknown host 'no-such-host.invalid'"]);
  });

  it('no CAP_NET_RAW (dropped from the bounding set): exit 6', () => {
    const r = live(['-i', net.server.ifname], true);
    expect(r.code).toBe(6);
    expect(r.lines).toEqual([
      `tlsscope: permission denied capturing on ${net.server.ifname}: needs CAP_NET_RAW (run as root or setcap cap_net_raw,cap_net_admin+eip on node)`,
    ]);
    expect(r.stdout).toBe('');
  });

  it('a missing interface is named as such even without privileges: exit 6', () => {
    const r = live(['-i', 'nosuch0'], true);
    expect(r.code).toBe(6);
    expect(r.lines).toEqual(['tlsscope: interface nosuch0 not found']);
  });

  it('an unusable Kafka spool directory, or Kafka out of reach: exit 5', () => {
    const spool = live(['-i', net.server.ifname, '--kafka-brokers', '127.0.0.1:9', '--kafka-spool-dir', '/etc/hostname/spool']);
    expect(spool.code).toBe(5);
    expect(spool.lines).toHaveLength(1);
    expect(spool.lines[0]).toMatch(/^tlsscope: --kafka-spool-dir \/etc\/hostname\/spool: .*not a directory/);
    const broker = live(['-i', net.server.ifname, '--kafka-brokers', '127.0.0.1:9', '--kafka-spool-dir', '/tmp', '--kafka-timeout', '1']);
    expect(broker.code).toBe(5);
    expect(broker.lines.filter((l) => !l.startsWith('{'))).toEqual([expect.stringMatching(/^tlsscope: .*127\.0\.0\.1:9/)]);
  });

  it('no interface, or a snap length out of range: exit 2', () => {
    expect(live([])).toMatchObject({ code: 2, lines: ['tlsscope: live: name at least one interface with -i'] });
    const r = live(['-i', net.server.ifname, '--snaplen', '10']);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual(['tlsscope: --snaplen: 10 is not between 64 and 262144']);
  });
});
