const MAX_LINE = 256 * 1024;
const AUTH_GSSAPI = 'AUTH GSSAPI';

/**
 * FTP with GSSAPI security (RFC 2228), as Globus GridFTP uses it: the TLS handshake travels
 * base64-encoded in `ADAT` commands and `335`/`235 ADAT=` replies. This unwraps those lines
 * into the byte streams a TLS connection reads. Lines are gathered up to a bound.
 */
export class FtpGsiUnwrapper {
  private readonly lines: [string, string] = ['', ''];

  /** Whether a flow's first client bytes ask for GSSAPI security. */
  static detect(buf: Uint8Array, off: number, len: number): boolean {
    if (len < AUTH_GSSAPI.length) return false;
    for (let i = 0; i < AUTH_GSSAPI.length; i++) {
      if ((buf[off + i] & 0xdf) !== (AUTH_GSSAPI.charCodeAt(i) & 0xdf)) return false;
    }
    return true;
  }

  /** Bytes of direction `dir`; calls `onTls` with each decoded ADAT payload. */
  push(dir: 0 | 1, buf: Uint8Array, off: number, len: number, onTls: (dir: 0 | 1, data: Uint8Array) => void): void {
    let text = this.lines[dir] + Buffer.from(buf.buffer, buf.byteOffset + off, len).toString('latin1');
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, nl).replace(/\r$/, '');
      text = text.slice(nl + 1);
      const m = /^(?:ADAT |[23]35 ADAT=)([A-Za-z0-9+/=]+)\s*$/i.exec(line);
      if (m) onTls(dir, Buffer.from(m[1], 'base64'));
    }
    this.lines[dir] = text.length > MAX_LINE ? '' : text;
  }
}
