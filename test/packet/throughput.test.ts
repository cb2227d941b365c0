import { expect, it } from 'vitest';
import { PacketDecoder } from '../../parsers/packet/decode.js';
import { newDecodedPacket } from '../../parsers/packet/types.js';
import { clientHelloStub, eth4, ipv4, tcp } from './build.js';

it('decodes 1M Ethernet/IPv4/TCP frames well under a second', () => {
  // a handful of distinct frames packed in one buffer, as a capture reader would hand them out
  const frames = Array.from({ length: 16 }, (_, i) =>
    eth4(ipv4({ src: `10.0.${i}.1`, dst: '10.9.9.9', proto: 6, id: i }, tcp({ sport: 40000 + i, dport: 443, seq: i * 1000 }, clientHelloStub(64 + i * 50)))),
  );
  const offs: number[] = [];
  let total = 0;
  for (const f of frames) {
    offs.push(total);
    total += f.length;
  }
  const buf = new Uint8Array(total);
  frames.forEach((f, i) => buf.set(f, offs[i]));
  const lens = frames.map((f) => f.length);

  const dec = new PacketDecoder();
  const p = newDecodedPacket();
  const N = 1_000_000;
  let sum = 0;
  const loop = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const k = i & 15;
      if (dec.decode(buf, offs[k], lens[k], 1, 1000, p) === 'ok') sum += p.payloadLength;
    }
  };
  loop(200_000); // warm up the JIT
  sum = 0;
  const t0 = process.hrtime.bigint();
  loop(N);
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = N / sec;
  console.log(`packet decode: ${(rate / 1e6).toFixed(1)} M frames/s (${sec.toFixed(3)} s for 1M)`);
  expect(sum).toBeGreaterThan(0);
  expect(rate).toBeGreaterThan(3e6);
});
