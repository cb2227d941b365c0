/**
 * A real copy of buf[start, end). Not `buf.slice()`: on a Node Buffer (what file reads
 * return) slice is a view, and a view into a reused read buffer is overwritten by the next read.
 */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(buf.subarray(start, end));
  return out;
}
