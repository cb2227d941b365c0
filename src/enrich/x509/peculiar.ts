/**
 * The one door to the @peculiar ASN.1 schemas: a DER certificate decoded against the X.509
 * `Certificate` schema of @peculiar/asn1-x509 by @peculiar/asn1-schema, the same decode
 * @peculiar/x509's X509Certificate runs, without that package's dependency injection
 * (tsyringe, reflect-metadata) and web-crypto layers, which tlsscope never used. Measured:
 * the first certificate, module loading included, took 99-103 ms that way and 58-70 ms this
 * way; later ones parse at the same rate (~1,200/s). Loaded on the first certificate, not at start-up: a run that sees no
 * certificate (TLS 1.3 only, --no-enrich) never needs them. Extension values are decoded by
 * tlsscope's own DER walker (parse.ts), so one odd extension cannot fail a whole certificate.
 */
import { createRequire } from 'node:module';
import type { Certificate } from '@peculiar/asn1-x509';

const require = createRequire(import.meta.url);

/** The decoded ASN.1 `Certificate` (tbsCertificate, signatureAlgorithm, signatureValue). */
export type AsnCertificateModel = Certificate;

export interface DecodeOptions {
  berOptions?: { maxNodes?: number };
}

type Parse = (der: Uint8Array, target: typeof Certificate, opts?: DecodeOptions) => Certificate;
let schema: { parse: Parse; Certificate: typeof Certificate } | undefined;

/** Decode a DER certificate against the X.509 schema (throws on anything else) and return its model. */
export function decodeCertificate(der: Uint8Array, opts?: DecodeOptions): Certificate {
  if (!schema) {
    const { AsnConvert } = require('@peculiar/asn1-schema') as { AsnConvert: { parse: Parse } };
    const { Certificate: target } = require('@peculiar/asn1-x509') as { Certificate: typeof Certificate };
    schema = { parse: (d, t, o) => AsnConvert.parse(d, t, o), Certificate: target };
  }
  return schema.parse(der, schema.Certificate, opts);
}
