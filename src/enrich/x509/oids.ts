/**
 * Object identifiers → the names tlsscope reports. The naming rules (see README.md here):
 *
 * - public key algorithm: lower-case, Node's `KeyObject.asymmetricKeyType` spelling
 *   (`rsa`, `rsa-pss`, `dsa`, `ec`, `ed25519`, `ed448`, `x25519`, `x448`, `dh`) and the FIPS
 *   names in lower case for post-quantum keys (`ml-dsa-44`, `slh-dsa-sha2-128s`, `ml-kem-768`);
 *   anything else: the dotted OID.
 * - curve: the IANA TLS Supported Groups name where one exists (`secp256r1`, not OpenSSL's
 *   `prime256v1`; `brainpoolP256r1`, `curveSM2`), else the SEC 2 name, else the dotted OID.
 * - signature algorithm: OpenSSL's long name, as Zeek's x509.log and `openssl x509 -text`
 *   print it (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `rsassaPss`, `ED25519`,
 *   `ML-DSA-44`); the digest separately, normalised (`md5`, `sha1`, `sha256`, `sha3-256` …).
 */

export interface SignatureAlgorithmInfo {
  /** OpenSSL long name. */
  name: string;
  /** Digest, normalised; undefined where the scheme has none of its own (EdDSA, ML-DSA, SLH-DSA) or it sits in parameters (PSS). */
  hash?: string;
  /** Key type that makes such signatures. */
  key: string;
}

const RSA = '1.2.840.113549.1.1.';
const NIST_SIG = '2.16.840.1.101.3.4.3.';

export const SIGNATURE_ALGORITHMS: ReadonlyMap<string, SignatureAlgorithmInfo> = new Map([
  [RSA + '2', { name: 'md2WithRSAEncryption', hash: 'md2', key: 'rsa' }],
  [RSA + '3', { name: 'md4WithRSAEncryption', hash: 'md4', key: 'rsa' }],
  [RSA + '4', { name: 'md5WithRSAEncryption', hash: 'md5', key: 'rsa' }],
  [RSA + '5', { name: 'sha1WithRSAEncryption', hash: 'sha1', key: 'rsa' }],
  [RSA + '10', { name: 'rsassaPss', key: 'rsa' }],
  [RSA + '11', { name: 'sha256WithRSAEncryption', hash: 'sha256', key: 'rsa' }],
  [RSA + '12', { name: 'sha384WithRSAEncryption', hash: 'sha384', key: 'rsa' }],
  [RSA + '13', { name: 'sha512WithRSAEncryption', hash: 'sha512', key: 'rsa' }],
  [RSA + '14', { name: 'sha224WithRSAEncryption', hash: 'sha224', key: 'rsa' }],
  [RSA + '15', { name: 'sha512-224WithRSAEncryption', hash: 'sha512-224', key: 'rsa' }],
  [RSA + '16', { name: 'sha512-256WithRSAEncryption', hash: 'sha512-256', key: 'rsa' }],
  ['1.3.14.3.2.3', { name: 'md5WithRSA', hash: 'md5', key: 'rsa' }],
  ['1.3.14.3.2.29', { name: 'sha1WithRSA', hash: 'sha1', key: 'rsa' }],
  ['1.3.36.3.3.1.2', { name: 'ripemd160WithRSA', hash: 'ripemd160', key: 'rsa' }],
  ['1.2.840.10045.4.1', { name: 'ecdsa-with-SHA1', hash: 'sha1', key: 'ec' }],
  ['1.2.840.10045.4.3.1', { name: 'ecdsa-with-SHA224', hash: 'sha224', key: 'ec' }],
  ['1.2.840.10045.4.3.2', { name: 'ecdsa-with-SHA256', hash: 'sha256', key: 'ec' }],
  ['1.2.840.10045.4.3.3', { name: 'ecdsa-with-SHA384', hash: 'sha384', key: 'ec' }],
  ['1.2.840.10045.4.3.4', { name: 'ecdsa-with-SHA512', hash: 'sha512', key: 'ec' }],
  ['1.2.840.10040.4.3', { name: 'dsaWithSHA1', hash: 'sha1', key: 'dsa' }],
  ['1.3.14.3.2.27', { name: 'dsaWithSHA1-old', hash: 'sha1', key: 'dsa' }],
  [NIST_SIG + '1', { name: 'dsa_with_SHA224', hash: 'sha224', key: 'dsa' }],
  [NIST_SIG + '2', { name: 'dsa_with_SHA256', hash: 'sha256', key: 'dsa' }],
  [NIST_SIG + '3', { name: 'dsa_with_SHA384', hash: 'sha384', key: 'dsa' }],
  [NIST_SIG + '4', { name: 'dsa_with_SHA512', hash: 'sha512', key: 'dsa' }],
  [NIST_SIG + '9', { name: 'ecdsa_with_SHA3-224', hash: 'sha3-224', key: 'ec' }],
  [NIST_SIG + '10', { name: 'ecdsa_with_SHA3-256', hash: 'sha3-256', key: 'ec' }],
  [NIST_SIG + '11', { name: 'ecdsa_with_SHA3-384', hash: 'sha3-384', key: 'ec' }],
  [NIST_SIG + '12', { name: 'ecdsa_with_SHA3-512', hash: 'sha3-512', key: 'ec' }],
  [NIST_SIG + '13', { name: 'RSA-SHA3-224', hash: 'sha3-224', key: 'rsa' }],
  [NIST_SIG + '14', { name: 'RSA-SHA3-256', hash: 'sha3-256', key: 'rsa' }],
  [NIST_SIG + '15', { name: 'RSA-SHA3-384', hash: 'sha3-384', key: 'rsa' }],
  [NIST_SIG + '16', { name: 'RSA-SHA3-512', hash: 'sha3-512', key: 'rsa' }],
  [NIST_SIG + '17', { name: 'ML-DSA-44', key: 'ml-dsa-44' }],
  [NIST_SIG + '18', { name: 'ML-DSA-65', key: 'ml-dsa-65' }],
  [NIST_SIG + '19', { name: 'ML-DSA-87', key: 'ml-dsa-87' }],
  ...(
    [
      'SHA2-128s', 'SHA2-128f', 'SHA2-192s', 'SHA2-192f', 'SHA2-256s', 'SHA2-256f',
      'SHAKE-128s', 'SHAKE-128f', 'SHAKE-192s', 'SHAKE-192f', 'SHAKE-256s', 'SHAKE-256f',
    ] as const
  ).map((v, i): [string, SignatureAlgorithmInfo] => [NIST_SIG + (20 + i), { name: `SLH-DSA-${v}`, key: `slh-dsa-${v.toLowerCase()}` }]),
  ['1.3.101.112', { name: 'ED25519', key: 'ed25519' }],
  ['1.3.101.113', { name: 'ED448', key: 'ed448' }],
  ['1.2.156.10197.1.501', { name: 'SM2-with-SM3', hash: 'sm3', key: 'ec' }],
  ['1.2.643.2.2.3', { name: 'GOST R 34.11-94 with GOST R 34.10-2001', hash: 'gostr3411-94', key: 'gost2001' }],
  ['1.2.643.7.1.1.3.2', { name: 'GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)', hash: 'streebog256', key: 'gost2012-256' }],
  ['1.2.643.7.1.1.3.3', { name: 'GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)', hash: 'streebog512', key: 'gost2012-512' }],
]);

/** Digest algorithm OIDs (PSS parameters, MGF1) → normalised names. */
export const HASH_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.2.2', 'md2'],
  ['1.2.840.113549.2.4', 'md4'],
  ['1.2.840.113549.2.5', 'md5'],
  ['1.3.14.3.2.26', 'sha1'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
  ['2.16.840.1.101.3.4.2.4', 'sha224'],
  ['2.16.840.1.101.3.4.2.5', 'sha512-224'],
  ['2.16.840.1.101.3.4.2.6', 'sha512-256'],
  ['2.16.840.1.101.3.4.2.7', 'sha3-224'],
  ['2.16.840.1.101.3.4.2.8', 'sha3-256'],
  ['2.16.840.1.101.3.4.2.9', 'sha3-384'],
  ['2.16.840.1.101.3.4.2.10', 'sha3-512'],
  ['2.16.840.1.101.3.4.2.11', 'shake128'],
  ['2.16.840.1.101.3.4.2.12', 'shake256'],
]);

export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const OID_MGF1 = '1.2.840.113549.1.1.8';
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_DSA = '1.2.840.10040.4.1';
export const OID_DH_X942 = '1.2.840.10046.2.1';
export const OID_DH_PKCS3 = '1.2.840.113549.1.3.1';

/** SubjectPublicKeyInfo algorithm OIDs → key algorithm names (see the rules above). */
export const KEY_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  [OID_RSA_ENCRYPTION, 'rsa'],
  [OID_RSASSA_PSS, 'rsa-pss'],
  ['2.5.8.1.1', 'rsa'], // X.509 rsa (old), same key format
  [OID_EC_PUBLIC_KEY, 'ec'],
  ['1.3.132.1.12', 'ec'], // id-ecDH
  ['1.3.132.1.13', 'ec'], // id-ecMQV
  [OID_DSA, 'dsa'],
  ['1.3.14.3.2.12', 'dsa'], // dsa (old OIW)
  [OID_DH_X942, 'dh'],
  [OID_DH_PKCS3, 'dh'],
  ['1.3.101.110', 'x25519'],
  ['1.3.101.111', 'x448'],
  ['1.3.101.112', 'ed25519'],
  ['1.3.101.113', 'ed448'],
  [NIST_SIG + '17', 'ml-dsa-44'],
  [NIST_SIG + '18', 'ml-dsa-65'],
  [NIST_SIG + '19', 'ml-dsa-87'],
  ...[
    'sha2-128s', 'sha2-128f', 'sha2-192s', 'sha2-192f', 'sha2-256s', 'sha2-256f',
    'shake-128s', 'shake-128f', 'shake-192s', 'shake-192f', 'shake-256s', 'shake-256f',
  ].map((v, i): [string, string] => [NIST_SIG + (20 + i), `slh-dsa-${v}`]),
  ['2.16.840.1.101.3.4.4.1', 'ml-kem-512'],
  ['2.16.840.1.101.3.4.4.2', 'ml-kem-768'],
  ['2.16.840.1.101.3.4.4.3', 'ml-kem-1024'],
  ['1.2.643.2.2.19', 'gost2001'],
  ['1.2.643.7.1.1.1.1', 'gost2012-256'],
  ['1.2.643.7.1.1.1.2', 'gost2012-512'],
]);

/**
 * Size reported for keys without a modulus or curve: what OpenSSL's EVP_PKEY_get_bits says
 * (and so what Zeek logs): EdDSA/XDH fixed values, and 8 × the encoded public key length
 * for ML-DSA / SLH-DSA / ML-KEM (Zeek logs ML-DSA-44 as 10496 = 8 × 1312).
 */
export const FIXED_KEY_BITS: ReadonlyMap<string, number> = new Map([
  ['ed25519', 256],
  ['ed448', 456],
  ['x25519', 253],
  ['x448', 448],
]);

export interface CurveInfo {
  name: string;
  /** Field size in bits (what OpenSSL's EC_GROUP_get_degree gives; Zeek's key_length). */
  bits: number;
}

const SECG = '1.3.132.0.';
const BRAINPOOL = '1.3.36.3.3.2.8.1.1.';

/** Named curve OIDs → IANA TLS group names (SEC 2 names where TLS has none). */
export const CURVES: ReadonlyMap<string, CurveInfo> = new Map([
  ['1.2.840.10045.3.1.7', { name: 'secp256r1', bits: 256 }],
  [SECG + '34', { name: 'secp384r1', bits: 384 }],
  [SECG + '35', { name: 'secp521r1', bits: 521 }],
  [SECG + '33', { name: 'secp224r1', bits: 224 }],
  ['1.2.840.10045.3.1.1', { name: 'secp192r1', bits: 192 }],
  [SECG + '10', { name: 'secp256k1', bits: 256 }],
  [SECG + '31', { name: 'secp192k1', bits: 192 }],
  [SECG + '32', { name: 'secp224k1', bits: 224 }],
  [SECG + '8', { name: 'secp160r1', bits: 160 }],
  [SECG + '9', { name: 'secp160k1', bits: 160 }],
  [SECG + '30', { name: 'secp160r2', bits: 160 }],
  [SECG + '1', { name: 'sect163k1', bits: 163 }],
  [SECG + '2', { name: 'sect163r1', bits: 163 }],
  [SECG + '15', { name: 'sect163r2', bits: 163 }],
  [SECG + '24', { name: 'sect193r1', bits: 193 }],
  [SECG + '25', { name: 'sect193r2', bits: 193 }],
  [SECG + '26', { name: 'sect233k1', bits: 233 }],
  [SECG + '27', { name: 'sect233r1', bits: 233 }],
  [SECG + '3', { name: 'sect239k1', bits: 239 }],
  [SECG + '16', { name: 'sect283k1', bits: 283 }],
  [SECG + '17', { name: 'sect283r1', bits: 283 }],
  [SECG + '36', { name: 'sect409k1', bits: 409 }],
  [SECG + '37', { name: 'sect409r1', bits: 409 }],
  [SECG + '38', { name: 'sect571k1', bits: 571 }],
  [SECG + '39', { name: 'sect571r1', bits: 571 }],
  [BRAINPOOL + '1', { name: 'brainpoolP160r1', bits: 160 }],
  [BRAINPOOL + '3', { name: 'brainpoolP192r1', bits: 192 }],
  [BRAINPOOL + '5', { name: 'brainpoolP224r1', bits: 224 }],
  [BRAINPOOL + '7', { name: 'brainpoolP256r1', bits: 256 }],
  [BRAINPOOL + '9', { name: 'brainpoolP320r1', bits: 320 }],
  [BRAINPOOL + '11', { name: 'brainpoolP384r1', bits: 384 }],
  [BRAINPOOL + '13', { name: 'brainpoolP512r1', bits: 512 }],
  ['1.2.156.10197.1.301', { name: 'curveSM2', bits: 256 }],
]);

/** OpenSSL's curve names, for comparing with Zeek / `openssl x509 -text` (`prime256v1` …). */
export const OPENSSL_CURVE_ALIASES: Readonly<Record<string, string>> = {
  prime256v1: 'secp256r1',
  prime192v1: 'secp192r1',
  SM2: 'curveSM2',
};

/**
 * Attribute types in distinguished names → the descriptor used in the RFC 4514 string.
 * RFC 4514 §3 names first (CN, L, ST, O, OU, C, STREET, DC, UID), then registered LDAP
 * descriptors as OpenSSL spells them. Types not listed print as dotted OIDs with a `#hex` value.
 */
export const NAME_ATTRIBUTES: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.6', 'C'],
  ['2.5.4.9', 'STREET'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.5', 'serialNumber'],
  ['2.5.4.12', 'title'],
  ['2.5.4.13', 'description'],
  ['2.5.4.15', 'businessCategory'],
  ['2.5.4.17', 'postalCode'],
  ['2.5.4.18', 'postOfficeBox'],
  ['2.5.4.20', 'telephoneNumber'],
  ['2.5.4.41', 'name'],
  ['2.5.4.42', 'GN'],
  ['2.5.4.43', 'initials'],
  ['2.5.4.44', 'generationQualifier'],
  ['2.5.4.46', 'dnQualifier'],
  ['2.5.4.65', 'pseudonym'],
  ['2.5.4.97', 'organizationIdentifier'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
  ['1.2.840.113549.1.9.2', 'unstructuredName'],
  ['1.2.840.113549.1.9.8', 'unstructuredAddress'],
  ['1.3.6.1.4.1.311.60.2.1.1', 'jurisdictionL'],
  ['1.3.6.1.4.1.311.60.2.1.2', 'jurisdictionST'],
  ['1.3.6.1.4.1.311.60.2.1.3', 'jurisdictionC'],
]);

export const OID_CN = '2.5.4.3';
export const OID_C = '2.5.4.6';
export const OID_L = '2.5.4.7';
export const OID_ST = '2.5.4.8';
export const OID_O = '2.5.4.10';
export const OID_OU = '2.5.4.11';

export const EXT = {
  SUBJECT_KEY_ID: '2.5.29.14',
  KEY_USAGE: '2.5.29.15',
  SUBJECT_ALT_NAME: '2.5.29.17',
  ISSUER_ALT_NAME: '2.5.29.18',
  BASIC_CONSTRAINTS: '2.5.29.19',
  NAME_CONSTRAINTS: '2.5.29.30',
  CRL_DISTRIBUTION_POINTS: '2.5.29.31',
  CERTIFICATE_POLICIES: '2.5.29.32',
  POLICY_MAPPINGS: '2.5.29.33',
  AUTHORITY_KEY_ID: '2.5.29.35',
  POLICY_CONSTRAINTS: '2.5.29.36',
  EXT_KEY_USAGE: '2.5.29.37',
  INHIBIT_ANY_POLICY: '2.5.29.54',
} as const;

/** KeyUsage bit i (RFC 5280 §4.2.1.3) → name. */
export const KEY_USAGE_BITS: readonly string[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** ExtendedKeyUsage purposes → names (RFC 5280 / OpenSSL short names); others as dotted OIDs. */
export const EXT_KEY_USAGES: ReadonlyMap<string, string> = new Map([
  ['2.5.29.37.0', 'anyExtendedKeyUsage'],
  ['1.3.6.1.5.5.7.3.1', 'serverAuth'],
  ['1.3.6.1.5.5.7.3.2', 'clientAuth'],
  ['1.3.6.1.5.5.7.3.3', 'codeSigning'],
  ['1.3.6.1.5.5.7.3.4', 'emailProtection'],
  ['1.3.6.1.5.5.7.3.5', 'ipsecEndSystem'],
  ['1.3.6.1.5.5.7.3.6', 'ipsecTunnel'],
  ['1.3.6.1.5.5.7.3.7', 'ipsecUser'],
  ['1.3.6.1.5.5.7.3.8', 'timeStamping'],
  ['1.3.6.1.5.5.7.3.9', 'OCSPSigning'],
  ['1.3.6.1.5.5.7.3.17', 'ipsecIKE'],
  ['1.3.6.1.4.1.311.10.3.3', 'msSGC'],
  ['2.16.840.1.113730.4.1', 'nsSGC'],
  ['1.3.6.1.4.1.311.20.2.2', 'msSmartcardLogin'],
  ['1.3.6.1.5.2.3.5', 'pkInitKDC'],
]);
