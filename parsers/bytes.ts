/**
 * A real copy of buf[start, end). Not `buf.slice()`: on a Node Buffer (what file reads
 * return) slice is a view, and a view into a reused read buffer is overwritten by the next read.
 */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  const out = new Uint8Array(n);
  // Short copies (randoms, session ids) by hand: a subarray view costs more than the loop.
  if (n <= 64) for (let i = 0; i < n; i++) out[i] = buf[start + i];
  else out.set(buf.subarray(start, end));
  return out;
}
