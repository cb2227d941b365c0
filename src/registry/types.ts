/**
 * Types of the generated registry tables. The value sets are exactly what
 * scripts/generate-tables.mjs emits; the type checker holds the two together.
 */

/**
 * How the premaster secret is agreed. `ANY` is TLS 1.3 (negotiated by key_share /
 * psk_key_exchange_modes, not by the suite); `ECC` and `IBSDH`/`IBC` are GM/T 0024 (SM2
 * key encipherment, identity-based); `CECPQ1` is Google's 2016 post-quantum experiment.
 */
export type KeyExchange =
  | 'NULL'
  | 'RSA'
  | 'DH'
  | 'DHE'
  | 'ECDH'
  | 'ECDHE'
  | 'PSK'
  | 'DHE_PSK'
  | 'ECDHE_PSK'
  | 'RSA_PSK'
  | 'KRB5'
  | 'SRP'
  | 'ECCPWD'
  | 'ECJPAKE'
  | 'GOST'
  | 'FORTEZZA'
  | 'ECC'
  | 'IBSDH'
  | 'IBC'
  | 'CECPQ1'
  | 'ANY';

/** How the server is authenticated; `anon` means not at all, `ANY` is TLS 1.3. */
export type Authentication =
  | 'NULL'
  | 'RSA'
  | 'DSS'
  | 'ECDSA'
  | 'anon'
  | 'PSK'
  | 'KRB5'
  | 'SRP'
  | 'ECCPWD'
  | 'ECJPAKE'
  | 'GOST'
  | 'FORTEZZA'
  | 'SM2'
  | 'IBC'
  | 'ANY';

/** The bulk cipher algorithm. */
export type BulkCipher =
  | 'NULL'
  | 'RC4'
  | 'RC2'
  | 'DES'
  | '3DES'
  | 'IDEA'
  | 'SEED'
  | 'AES'
  | 'CAMELLIA'
  | 'ARIA'
  | 'CHACHA20'
  | 'GOST28147'
  | 'KUZNYECHIK'
  | 'MAGMA'
  | 'SALSA20'
  | 'FORTEZZA'
  | 'SM1'
  | 'SM4'
  | 'AEGIS';

/** Mode of the bulk cipher; GCM, CCM, CCM_8, POLY1305, MGM and AEGIS are AEAD. */
export type CipherMode =
  | 'NONE'
  | 'STREAM'
  | 'CBC'
  | 'GCM'
  | 'CCM'
  | 'CCM_8'
  | 'POLY1305'
  | 'CNT'
  | 'CTR'
  | 'MGM'
  | 'AEGIS'
  | 'UNSPECIFIED';

/** Record MAC: `AEAD` when the cipher authenticates; `SHA` is HMAC-SHA1. */
export type MacAlgorithm =
  | 'NULL'
  | 'AEAD'
  | 'MD5'
  | 'SHA'
  | 'SHA256'
  | 'SHA384'
  | 'SHA512'
  | 'SM3'
  | 'GOSTR3411'
  | 'IMIT'
  | 'OMAC';

/** What a cipher suite's IANA name says about it (for findings: weak, export, anonymous...). */
export interface CipherSuiteProperties {
  readonly keyExchange: KeyExchange;
  readonly authentication: Authentication;
  /** The encryption part of the name as written, e.g. `AES_128_GCM`, `3DES_EDE_CBC`, `RC4_40`, `NULL`. */
  readonly encryption: string;
  readonly cipher: BulkCipher;
  /** Nominal key size in bits (40 for export ciphers, 168 for 3DES, 0 for NULL). */
  readonly keyBits: number;
  readonly mode: CipherMode;
  readonly aead: boolean;
  readonly mac: MacAlgorithm;
  /** An EXPORT / EXPORT1024 suite (deliberately weakened keys). */
  readonly export: boolean;
  /** Ephemeral (EC)DH key exchange; TLS 1.3 suites count (a psk_ke-only resumption has none). */
  readonly forwardSecrecy: boolean;
  /** A TLS 1.3 suite (TLS_<cipher>_<hash>: RFC 8446, RFC 8998, RFC 9150, AEGIS). */
  readonly tls13: boolean;
  /** A signalling value (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV), not a real suite. */
  readonly scsv: boolean;
}
