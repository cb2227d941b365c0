import { it } from 'vitest';
import { PacketDecoder as Src } from '../../parsers/packet/decode.js';
import { newDecodedPacket } from '../../parsers/packet/types.js';
function frame(i: number) {
  const b = new Uint8Array(14 + 20 + 20 + 100 + i);
  b[12] = 8; b[13] = 0;
  b[14] = 0x45; const tl = 20 + 20 + 100 + i; b[16] = tl >> 8; b[17] = tl & 255; b[23] = 6;
  b[34] = 0x9c; b[35] = 0x40 + i; b[36] = 1; b[37] = 0xbb; b[46] = 0x50; b[47] = 0x18;
  return b;
}
it('bench', async () => {
  const mod = await import(/* @vite-ignore */ 'file:///tmp/tsb/parsers/packet/decode.js');
  for (const [name, C] of [['src', Src], ['native', mod.PacketDecoder]] as const) {
    const frames = Array.from({ length: 16 }, (_, i) => frame(i));
    const dec = new C(); const p = newDecodedPacket(); let sum = 0;
    const loop = (n: number) => { for (let i = 0; i < n; i++) { const f = frames[i & 15]; if (dec.decode(f, 0, f.length, 1, 1000, p) === 'ok') sum += p.payloadLength; } };
    loop(300000);
    for (let r = 0; r < 3; r++) { const t0 = process.hrtime.bigint(); loop(1e6); const s = Number(process.hrtime.bigint() - t0) / 1e9; console.log(name, (1e6 / s / 1e6).toFixed(2), 'M/s'); }
  }
});
