/**
 * The one door to @peculiar/x509. Its dependency injection (tsyringe) needs the Reflect
 * metadata API at load time, so `reflect-metadata` is loaded first. Both are loaded on the
 * first certificate, not at start-up: they take a tenth of a second to load, and a run that
 * sees no certificate (TLS 1.3 only, --no-enrich) never needs them.
 */
import { createRequire } from 'node:module';
import type { Certificate } from '@peculiar/asn1-x509';
import type { X509Certificate } from '@peculiar/x509';

const require = createRequire(import.meta.url);

/** The decoded ASN.1 `Certificate` (tbsCertificate, signatureAlgorithm, signatureValue). */
export type AsnCertificateModel = Certificate;

type ParseOptions = ConstructorParameters<typeof X509Certificate>[1];
let Ctor: (new (der: Uint8Array<ArrayBuffer>, opts?: ParseOptions) => { model: Certificate }) | undefined;

/** Decode a DER certificate against the X.509 schema (throws on anything else) and return its model. */
export function decodeCertificate(der: Uint8Array<ArrayBuffer>, opts?: ParseOptions): Certificate {
  if (!Ctor) {
    require('reflect-metadata');
    const { X509Certificate: Base } = require('@peculiar/x509') as { X509Certificate: typeof X509Certificate };
    // @peculiar/x509's certificate with its parsed ASN.1 model made reachable.
    Ctor = class extends Base {
      get model(): Certificate {
        return this.asn;
      }
    };
  }
  return new Ctor(der, opts).model;
}
