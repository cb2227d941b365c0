/**
 * The live clock and the sensor's wall-clock tick, without a network: the clock is monotonic
 * and anchored to the wall clock at start, takes system-clock steps out of kernel packet
 * timestamps, and `Sensor.tick` expires flows when no packet moves packet time on.
 */
import { describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../parsers/capture/types.js';
import { DEFAULT_SENSOR_OPTIONS, Sensor } from '../../src/sensor.js';
import { LiveClock, type Instant } from '../../src/source/live-clock.js';
import { activationError, badFilterError, linkTypeOfDlt } from '../../src/source/live-source.js';
import { ip, tcpFrame } from '../support/frames.js';
import { clientHelloBody, extSni, handshake, record } from '../support/tls-build.js';

/** A fake system clock (ms) and monotonic clock (ns) the test moves by hand. */
function fakeClocks(startMs: number) {
  const c = { wall: startMs, mono: 5_000_000_000n };
  return {
    c,
    clock: new LiveClock(
      () => c.wall,
      () => c.mono,
    ),
    advance(ms: number) {
      c.wall += ms;
      c.mono += BigInt(ms) * 1_000_000n;
    },
  };
}

describe('LiveClock', () => {
  it('starts at the wall clock and moves on with the monotonic clock', () => {
    const { clock, advance } = fakeClocks(1_700_000_000_250);
    const t: Instant = { sec: 0, nsec: 0 };
    expect(clock.now(t)).toEqual({ sec: 1_700_000_000, nsec: 250_000_000 });
    advance(1_800);
    expect(clock.now(t)).toEqual({ sec: 1_700_000_002, nsec: 50_000_000 });
  });

  it('keeps kernel timestamps as they are while the system clock does not step', () => {
    const { clock, advance } = fakeClocks(1_700_000_000_000);
    advance(3000);
    clock.resync();
    const out: Instant = { sec: 0, nsec: 0 };
    clock.correct(1_700_000_002, 999_999_000, out);
    expect(out).toEqual({ sec: 1_700_000_002, nsec: 999_999_000 });
    expect(clock.step).toBe(0);
  });

  it('ignores steps below 100 ms (measuring noise), and takes a real step out of packet time', () => {
    const { c, clock, advance } = fakeClocks(1_700_000_000_000);
    advance(1000);
    c.wall += 40; // noise
    clock.resync();
    expect(clock.step).toBe(0);
    // NTP sets the system clock back an hour: kernel timestamps jump back, now() does not
    c.wall -= 3_600_000;
    clock.resync();
    expect(clock.step).toBe(-3_600_000 + 40);
    const out: Instant = { sec: 0, nsec: 0 };
    // a packet stamped by the stepped system clock lands on the monotonic scale
    clock.correct(1_699_996_401, 40_000_000, out);
    expect(out).toEqual({ sec: 1_700_000_001, nsec: 0 });
    const now = clock.now({ sec: 0, nsec: 0 });
    expect(now).toEqual({ sec: 1_700_000_001, nsec: 0 });
  });

  it('borrows and carries nanoseconds across whole seconds', () => {
    const { c, clock, advance } = fakeClocks(1_700_000_000_000);
    advance(10);
    c.wall += 1_500; // set forward 1.5 s
    clock.resync();
    const out: Instant = { sec: 0, nsec: 0 };
    clock.correct(100, 200_000_000, out);
    expect(out).toEqual({ sec: 98, nsec: 700_000_000 });
    clock.correct(100, 600_000_000, out);
    expect(out).toEqual({ sec: 99, nsec: 100_000_000 });
  });
});

describe('Sensor.tick (wall-clock flow expiry)', () => {
  const rec = (data: Uint8Array, tsSec: number): PacketRecord => ({ data, offset: 0, caplen: data.length, origLen: data.length, linkType: 1, tsSec, tsNsec: 0, interfaceId: 0 });
  const hello = Uint8Array.from(record(22, handshake(1, clientHelloBody({ extensions: [extSni('quiet.example')] }))));
  const helloFrame = (sport: number) => tcpFrame({ src: ip(10, 5, 0, 1), dst: ip(10, 6, 0, 1), sport, dport: 443, seq: 1, flags: 0x18, payload: hello });

  it('reports an idle connection once wall time passes its timeout, with no packet after it', () => {
    const seen: number[] = [];
    const sensor = new Sensor((flow) => seen.push(flow.aPort), DEFAULT_SENSOR_OPTIONS);
    sensor.packet(rec(helloFrame(4000), 1000));
    sensor.tick(1000 + DEFAULT_SENSOR_OPTIONS.flows.idleTimeout, 0);
    expect(seen).toEqual([]);
    sensor.tick(1000 + DEFAULT_SENSOR_OPTIONS.flows.idleTimeout + 1, 0);
    expect(seen).toEqual([4000]);
    expect(sensor.flows.size).toBe(0);
    expect(sensor.flows.evicted.idle).toBe(1);
  });

  it('reports a closed connection after the close delay', () => {
    const seen: number[] = [];
    const sensor = new Sensor((flow) => seen.push(flow.aPort), DEFAULT_SENSOR_OPTIONS);
    sensor.packet(rec(helloFrame(4001), 2000));
    sensor.packet(rec(tcpFrame({ src: ip(10, 6, 0, 1), dst: ip(10, 5, 0, 1), sport: 443, dport: 4001, seq: 9, flags: 0x04 }), 2000.5)); // RST
    sensor.tick(2003, 0);
    expect(seen).toEqual([]);
    sensor.tick(2000.5 + DEFAULT_SENSOR_OPTIONS.flows.closedTimeout + 1, 0);
    expect(seen).toEqual([4001]);
  });

  it('never moves packet time back', () => {
    const seen: number[] = [];
    const sensor = new Sensor((flow) => seen.push(flow.aPort), DEFAULT_SENSOR_OPTIONS);
    sensor.packet(rec(helloFrame(4002), 5000));
    sensor.tick(10, 0); // a clock far behind packet time changes nothing
    sensor.packet(rec(helloFrame(4003), 5001));
    expect(sensor.flows.size).toBe(2);
    expect(seen).toEqual([]);
  });
});

describe('capture errors', () => {
  it("turns libpcap's messages into one line naming the interface", () => {
    expect(activationError('eth9', 'No such device exists')?.message).toBe('interface eth9 not found');
    expect(activationError('eth9', 'socket: Operation not permitted')?.message).toBe(
      'permission denied capturing on eth9: needs CAP_NET_RAW (run as root or setcap cap_net_raw,cap_net_admin+eip on node)',
    );
    expect(activationError('eth9', "eth9: You don't have permission to perform this capture on that device")?.kind).toBe('permission');
    expect(activationError('eth9', 'That device is not up')?.message).toBe('interface eth9 is down');
    expect(activationError('eth9', 'can\'t parse filter expression: syntax error')).toBeUndefined();
    expect(badFilterError('tcp and\nand', 'syntax\nerror').message).toBe("bad BPF expression 'tcp and and': syntax error");
  });

  it('maps DLT values to LINKTYPE values', () => {
    expect(linkTypeOfDlt(1)).toBe(1);
    expect(linkTypeOfDlt(12)).toBe(101);
    expect(linkTypeOfDlt(276)).toBe(276);
  });
});
