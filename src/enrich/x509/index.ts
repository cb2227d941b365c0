/**
 * X.509 certificates seen on the wire: parse (cached by SHA-256), validate against a trust
 * store at packet time, match host names, render as ECS. See README.md in this folder.
 */
export { parseCertificate, sha256Upper, serialHex, escapeRfc4514 } from './parse.js';
export { CertificateCache, LruCache, DEFAULT_CERTIFICATE_CACHE_SIZE, type CertificateCacheStats } from './cache.js';
export {
  ChainValidator,
  TrustStore,
  TrustStoreError,
  type ValidateOptions,
  type ValidationReason,
  type ValidationResult,
  type ValidatorOptions,
  type ValidatorStats,
} from './validate.js';
export { matchesHostname, matchesPattern, ipBytes } from './hostname.js';
export { toEcsX509, toCertificateEntry, alternativeNames } from './ecs.js';
export { NodeCertificate, canVerify, type SignatureVerdict } from './signature.js';
export {
  isParsed,
  type BasicConstraints,
  type CertificateInfo,
  type DistinguishedName,
  type SubjectAltNames,
  type X509Details,
  type X509ParseFailure,
} from './types.js';
export { CURVES, KEY_ALGORITHMS, SIGNATURE_ALGORITHMS, OPENSSL_CURVE_ALIASES } from './oids.js';
