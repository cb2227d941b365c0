/** One distinguished name, as it is printed and as it is queried. */
export interface DistinguishedName {
  /** RFC 4514 string, most specific RDN first: `CN=example.com,O=Example\, Inc.,C=US`. */
  dn: string;
  /** Attribute values by type, in certificate (DER) order. */
  common_name: string[];
  organization: string[];
  organizational_unit: string[];
  country: string[];
  locality: string[];
  state_or_province: string[];
  /**
   * Canonical comparison key (RFC 5280 §7.1 style: types as OIDs, values trimmed, inner
   * whitespace collapsed, lower case). Two names are "the same" for chain building when their
   * keys are equal, whatever string types the encoders chose.
   */
  key: string;
}

/** Subject alternative names by type, in certificate order. */
export interface SubjectAltNames {
  dns: string[];
  /** IPv4 dotted quad or RFC 5952 IPv6 text. */
  ip: string[];
  email: string[];
  uri: string[];
  /** otherName, x400Address, directoryName, ediPartyName, registeredID, malformed iPAddress: counted, not decoded. */
  other: number;
}

export interface BasicConstraints {
  ca: boolean;
  path_len?: number;
  critical: boolean;
}

/** Everything tlsscope reads from one certificate. Plain data: safe to cache and to serialise. */
export interface X509Details {
  /** SHA-256 of the DER, upper-case hex (ECS `hash.sha256`, Zeek `fingerprint` upper-cased). */
  sha256: string;
  parse_error?: undefined;
  der_length: number;
  /** X.509 version as displayed: 1, 2 or 3. */
  version: number;
  /** Serial number, upper-case hex without colons or sign padding ("00" for zero; "-" prefix if negative). */
  serial_number: string;
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** ISO 8601 UTC, seconds precision unless the certificate has fractions: `2030-01-01T00:00:00Z`. */
  not_before: string;
  not_after: string;
  /** The same instants in epoch milliseconds, for comparisons against packet time. */
  not_before_ms: number;
  not_after_ms: number;
  /** How each date was encoded: `utc` (UTCTime) or `generalized` (GeneralizedTime). */
  not_before_encoding: 'utc' | 'generalized';
  not_after_encoding: 'utc' | 'generalized';
  /** SHA-256 of the DER SubjectPublicKeyInfo, upper-case hex: same key ⇒ same value (rotation tracking). */
  spki_sha256: string;
  /** `rsa`, `rsa-pss`, `ec`, `dsa`, `ed25519`, `ed448`, `ml-dsa-44` … or a dotted OID (see oids.ts). */
  public_key_algorithm: string;
  /** RSA/DSA/DH: modulus/prime bits; EC: curve field bits; others: see FIXED_KEY_BITS. */
  public_key_size?: number;
  /** EC only: IANA TLS group name (`secp256r1`), `explicit` for inline parameters, or the OID. */
  public_key_curve?: string;
  /** RSA only, when it fits a JS number (it always does in practice: 3, 65537). */
  public_key_exponent?: number;
  /** OpenSSL long name: `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `rsassaPss`, `ED25519`, … or the OID. */
  signature_algorithm: string;
  /** The signature algorithm's OID (dotted). */
  signature_oid: string;
  /** Digest of the signature, normalised (`md5`, `sha1`, `sha256`, `sha3-256` …); for PSS from its parameters. Absent for EdDSA / ML-DSA / SLH-DSA. */
  signature_hash?: string;
  san: SubjectAltNames;
  basic_constraints?: BasicConstraints;
  /** `basic_constraints.ca`, false when the extension is absent. */
  is_ca: boolean;
  /** KeyUsage bit names (RFC 5280), when the extension is present. */
  key_usage?: string[];
  /** ExtendedKeyUsage purpose names (`serverAuth`, `clientAuth` …) or OIDs, when present. */
  extended_key_usage?: string[];
  /** Hex (upper case) of the SubjectKeyIdentifier / AuthorityKeyIdentifier keyIdentifier. */
  subject_key_id?: string;
  authority_key_id?: string;
  /** OIDs of the extensions marked critical. */
  critical_extensions: string[];
  /** Issuer and subject are the same name. */
  self_issued: boolean;
  /** Self-issued and the signature verifies with the certificate's own key. */
  self_signed: boolean;
  /** For self-issued certificates: outcome of checking the signature with its own key. */
  self_signature?: 'valid' | 'invalid' | 'unsupported';
  /** Oddities that did not stop parsing (undecodable extension, algorithm mismatch …). */
  warnings?: string[];
}

/** A certificate that could not be parsed: its hash and why. */
export interface X509ParseFailure {
  sha256: string;
  der_length: number;
  parse_error: string;
}

/** What `parseCertificate` returns: details, or (`parse_error` set) a failure. Never a throw. */
export type CertificateInfo = X509Details | X509ParseFailure;

export function isParsed(info: CertificateInfo): info is X509Details {
  return info.parse_error === undefined;
}
