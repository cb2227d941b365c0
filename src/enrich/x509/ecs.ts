import { isParsed, type CertificateInfo, type DistinguishedName, type X509Details } from './types.js';

// Arrays are copied out of the (deep-frozen, cached) certificate: JSON.stringify takes a slow
// path on frozen arrays (measured 1.8x slower on Node 20), and these objects are serialised
// with every event that carries the certificate.

/** ECS `x509.subject` / `x509.issuer`: the DN string and the multi-valued parts (empty ones left out). */
function ecsName(n: DistinguishedName): Record<string, unknown> {
  const out: Record<string, unknown> = { distinguished_name: n.dn };
  if (n.common_name.length > 0) out.common_name = n.common_name.slice();
  if (n.organization.length > 0) out.organization = n.organization.slice();
  if (n.organizational_unit.length > 0) out.organizational_unit = n.organizational_unit.slice();
  if (n.country.length > 0) out.country = n.country.slice();
  if (n.locality.length > 0) out.locality = n.locality.slice();
  if (n.state_or_province.length > 0) out.state_or_province = n.state_or_province.slice();
  return out;
}

/** All SANs as plain strings, the way ECS `x509.alternative_names` carries them: DNS, IP, email, URI. */
export function alternativeNames(info: X509Details): string[] {
  const s = info.san;
  return [...s.dns, ...s.ip, ...s.email, ...s.uri];
}

/**
 * The ECS `x509` object (for `tls.server.x509` / `tls.client.x509`). Field types as ECS
 * defines them: `version_number` is a keyword ("3"), sizes and exponent are numbers, dates
 * ISO 8601. Absent values are left out, never null. A certificate that could not be parsed
 * gives an empty object (its hash still goes to `hash.sha256`).
 */
export function toEcsX509(info: CertificateInfo): Record<string, unknown> {
  if (!isParsed(info)) return {};
  const out: Record<string, unknown> = {};
  const alt = alternativeNames(info);
  if (alt.length > 0) out.alternative_names = alt;
  out.issuer = ecsName(info.issuer);
  out.not_after = info.not_after;
  out.not_before = info.not_before;
  out.public_key_algorithm = info.public_key_algorithm;
  if (info.public_key_curve !== undefined) out.public_key_curve = info.public_key_curve;
  if (info.public_key_exponent !== undefined) out.public_key_exponent = info.public_key_exponent;
  if (info.public_key_size !== undefined) out.public_key_size = info.public_key_size;
  out.serial_number = info.serial_number;
  out.signature_algorithm = info.signature_algorithm;
  out.subject = ecsName(info.subject);
  out.version_number = String(info.version);
  return out;
}

/**
 * One `tlsscope.server.certificates[]` / `tlsscope.client.certificates[]` entry: the contract's
 * fields (docs/events.md) plus what findings and key tracking use. Unparseable certificates
 * keep their place in the chain as `{ sha256, parse_error }`.
 */
export function toCertificateEntry(info: CertificateInfo): Record<string, unknown> {
  if (!isParsed(info)) return { sha256: info.sha256, parse_error: info.parse_error };
  const out: Record<string, unknown> = {
    sha256: info.sha256,
    subject: info.subject.dn,
    issuer: info.issuer.dn,
    serial_number: info.serial_number,
    not_before: info.not_before,
    not_after: info.not_after,
    public_key_algorithm: info.public_key_algorithm,
  };
  if (info.public_key_size !== undefined) out.public_key_size = info.public_key_size;
  if (info.public_key_curve !== undefined) out.public_key_curve = info.public_key_curve;
  if (info.public_key_exponent !== undefined) out.public_key_exponent = info.public_key_exponent;
  out.signature_algorithm = info.signature_algorithm;
  if (info.signature_hash !== undefined) out.signature_hash = info.signature_hash;
  out.alternative_names = alternativeNames(info);
  out.is_ca = info.is_ca;
  if (info.basic_constraints?.path_len !== undefined) out.path_len = info.basic_constraints.path_len;
  out.self_signed = info.self_signed;
  // Issuer = subject but the signature could not be checked (ML-DSA on Node 20) or is bad: say so.
  if (info.self_issued && !info.self_signed) out.self_issued = true;
  out.version = info.version;
  out.spki_sha256 = info.spki_sha256;
  if (info.key_usage) out.key_usage = info.key_usage.slice();
  if (info.extended_key_usage) out.extended_key_usage = info.extended_key_usage.slice();
  return out;
}
