import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { createReadStream, readSync } from 'node:fs';
import { CaptureDecoder } from '../../parsers/capture/index.js';
import type { CaptureError, PacketCallback } from '../../parsers/capture/types.js';

// 1 MiB: big enough that reads are few, small enough that a chunk is still in cache when decoded.
const CHUNK = 1 << 20;

export interface ReadResult {
  packets: number;
  bytes: number;
  errors: CaptureError[];
  /** The input could not be read at all (missing, unreadable, not a capture). */
  unreadable: boolean;
}

/** Why a file cannot be opened, in one line. */
function openError(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${path}: no such file`;
  if (code === 'EACCES') return `${path}: permission denied`;
  if (code === 'EISDIR') return `${path}: is a directory`;
  return `${path}: ${(err as Error).message}`;
}

/**
 * Read one capture (a path, or '-' for stdin) in large chunks and hand each packet to
 * `onPacket`. Memory stays bounded by the chunk size whatever the file size. Gzip input
 * (.pcap.gz, as many archives ship) is recognised by its magic and inflated on the fly.
 */
export async function readCapture(
  path: string,
  onPacket: PacketCallback,
  onProgress?: (bytes: number) => void,
  /** Called between chunks; a returned promise pauses reading (sink backpressure), `false` stops it. */
  afterChunk?: () => Promise<void> | void | false,
): Promise<ReadResult> {
  const decoder = new CaptureDecoder();
  const errors: CaptureError[] = [];
  let bytes = 0;
  const feed = (chunk: Uint8Array): void => {
    bytes += chunk.length;
    const errs = decoder.push(chunk, onPacket);
    for (const e of errs) errors.push(e);
    onProgress?.(bytes);
  };
  const finish = (): ReadResult => {
    for (const e of decoder.end()) errors.push(e);
    const unreadable = decoder.packets === 0 && errors.some((e) => e.kind === 'not_a_capture' || (e.fatal && e.offset < 64));
    return { packets: decoder.packets, bytes, errors, unreadable };
  };

  if (path === '-') {
    for await (const chunk of maybeGunzip(process.stdin)) {
      feed(chunk as Uint8Array);
      if ((await afterChunk?.()) === false) break;
    }
    return finish();
  }
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    return { packets: 0, bytes: 0, errors: [{ kind: 'not_a_capture', message: openError(path, err), offset: 0, fatal: true }], unreadable: true };
  }
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      await fh.close();
      fh = undefined;
      for await (const chunk of createReadStream(path).pipe(createGunzip())) {
        feed(chunk as Uint8Array);
        if ((await afterChunk?.()) === false) break;
      }
      return finish();
    }
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let n = 1; ; n++) {
      // Synchronous reads: a replay has nothing else to do meanwhile, and a thread-pool hop per chunk costs more.
      const bytesRead = readSync(fh.fd, buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      // The decoder keeps only an incomplete tail (copied), so the read buffer can be reused.
      feed(buf.subarray(0, bytesRead));
      if ((await afterChunk?.()) === false) break;
      // Let the event loop turn now and then (signals, timers, sink I/O) during a long synchronous read.
      if (n % 32 === 0) await new Promise<void>((r) => setImmediate(r));
    }
    return finish();
  } catch (err) {
    errors.push({ kind: 'truncated', message: `${path}: read failed: ${(err as Error).message}`, offset: bytes, fatal: true });
    return finish();
  } finally {
    await fh?.close();
  }
}

/** Stdin may be gzip too: peek at the first chunk. */
async function* maybeGunzip(input: Readable): AsyncGenerator<Uint8Array> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value as Buffer;
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value as Uint8Array;
    }
  };
  if (head[0] === 0x1f && head[1] === 0x8b) {
    yield* Readable.from(rest()).pipe(createGunzip());
  } else {
    yield* rest();
  }
}
