import { describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../parsers/capture/types.js';
import { Sensor, DEFAULT_SENSOR_OPTIONS } from '../../src/sensor.js';
import { tcpFrame, ip } from '../support/frames.js';
import { clientHelloBody, extSni, handshake, record } from '../support/tls-build.js';

function rec(data: Uint8Array, tsSec: number): PacketRecord {
  return { data, offset: 0, caplen: data.length, origLen: data.length, linkType: 1, tsSec, tsNsec: 0, interfaceId: 0 };
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;

describe('bounded memory under floods', () => {
  it('a SYN flood never holds more flows than the cap, and counts what it evicts', () => {
    const opts = { ...DEFAULT_SENSOR_OPTIONS, flows: { ...DEFAULT_SENSOR_OPTIONS.flows, maxFlows: 1000 } };
    const sensor = new Sensor(() => {}, opts);
    for (let i = 0; i < 50_000; i++) {
      sensor.packet(rec(tcpFrame({ src: ip(10, 1, (i >> 8) & 255, i & 255), dst: ip(10, 2, 0, 1), sport: 1024 + (i % 60000), dport: 443, seq: i, flags: SYN }), 1000 + i / 10_000));
      expect(sensor.flows.size).toBeLessThanOrEqual(1000);
    }
    expect(sensor.flows.evicted.capacity).toBeGreaterThanOrEqual(49_000);
  });

  it('endless out-of-order data and half-sent hellos stay within the memory budget', () => {
    const opts = { ...DEFAULT_SENSOR_OPTIONS, memoryBudget: 4 << 20, maxBufferedPerDirection: 64 << 10 };
    const sensor = new Sensor(() => {}, opts);
    const hello = Uint8Array.from(record(22, handshake(1, [...clientHelloBody({ extensions: [extSni('x.example')] }), ...new Array(12_000).fill(0)])));
    const junk = new Uint8Array(1400).fill(0x41);
    let t = 1000;
    for (let c = 0; c < 400; c++) {
      const src = ip(10, 3, c >> 8, c & 255);
      // the first part of a hello whose rest never comes, then data ahead of a hole, below the per-direction cap so every flow holds on
      sensor.packet(rec(tcpFrame({ src, dst: ip(10, 4, 0, 1), sport: 5000, dport: 443, seq: 1, flags: ACK | PSH, payload: hello.subarray(0, 1400) }), t));
      for (let k = 0; k < 40; k++) {
        sensor.packet(rec(tcpFrame({ src, dst: ip(10, 4, 0, 1), sport: 5000, dport: 443, seq: 100_000 + k * 1400, flags: ACK | PSH, payload: junk }), (t += 0.0001)));
      }
      expect(sensor.budget.used).toBeLessThanOrEqual(4 << 20);
    }
    expect(sensor.budget.peak).toBeLessThanOrEqual(4 << 20);
    expect(sensor.budget.shed).toBeGreaterThan(0);
    sensor.finish();
    expect(sensor.budget.used).toBe(0);
  });

  it('expires idle flows on packet time and reports their connections', () => {
    const events: string[] = [];
    const sensor = new Sensor((flow) => events.push(String(flow.aPort)), DEFAULT_SENSOR_OPTIONS);
    const hello = Uint8Array.from(record(22, handshake(1, clientHelloBody({ extensions: [extSni('idle.example')] }))));
    sensor.packet(rec(tcpFrame({ src: ip(10, 5, 0, 1), dst: ip(10, 6, 0, 1), sport: 4000, dport: 443, seq: 1, flags: ACK | PSH, payload: hello }), 1000));
    expect(sensor.flows.size).toBe(1);
    // an unrelated packet 10 minutes later (packet time) expires the idle flow
    sensor.packet(rec(tcpFrame({ src: ip(10, 7, 0, 1), dst: ip(10, 8, 0, 1), sport: 1, dport: 2, seq: 1, flags: SYN }), 1600));
    expect(events).toEqual(['4000']);
    expect(sensor.flows.evicted.idle).toBe(1);
  });
});

describe('port reuse', () => {
  it('a SYN on the ports of a closed connection starts a new flow, and both connections are reported', () => {
    const seen: number[] = [];
    const sensor = new Sensor((flow) => seen.push(flow.firstSec), DEFAULT_SENSOR_OPTIONS);
    const hello = Uint8Array.from(record(22, handshake(1, clientHelloBody({ extensions: [extSni('reuse.example')] }))));
    const a = ip(10, 9, 0, 1);
    const b = ip(10, 9, 0, 2);
    for (const [t, isn] of [[1000, 100], [1002, 900_000]] as const) {
      sensor.packet(rec(tcpFrame({ src: a, dst: b, sport: 40000, dport: 443, seq: isn, flags: SYN }), t));
      sensor.packet(rec(tcpFrame({ src: a, dst: b, sport: 40000, dport: 443, seq: isn + 1, flags: ACK | PSH, payload: hello }), t + 0.1));
      sensor.packet(rec(tcpFrame({ src: b, dst: a, sport: 443, dport: 40000, seq: 5, flags: 0x04 }), t + 0.2)); // RST
    }
    sensor.finish();
    expect(seen).toEqual([1000, 1002]);
  });
});
