/** Record content types (RFC 8446 §5.1; 24 = heartbeat, RFC 6520). */
export const ContentType = {
  ChangeCipherSpec: 20,
  Alert: 21,
  Handshake: 22,
  ApplicationData: 23,
  Heartbeat: 24,
} as const;

/** Handshake message types (RFC 8446 §4, RFC 5246 §7.4, RFC 6066). */
export const HandshakeType = {
  HelloRequest: 0,
  ClientHello: 1,
  ServerHello: 2,
  HelloVerifyRequest: 3,
  NewSessionTicket: 4,
  EndOfEarlyData: 5,
  EncryptedExtensions: 8,
  Certificate: 11,
  ServerKeyExchange: 12,
  CertificateRequest: 13,
  ServerHelloDone: 14,
  CertificateVerify: 15,
  ClientKeyExchange: 16,
  Finished: 20,
  CertificateUrl: 21,
  CertificateStatus: 22,
  SupplementalData: 23,
  KeyUpdate: 24,
  CompressedCertificate: 25,
  MessageHash: 254,
} as const;

/** Extension code points we interpret (IANA TLS ExtensionType Values). */
export const Ext = {
  ServerName: 0,
  StatusRequest: 5,
  SupportedGroups: 10,
  EcPointFormats: 11,
  SignatureAlgorithms: 13,
  Heartbeat: 15,
  Alpn: 16,
  SignedCertificateTimestamp: 18,
  Padding: 21,
  EncryptThenMac: 22,
  ExtendedMasterSecret: 23,
  CompressCertificate: 27,
  RecordSizeLimit: 28,
  SessionTicket: 35,
  /** key_share before TLS 1.3 draft-23 moved it to 51 (draft-ietf-tls-tls13-23 §4.2). */
  KeyShareDraft: 40,
  PreSharedKey: 41,
  EarlyData: 42,
  SupportedVersions: 43,
  Cookie: 44,
  PskKeyExchangeModes: 45,
  SignatureAlgorithmsCert: 50,
  KeyShare: 51,
  EncryptedClientHello: 0xfe0d,
  RenegotiationInfo: 0xff01,
} as const;

/** ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3). */
export const HRR_RANDOM = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746): signals secure renegotiation like the extension. */
export const SCSV_RENEGOTIATION = 0x00ff;

/** GREASE values (RFC 8701): 0x0A0A, 0x1A1A, ... 0xFAFA. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/**
 * TLS 1.3, DTLS 1.3, and the pre-standard versions that behave like TLS 1.3 on the wire:
 * IETF drafts (0x7fNN), Google's 2017 experiments (0x7eNN), Facebook's drafts (0xfbNN).
 */
export function isTls13Family(v: number): boolean {
  const hi = v >> 8;
  return v === 0x0304 || v === 0xfefc || ((hi === 0x7f || hi === 0x7e || hi === 0xfb) && (v & 0xff) !== 0);
}

/** DTLS versions are the ones' complement of their TLS counterparts: 0xfeff 1.0, 0xfefd 1.2, 0xfefc 1.3. */
export function isDtlsVersion(v: number): boolean {
  return (v & 0xff00) === 0xfe00;
}
