import { Cursor, fail, type Parsed } from './cursor.js';
import { HRR_RANDOM } from './constants.js';
import { emptyExtensions, parseExtensions, type HelloExtensions } from './extensions.js';

export interface ClientHello {
  /** legacy_version (ClientHello.client_version). */
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  /** Offered suites in wire order, GREASE and SCSVs included. */
  cipherSuites: number[];
  compressionMethods: number[];
  /** Whether the hello had an extension block at all (JA3 distinguishes none from empty). */
  hasExtensions: boolean;
  ext: HelloExtensions;
  /** Sent in the SSL 2.0-compatible record-less format (RFC 5246 appendix E.2). */
  sslv2Format: boolean;
  /** SSLv2 cipher kinds (3-byte codes) offered in an SSLv2-format hello that have no TLS equivalent. */
  sslv2CipherKinds: number[];
}

export interface ServerHello {
  /** legacy_version, or the draft version for TLS 1.3 drafts that predate supported_versions. */
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  ext: HelloExtensions;
  /** ServerHello carrying the HelloRetryRequest random (RFC 8446 §4.1.3). */
  isHelloRetryRequest: boolean;
  /** The version actually negotiated: supported_versions if the server sent it, else `version`. */
  selectedVersion: number;
}

/**
 * Parse a ClientHello body (after the handshake header). DTLS adds a cookie after the
 * session id (RFC 6347 §4.2.1).
 */
export function parseClientHello(buf: Uint8Array, off: number, len: number, dtls = false): Parsed<ClientHello> {
  // Not owning: only the random and session id are kept as bytes (copied); copying the whole
  // hello (post-quantum key shares make it ~1.8 KB) would cost more.
  const c = new Cursor(buf, off, off + len);
  const version = c.u16();
  const random = c.bytes(32);
  const sessionId = c.vec(1);
  const sid = sessionId.bytes(sessionId.remaining);
  if (dtls) c.vec(1);
  const cipherSuites = c.u16List(2);
  const compressionMethods = c.u8List(1);
  if (!c.ok) return fail(`ClientHello truncated or malformed at byte ${c.pos} of ${len}`);
  if (sid.length > 32) return fail(`ClientHello session_id of ${sid.length} bytes (max 32)`);
  const ext = emptyExtensions();
  const hasExtensions = c.remaining >= 2;
  if (hasExtensions) extensionBlock(c, 'client', ext);
  return {
    ok: true,
    value: {
      version,
      random,
      sessionId: sid,
      cipherSuites,
      compressionMethods,
      hasExtensions,
      ext,
      sslv2Format: false,
      sslv2CipherKinds: [],
    },
  };
}

/**
 * TLS 1.3 drafts before -22 sent their draft number in ServerHello.version and had no
 * legacy_session_id or compression_method fields (draft-ietf-tls-tls13-21 §4.1.3).
 */
function isEarlyDraft(version: number): boolean {
  return (version & 0xff00) === 0x7f00 && (version & 0xff) < 22;
}

/** Parse a ServerHello body (after the 4-byte handshake header). */
export function parseServerHello(buf: Uint8Array, off: number, len: number): Parsed<ServerHello> {
  const c = new Cursor(buf, off, off + len); // not owning: see parseClientHello
  const version = c.u16();
  const random = c.bytes(32);
  let sid: Uint8Array = new Uint8Array(0);
  let cipherSuite: number;
  let compressionMethod = 0;
  if (isEarlyDraft(version)) {
    cipherSuite = c.u16();
  } else {
    const s = c.vec(1);
    sid = s.bytes(s.remaining);
    cipherSuite = c.u16();
    compressionMethod = c.u8();
  }
  if (!c.ok) return fail(`ServerHello truncated or malformed at byte ${c.pos} of ${len}`);
  const isHelloRetryRequest = equalBytes(random, HRR_RANDOM);
  const ext = emptyExtensions();
  if (c.remaining >= 2) extensionBlock(c, isHelloRetryRequest ? 'hrr' : 'server', ext);
  const selectedVersion = ext.supportedVersions.length > 0 ? ext.supportedVersions[0] : version;
  return {
    ok: true,
    value: { version, random, sessionId: sid, cipherSuite, compressionMethod, ext, isHelloRetryRequest, selectedVersion },
  };
}

/** Read the extension block; a block cut short is read as far as it goes and flagged (-1). */
function extensionBlock(c: Cursor, side: 'client' | 'server' | 'hrr', ext: HelloExtensions): void {
  const declared = c.u16();
  const avail = Math.min(declared, c.remaining);
  parseExtensions(c.sub(avail), side, ext);
  if (avail < declared) ext.malformed.push(-1);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
