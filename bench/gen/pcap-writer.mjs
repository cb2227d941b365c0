// Classic pcap (microsecond timestamps, little-endian, link type 1 = Ethernet) written in
// chunks: frames are encoded straight into one reusable buffer that is flushed to disk when
// full, so memory stays flat whatever the size of the capture.
import { closeSync, openSync, writeSync } from 'node:fs';

export const LINKTYPE_ETHERNET = 1;

export class PcapWriter {
  constructor(path, { snaplen = 262144, linkType = LINKTYPE_ETHERNET, chunkSize = 8 << 20 } = {}) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(chunkSize);
    this.n = 0;
    this.packets = 0;
    this.frameBytes = 0;
    this.fileBytes = 24;
    const h = this.buf;
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8);
    h.writeUInt32LE(0, 12);
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(linkType, 20);
    this.n = 24;
  }

  /** Reserves a record for a `len`-byte frame stamped `tsUs` (µs since the epoch); returns the frame's offset in this.buf. */
  begin(tsUs, len) {
    if (this.n + 16 + len > this.buf.length) {
      this.flush();
      if (16 + len > this.buf.length) this.buf = Buffer.allocUnsafe(16 + len);
    }
    const b = this.buf;
    const at = this.n;
    const sec = Math.floor(tsUs / 1e6);
    b.writeUInt32LE(sec, at);
    b.writeUInt32LE(tsUs - sec * 1e6, at + 4);
    b.writeUInt32LE(len, at + 8);
    b.writeUInt32LE(len, at + 12);
    this.n = at + 16 + len;
    this.packets++;
    this.frameBytes += len;
    this.fileBytes += 16 + len;
    return at + 16;
  }

  flush() {
    let off = 0;
    while (off < this.n) off += writeSync(this.fd, this.buf, off, this.n - off);
    this.n = 0;
  }

  close() {
    this.flush();
    closeSync(this.fd);
  }
}
