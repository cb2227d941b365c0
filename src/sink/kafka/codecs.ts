import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';

const require = createRequire(import.meta.url);
let registered = false;

/**
 * kafkajs ships gzip only; snappy and LZ4 come from their codec packages (both measured to
 * work on Node 20 here; the zstd codec package does not build, so zstd is not offered).
 */
export function registerCodecs(): void {
  if (registered) return;
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy');
  const LZ4 = require('kafkajs-lz4');
  const Codec = LZ4.default ?? LZ4;
  CompressionCodecs[CompressionTypes.LZ4] = new Codec().codec;
  registered = true;
}
