// TLS records and handshake messages as real stacks put them on the wire: ClientHellos of
// Chrome, Firefox, curl/OpenSSL and a TLS 1.2-only legacy client (GREASE, extension order,
// padding, key shares), TLS 1.2 and 1.3 server flights, HelloRetryRequest, session-ID and PSK
// resumption, alerts. Whatever a passive sensor cannot read (ciphertext, keys, signatures,
// randoms) is random bytes from a BytePool, sized as a real stack sizes it.

export const CT = { CCS: 20, ALERT: 21, HANDSHAKE: 22, APPDATA: 23 };
export const HS = { CLIENT_HELLO: 1, SERVER_HELLO: 2, NEW_SESSION_TICKET: 4, ENCRYPTED_EXTENSIONS: 8, CERTIFICATE: 11,
  SERVER_KEY_EXCHANGE: 12, SERVER_HELLO_DONE: 14, CERTIFICATE_VERIFY: 15, CLIENT_KEY_EXCHANGE: 16, FINISHED: 20 };
export const GROUP = { SECP256R1: 0x0017, SECP384R1: 0x0018, SECP521R1: 0x0019, X25519: 0x001d, X448: 0x001e, X25519MLKEM768: 0x11ec };
/** Client key share sizes; the server's X25519MLKEM768 share (an ML-KEM ciphertext) is 1120. */
const SHARE_LEN = { 0x0017: 65, 0x0018: 97, 0x0019: 133, 0x001d: 32, 0x001e: 56, 0x11ec: 1216 };
const SERVER_SHARE_LEN = { ...SHARE_LEN, 0x11ec: 1120 };
const GREASE = [0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa];
/** The special ServerHello.random that makes a ServerHello a HelloRetryRequest (RFC 8446 4.1.3). */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
const AEAD_TAG = 16;

/** Growable big-endian byte builder with length-prefixed blocks. */
export class W {
  constructor(cap = 2048) {
    this.b = Buffer.allocUnsafe(cap);
    this.n = 0;
  }
  room(k) {
    if (this.n + k <= this.b.length) return;
    const nb = Buffer.allocUnsafe(Math.max(this.b.length * 2, this.n + k));
    this.b.copy(nb, 0, 0, this.n);
    this.b = nb;
  }
  u8(v) { this.room(1); this.b[this.n++] = v & 0xff; return this; }
  u16(v) { this.room(2); this.b[this.n++] = (v >>> 8) & 0xff; this.b[this.n++] = v & 0xff; return this; }
  u24(v) { this.room(3); this.b[this.n++] = (v >>> 16) & 0xff; this.b[this.n++] = (v >>> 8) & 0xff; this.b[this.n++] = v & 0xff; return this; }
  u32(v) { this.u16(v >>> 16); return this.u16(v & 0xffff); }
  bytes(buf) { this.room(buf.length); this.b.set(buf, this.n); this.n += buf.length; return this; }
  str(s) { return this.bytes(Buffer.from(s, 'latin1')); }
  /** Writes fn's output behind a `size`-byte length prefix. */
  block(size, fn) {
    this.room(size);
    const at = this.n;
    this.n += size;
    fn(this);
    const len = this.n - at - size;
    for (let i = size - 1, v = len; i >= 0; i--, v = Math.floor(v / 256)) this.b[at + i] = v & 0xff;
    return this;
  }
  u16list(vals, prefix = 2) { return this.block(prefix, (w) => { for (const v of vals) w.u16(v); }); }
  get length() { return this.n; }
  done() { return Buffer.from(this.b.subarray(0, this.n)); }
}

/** Handshake message: type, 24-bit length, body. */
export function handshake(type, body) {
  return new W(body.length + 4).u8(type).u24(body.length).bytes(body).done();
}

/** One or more records of one content type (split at 2^14 bytes, as every stack does). */
export function records(type, payload, version = 0x0303) {
  const w = new W(payload.length + 5 * (Math.ceil(payload.length / 16384) || 1));
  let off = 0;
  do {
    const frag = payload.subarray(off, Math.min(payload.length, off + 16384));
    w.u8(type).u16(version).u16(frag.length).bytes(frag);
    off += 16384;
  } while (off < payload.length);
  return w.done();
}

export const changeCipherSpec = () => Buffer.from([CT.CCS, 0x03, 0x03, 0x00, 0x01, 0x01]);
export const alert = (level, description, version = 0x0303) => Buffer.from([CT.ALERT, version >> 8, version & 0xff, 0, 2, level, description]);

/** An encrypted record: real header, `len` bytes of ciphertext. */
export function encryptedRecord(pool, type, len, version = 0x0303) {
  const out = Buffer.allocUnsafe(5 + len);
  out[0] = type; out[1] = version >> 8; out[2] = version & 0xff; out[3] = len >> 8; out[4] = len & 0xff;
  out.set(pool.bytes(len), 5);
  return out;
}

/** Ciphertext length of `plain` bytes under a suite: TLS 1.3 (inner type + tag), TLS 1.2 AES-GCM (nonce + tag), ChaCha20. */
export function sealedLength(suite, plain) {
  if (suite >> 8 === 0x13) return plain + 1 + AEAD_TAG;
  if (suite === 0xcca8 || suite === 0xcca9) return plain + AEAD_TAG;
  return plain + 8 + AEAD_TAG;
}

// ---------------------------------------------------------------------------------------------
// ClientHello profiles

const SIGALGS_CHROME = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
const SIGALGS_FIREFOX = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201];
const SIGALGS_OPENSSL = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x081a, 0x081b, 0x081c, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
  0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602];
const SIGALGS_LEGACY = [0x0603, 0x0601, 0x0503, 0x0501, 0x0403, 0x0401, 0x0303, 0x0301, 0x0203, 0x0201];

/**
 * Client stacks. `mlkem`: sends an X25519MLKEM768 key share (a ClientHello of ~1.8 KB, two
 * segments); `ech`: a GREASE encrypted_client_hello; `pad`: BoringSSL/NSS padding to 512 bytes.
 */
export const PROFILES = {
  chrome: { grease: true, shuffle: true, mlkem: true, ech: true, pad: true, tls13: true,
    suites: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
    groups: [0x11ec, 0x001d, 0x0017, 0x0018], shares: [0x11ec, 0x001d], sigalgs: SIGALGS_CHROME },
  'chrome-nokem': { grease: true, shuffle: true, mlkem: false, ech: false, pad: true, tls13: true,
    suites: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
    groups: [0x001d, 0x0017, 0x0018], shares: [0x001d], sigalgs: SIGALGS_CHROME },
  firefox: { grease: false, pad: true, tls13: true,
    suites: [0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
    groups: [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101], shares: [0x001d, 0x0017], sigalgs: SIGALGS_FIREFOX },
  curl: { grease: false, pad: false, tls13: true,
    suites: [0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b,
      0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff],
    groups: [0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104], shares: [0x001d], sigalgs: SIGALGS_OPENSSL },
  legacy: { grease: false, pad: false, tls13: false,
    suites: [0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e, 0xc024, 0xc023, 0xc028, 0xc027, 0xc00a, 0xc009, 0xc014, 0xc013, 0x009d,
      0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff],
    groups: [0x0017, 0x0018, 0x0019], shares: [], sigalgs: SIGALGS_LEGACY },
};

function ext(w, type, fn) {
  w.u16(type).block(2, fn ?? (() => {}));
}

function alpnList(w, protos) {
  w.block(2, (l) => { for (const p of protos) l.block(1, (x) => x.str(p)); });
}

/**
 * A ClientHello handshake message (no record header).
 * o: { rng, pool, profile, sni?, alpn?, sessionId, random?, shares? (override key-share groups),
 *      psk? ({ identityLen }), cookie? (Buffer, echoed after an HRR), greaseValues? (kept across an HRR) }
 */
export function clientHello(o) {
  const { rng, pool } = o;
  const p = PROFILES[o.profile];
  const g = o.greaseValues ?? { suite: rng.pick(GREASE), ext1: rng.pick(GREASE), ext2: rng.pick(GREASE), group: rng.pick(GREASE), version: rng.pick(GREASE) };
  if (g.ext2 === g.ext1) g.ext2 = g.ext1 ^ 0x1010;
  const shares = o.shares ?? p.shares;
  const exts = [];
  const add = (type, fn) => exts.push([type, fn]);
  if (o.sni) add(0, (w) => w.block(2, (l) => l.u8(0).block(2, (x) => x.str(o.sni))));
  add(23);
  if (o.profile !== 'curl' && o.profile !== 'legacy') add(0xff01, (w) => w.u8(0));
  add(10, (w) => w.u16list(p.grease ? [g.group, ...p.groups] : p.groups));
  add(11, (w) => (o.profile === 'curl' ? w.u8(3).u8(0).u8(1).u8(2) : w.u8(1).u8(0)));
  if (o.profile !== 'legacy') add(35);
  if (o.alpn) add(16, (w) => alpnList(w, o.alpn));
  if (o.profile !== 'curl') add(5, (w) => w.u8(1).u16(0).u16(0));
  if (o.profile === 'firefox') add(34, (w) => w.u16list([0x0403, 0x0503, 0x0603, 0x0203]));
  if (o.profile === 'curl') add(22);
  add(13, (w) => w.u16list(p.sigalgs));
  if (p.grease) add(18);
  if (p.tls13) {
    add(51, (w) => w.block(2, (l) => {
      if (p.grease) l.u16(g.group).u16(1).u8(0);
      for (const grp of shares) l.u16(grp).block(2, (x) => x.bytes(pool.bytes(SHARE_LEN[grp])));
    }));
    add(45, (w) => w.u8(1).u8(1));
    add(43, (w) => w.block(1, (l) => { if (p.grease) l.u16(g.version); l.u16(0x0304).u16(0x0303); }));
    if (o.cookie) add(44, (w) => w.block(2, (l) => l.bytes(o.cookie)));
  }
  if (p.grease) {
    add(27, (w) => w.block(1, (l) => l.u16(2)));
    if (o.alpn?.includes('h2')) add(17513, (w) => alpnList(w, ['h2']));
    if (p.ech) add(0xfe0d, (w) => w.u8(0).u16(1).u16(1).u8(rng.int(256)).block(2, (l) => l.bytes(pool.bytes(32)))
      .block(2, (l) => l.bytes(pool.bytes(rng.pick([144, 176, 208, 240])))));
  }
  if (o.profile === 'firefox') add(28, (w) => w.u16(0x4001));
  if (p.shuffle) rng.shuffle(exts); // Chrome permutes its extensions (not GREASE, padding or PSK)

  const body = new W(2048);
  body.u16(0x0303).bytes(o.random ?? pool.bytes(32));
  body.block(1, (w) => w.bytes(o.sessionId ?? Buffer.alloc(0)));
  body.u16list(p.grease ? [g.suite, ...p.suites] : p.suites);
  body.u8(1).u8(0);
  body.block(2, (w) => {
    if (p.grease) ext(w, g.ext1);
    for (const [type, fn] of exts) ext(w, type, fn);
    if (p.grease) ext(w, g.ext2, (x) => x.u8(0));
    // BoringSSL/NSS padding: a hello of 256-511 bytes (with its 4-byte header) is padded to 512.
    const helloLen = 4 + w.length + (o.psk ? 4 + 2 + 2 + o.psk.identityLen + 4 + 2 + 33 : 0);
    if (p.pad && helloLen > 0xff && helloLen < 0x200) {
      let padLen = 0x200 - helloLen;
      padLen = padLen >= 5 ? padLen - 4 : 1;
      ext(w, 21, (x) => x.bytes(Buffer.alloc(padLen)));
    }
    if (o.psk) ext(w, 41, (x) => {
      x.block(2, (ids) => ids.block(2, (id) => id.bytes(pool.bytes(o.psk.identityLen))).u32(rng.u32()));
      x.block(2, (binders) => binders.block(1, (b) => b.bytes(pool.bytes(32))));
    });
  });
  return { message: handshake(HS.CLIENT_HELLO, body.done()), greaseValues: g };
}

/** ClientHello record(s): legacy record version 0x0301 as browsers send it. */
export const clientHelloRecord = (message) => records(CT.HANDSHAKE, message, 0x0301);

// ---------------------------------------------------------------------------------------------
// Server side

/** TLS 1.2 ServerHello. o: { pool, sessionId, suite, alpn?, ems, ticket, renegotiation } */
export function serverHello12(o) {
  const body = new W(160);
  body.u16(0x0303).bytes(o.pool.bytes(32)).block(1, (w) => w.bytes(o.sessionId)).u16(o.suite).u8(0);
  body.block(2, (w) => {
    ext(w, 0xff01, (x) => x.u8(0));
    if (o.ems) ext(w, 23);
    ext(w, 11, (x) => x.u8(1).u8(0));
    if (o.ticket) ext(w, 35);
    if (o.alpn) ext(w, 16, (x) => alpnList(x, [o.alpn]));
  });
  return handshake(HS.SERVER_HELLO, body.done());
}

/** TLS 1.3 ServerHello (or, with hrr, a HelloRetryRequest). o: { pool, sessionId, suite, group, psk?, hrr?, cookie? } */
export function serverHello13(o) {
  const body = new W(1300);
  body.u16(0x0303).bytes(o.hrr ? HRR_RANDOM : o.pool.bytes(32)).block(1, (w) => w.bytes(o.sessionId)).u16(o.suite).u8(0);
  body.block(2, (w) => {
    ext(w, 43, (x) => x.u16(0x0304));
    if (o.hrr) ext(w, 51, (x) => x.u16(o.group));
    else ext(w, 51, (x) => x.u16(o.group).block(2, (k) => k.bytes(o.pool.bytes(SERVER_SHARE_LEN[o.group]))));
    if (o.cookie) ext(w, 44, (x) => x.block(2, (c) => c.bytes(o.cookie)));
    if (o.psk) ext(w, 41, (x) => x.u16(0));
  });
  return handshake(HS.SERVER_HELLO, body.done());
}

/** TLS 1.2 Certificate: the chain as DER, leaf first. */
export function certificate12(ders) {
  const body = new W(4096);
  body.block(3, (w) => { for (const d of ders) w.block(3, (c) => c.bytes(d)); });
  return handshake(HS.CERTIFICATE, body.done());
}

/** ServerKeyExchange for ECDHE on secp256r1, signed with the leaf's key (random signature bytes of the real size). */
export function serverKeyExchangeEcdhe(o) {
  const body = new W(400);
  body.u8(3).u16(GROUP.SECP256R1).block(1, (w) => w.u8(4).bytes(o.pool.bytes(64)));
  body.u16(o.sigScheme).block(2, (w) => w.bytes(o.keyType === 'rsa' ? o.pool.bytes(256) : ecdsaSignature(o.pool, o.rng)));
  return handshake(HS.SERVER_KEY_EXCHANGE, body.done());
}

/** A DER ECDSA-Sig-Value with P-256-sized r and s (70-72 bytes, as in the wild). */
function ecdsaSignature(pool, rng) {
  const int = (w) => {
    const v = Buffer.from(pool.bytes(32));
    if (rng.chance(0.5)) v[0] |= 0x80; else v[0] &= 0x7f;
    if (v[0] === 0) v[0] = 1;
    w.u8(2).block(1, (x) => { if (v[0] & 0x80) x.u8(0); x.bytes(v); });
  };
  return new W(80).u8(0x30).block(1, (w) => { int(w); int(w); }).done();
}

export const serverHelloDone = () => handshake(HS.SERVER_HELLO_DONE, Buffer.alloc(0));
export const clientKeyExchangeEcdhe = (pool) => handshake(HS.CLIENT_KEY_EXCHANGE, new W(70).block(1, (w) => w.u8(4).bytes(pool.bytes(64))).done());

/** TLS 1.2 NewSessionTicket (plaintext in 1.2). */
export function newSessionTicket12(pool, ticketLen) {
  return handshake(HS.NEW_SESSION_TICKET, new W(ticketLen + 8).u32(7200).block(2, (w) => w.bytes(pool.bytes(ticketLen))).done());
}

/**
 * The TLS 1.3 server's encrypted flight (EncryptedExtensions, Certificate, CertificateVerify,
 * Finished; no certificate messages when resuming with a PSK), as application_data records of the
 * real sizes: one record per message (OpenSSL) or all in one (BoringSSL, Go).
 */
export function serverEncryptedFlight13(o) {
  const hashLen = o.suite === 0x1302 ? 48 : 32;
  const sizes = [4 + 2 + (o.alpn ? 4 + 2 + 1 + o.alpn.length : 0)];
  if (!o.psk) {
    sizes.push(4 + 1 + 3 + o.chainDers.reduce((n, d) => n + 3 + d.length + 2, 0));
    sizes.push(4 + 2 + 2 + (o.keyType === 'rsa' ? 256 : 71));
  }
  sizes.push(4 + hashLen);
  const parts = o.coalesce ? [sizes.reduce((a, b) => a + b, 0)] : sizes;
  return Buffer.concat(parts.map((n) => encryptedRecord(o.pool, CT.APPDATA, sealedLength(o.suite, n))));
}

/** Client's TLS 1.3 Finished (encrypted). */
export const clientFinished13 = (pool, suite) => encryptedRecord(pool, CT.APPDATA, sealedLength(suite, 4 + (suite === 0x1302 ? 48 : 32)));
/** TLS 1.2 Finished under the new keys: a handshake record of 12 bytes of verify_data, sealed. */
export const finished12 = (pool, suite) => encryptedRecord(pool, CT.HANDSHAKE, sealedLength(suite, 16));
/** An encrypted close_notify. */
export const closeNotify = (pool, suite) => encryptedRecord(pool, suite >> 8 === 0x13 ? CT.APPDATA : CT.ALERT, sealedLength(suite, 2));
/** Application data: `plain` bytes of plaintext in records of at most 16 KiB (one buffer, one copy per record). */
export function appData(pool, suite, plain) {
  let total = 0;
  for (let left = plain; left > 0; left -= 16384) total += 5 + sealedLength(suite, Math.min(16384, left));
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let left = plain; left > 0; left -= 16384) {
    const len = sealedLength(suite, Math.min(16384, left));
    out[at] = CT.APPDATA; out[at + 1] = 3; out[at + 2] = 3; out[at + 3] = len >> 8; out[at + 4] = len & 0xff;
    out.set(pool.bytes(len), at + 5);
    at += 5 + len;
  }
  return out;
}
