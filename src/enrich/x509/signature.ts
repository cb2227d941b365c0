import { X509Certificate as NodeX509Certificate, type KeyObject } from 'node:crypto';
import { SIGNATURE_ALGORITHMS } from './oids.js';

export type SignatureVerdict = 'valid' | 'invalid' | 'unsupported';

/**
 * Key types whose certificate signatures Node's OpenSSL (3.0 in Node 20) can check. ML-DSA,
 * SLH-DSA, GOST and SM2 are not among them: those are reported `unsupported`, never `invalid`.
 */
const VERIFIABLE_KEYS = new Set(['rsa', 'ec', 'dsa', 'ed25519', 'ed448']);

export function canVerify(signatureOid: string): boolean {
  const alg = SIGNATURE_ALGORITHMS.get(signatureOid);
  return alg !== undefined && VERIFIABLE_KEYS.has(alg.key) && alg.name !== 'SM2-with-SM3';
}

/**
 * Node's view of one certificate, built lazily: OpenSSL parses it (tens of µs), then
 * `verify(issuerKey)` checks the signature over the TBS bytes with whatever digest and padding
 * the signature algorithm names (PKCS#1 v1.5, PSS with its parameters, ECDSA, DSA, EdDSA).
 *
 * Measured here (a throw-away script, not kept): node:crypto verifies an RSA-2048 signature
 * an order of magnitude faster than @peculiar/x509's `verify()` (WebCrypto, async, and it
 * re-encodes the TBS through its ASN.1 model first), so node:crypto it is.
 */
export class NodeCertificate {
  private cert: NodeX509Certificate | null = null;
  private key: KeyObject | null | undefined;

  constructor(readonly der: Uint8Array) {}

  private x509(): NodeX509Certificate {
    this.cert ??= new NodeX509Certificate(this.der);
    return this.cert;
  }

  /** The certificate's public key, or undefined when OpenSSL cannot load it. */
  publicKey(): KeyObject | undefined {
    if (this.key === undefined) {
      try {
        this.key = this.x509().publicKey;
      } catch {
        this.key = null;
      }
    }
    return this.key ?? undefined;
  }

  /** Does `issuer`'s key verify this certificate's signature? */
  verifiedBy(issuer: NodeCertificate, signatureOid: string): SignatureVerdict {
    if (!canVerify(signatureOid)) return 'unsupported';
    const key = issuer.publicKey();
    if (key === undefined) return 'unsupported';
    try {
      return this.x509().verify(key) ? 'valid' : 'invalid';
    } catch {
      // OpenSSL refused the certificate or the key/signature pairing (e.g. an RSA signature
      // under an EC key): the signature does not verify.
      return 'invalid';
    }
  }
}
