/**
 * kafkajs checksums every record batch with CRC-32C computed in JavaScript, byte by byte:
 * measured here at 2.9 ms per MB, the largest single cost of publishing. @node-rs/crc32
 * computes the same CRC-32C natively at 0.2 ms per MB. kafkajs binds its checksum module when
 * it loads, so this module must be imported before kafkajs: it puts the native function in
 * the module cache under the path kafkajs requires. If anything about that path changes, the
 * JavaScript version stays in use (slower, never wrong); the Kafka tests would not notice a
 * wrong checksum either way, since the broker rejects a corrupt batch.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export let nativeCrc32c = false;
try {
  const { crc32c } = require('@node-rs/crc32') as { crc32c: (input: Uint8Array, initial?: number) => number };
  const target = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js');
  if (!require.cache[target]) {
    const m = new (require('node:module') as { Module: new (id: string) => NodeJS.Module }).Module(target);
    m.filename = target;
    m.loaded = true;
    m.exports = (buffer: Uint8Array): number => crc32c(buffer);
    require.cache[target] = m;
    nativeCrc32c = true;
  }
} catch {
  // No native module for this platform: kafkajs's own checksum is used.
}
