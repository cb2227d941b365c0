/**
 * The one door to @peculiar/x509. Its dependency injection (tsyringe) needs the Reflect
 * metadata API at load time, so `reflect-metadata` is imported here, first, and nowhere else:
 * ES modules evaluate their imports in order, so the polyfill is in place before the library
 * body runs. Every other module takes the library from here.
 */
import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';

/** @peculiar/x509's certificate with its parsed ASN.1 model made reachable. */
export class AsnCertificate extends X509Certificate {
  /** The decoded ASN.1 `Certificate` (tbsCertificate, signatureAlgorithm, signatureValue). */
  get model() {
    return this.asn;
  }
}

export type AsnCertificateModel = AsnCertificate['model'];
