import { createPublicKey, verify, X509Certificate as NodeX509Certificate, type KeyObject } from 'node:crypto';
import { children, readTlv, TAG } from './der.js';
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
  private parts: SignedParts | null | undefined;

  constructor(readonly der: Uint8Array) {}

  private x509(): NodeX509Certificate {
    this.cert ??= new NodeX509Certificate(this.der);
    return this.cert;
  }

  private signed(): SignedParts | null {
    if (this.parts === undefined) this.parts = signedParts(this.der);
    return this.parts;
  }

  /** The certificate's public key, or undefined when OpenSSL cannot load it. */
  publicKey(): KeyObject | undefined {
    if (this.key === undefined) {
      // From the SubjectPublicKeyInfo alone, and once per distinct key: an X509Certificate
      // costs ~0.25 ms to build and OpenSSL 3.0 ~0.4 ms to load a key (measured on Node 20),
      // while one intermediate's key checks every chain it issued.
      const spki = this.signed()?.spki;
      try {
        this.key = spki ? keyOf(spki) : this.x509().publicKey;
      } catch {
        try {
          this.key = this.x509().publicKey;
        } catch {
          this.key = null;
        }
      }
    }
    return this.key ?? undefined;
  }

  /** Does `issuer`'s key verify this certificate's signature? */
  verifiedBy(issuer: NodeCertificate, signatureOid: string): SignatureVerdict {
    if (!canVerify(signatureOid)) return 'unsupported';
    const key = issuer.publicKey();
    if (key === undefined) return 'unsupported';
    // The common shapes are checked over the signed bytes directly (what OpenSSL's X509_verify
    // does, without building an X509Certificate); RSA-PSS, whose parameters sit in the
    // algorithm identifier, and anything unusual go through OpenSSL's certificate object.
    const alg = SIGNATURE_ALGORITHMS.get(signatureOid)!;
    const parts = this.signed();
    if (parts !== null && alg.hash !== undefined && alg.key === key.asymmetricKeyType) {
      try {
        return verify(alg.hash, parts.tbs, key, parts.signature) ? 'valid' : 'invalid';
      } catch {
        // a digest this OpenSSL does not offer (MD2, ...): let the certificate object decide
      }
    } else if (parts !== null && (alg.key === 'ed25519' || alg.key === 'ed448') && alg.key === key.asymmetricKeyType) {
      try {
        return verify(null, parts.tbs, key, parts.signature) ? 'valid' : 'invalid';
      } catch {
        // as above
      }
    }
    try {
      return this.x509().verify(key) ? 'valid' : 'invalid';
    } catch {
      // OpenSSL refused the certificate or the key/signature pairing (e.g. an RSA signature
      // under an EC key): the signature does not verify.
      return 'invalid';
    }
  }
}

/** Public keys by their SubjectPublicKeyInfo octets; bounded, cleared when full. */
const keys = new Map<string, KeyObject>();
const MAX_KEYS = 4096;

function keyOf(spki: Uint8Array): KeyObject {
  const octets = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength);
  const id = octets.toString('latin1');
  let k = keys.get(id);
  if (k === undefined) {
    k = createPublicKey({ key: octets, format: 'der', type: 'spki' }); // throws on a key OpenSSL cannot load: not cached
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(id, k);
  }
  return k;
}

/** A certificate's signed bytes, its signature and its key, as views of its DER. */
interface SignedParts {
  tbs: Uint8Array;
  signature: Uint8Array;
  spki: Uint8Array;
}

/**
 * The spans a signature check reads, or null when the DER is not the plain shape (then OpenSSL
 * decides): Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue
 * BIT STRING with no unused bits }, nothing after it, and the algorithm inside the signed part
 * the same octets as the one outside (OpenSSL refuses a certificate where they differ).
 */
function signedParts(der: Uint8Array): SignedParts | null {
  try {
    const cert = readTlv(der, 0);
    if (cert.tag !== TAG.SEQUENCE || cert.end !== der.length) return null;
    const tbs = readTlv(der, cert.content, cert.end);
    const alg = readTlv(der, tbs.end, cert.end);
    const sig = readTlv(der, alg.end, cert.end);
    if (tbs.tag !== TAG.SEQUENCE || alg.tag !== TAG.SEQUENCE || sig.tag !== TAG.BIT_STRING || sig.end !== cert.end) return null;
    if (sig.end - sig.content < 2 || der[sig.content] !== 0) return null;
    const fields = children(der, tbs);
    const v = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] version
    const inner = fields[v + 1]; // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
    const spki = fields[v + 5];
    if (inner === undefined || spki === undefined || inner.tag !== TAG.SEQUENCE || spki.tag !== TAG.SEQUENCE) return null;
    if (inner.end - inner.start !== alg.end - alg.start) return null;
    for (let i = 0; i < alg.end - alg.start; i++) if (der[inner.start + i] !== der[alg.start + i]) return null;
    return { tbs: der.subarray(tbs.start, tbs.end), signature: der.subarray(sig.content + 1, sig.end), spki: der.subarray(spki.start, spki.end) };
  } catch {
    return null;
  }
}
