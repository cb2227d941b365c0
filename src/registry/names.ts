/**
 * Names of TLS code points, for events and logs. IANA's names are the contract (the tables
 * are generated from registry data by scripts/generate-tables.mjs); a code point without a
 * name is written as upper-case hex ("0x1A2B"), so output never loses information.
 *
 * GREASE values (RFC 8701) have no names here: they come back as hex ("0x0A0A"); use
 * isGrease() to leave them out.
 */
import { ALERT_DESCRIPTIONS } from './alert-descriptions.generated.js';
import { CIPHER_SUITE_PROPERTIES } from './cipher-suite-properties.generated.js';
import { CIPHER_SUITES } from './cipher-suites.generated.js';
import { CONTENT_TYPES } from './content-types.generated.js';
import { EXTENSION_TYPES } from './extension-types.generated.js';
import { HANDSHAKE_TYPES } from './handshake-types.generated.js';
import { NAMED_GROUPS } from './named-groups.generated.js';
import { SIGNATURE_SCHEMES } from './signature-schemes.generated.js';
import { SSLV2_CIPHER_KINDS } from './sslv2-cipher-kinds.generated.js';
import type { CipherSuiteProperties } from './types.js';

/** `code` as "0x" + upper-case hex, zero-padded to `digits` (the field's width). */
export function hexCode(code: number, digits = 4): string {
  return '0x' + code.toString(16).toUpperCase().padStart(digits, '0');
}

/** IANA cipher-suite name, e.g. 0xC02F → "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"; unknown → "0x1A2B". */
export function cipherName(code: number): string {
  return CIPHER_SUITES.get(code) ?? hexCode(code, 4);
}

/**
 * Name of an SSLv2 CIPHER-SPECS entry (3 bytes). SSLv2 cipher kinds get their SSL 2.0 names
 * ("SSL_CK_RC4_128_WITH_MD5"; Zeek writes "SSLv20_CK_..."); 0x00XXYY entries are TLS suites
 * offered in an SSLv2-format ClientHello and get the cipher-suite name; unknown → "0x010080".
 */
export function sslv2CipherName(code: number): string {
  if (code >= 0 && code <= 0xffff) return cipherName(code);
  return SSLV2_CIPHER_KINDS.get(code) ?? hexCode(code, 6);
}

/** IANA supported-group name, e.g. 29 → "x25519", 0x11EC → "X25519MLKEM768"; unknown → "0x1A2B". */
export function groupName(code: number): string {
  return NAMED_GROUPS.get(code) ?? hexCode(code, 4);
}

/** IANA SignatureScheme name, e.g. 0x0804 → "rsa_pss_rsae_sha256"; unknown → "0x0202". */
export function signatureSchemeName(code: number): string {
  return SIGNATURE_SCHEMES.get(code) ?? hexCode(code, 4);
}

/** IANA extension name, e.g. 0 → "server_name", 0xFE0D → "encrypted_client_hello"; unknown → "0x1A2B". */
export function extensionName(code: number): string {
  return EXTENSION_TYPES.get(code) ?? hexCode(code, 4);
}

/** IANA alert description, e.g. 40 → "handshake_failure"; unknown → "0xC8". */
export function alertName(code: number): string {
  return ALERT_DESCRIPTIONS.get(code) ?? hexCode(code, 2);
}

/** IANA handshake message type, e.g. 1 → "client_hello"; unknown → "0x63". */
export function handshakeTypeName(code: number): string {
  return HANDSHAKE_TYPES.get(code) ?? hexCode(code, 2);
}

/** IANA record content type, e.g. 22 → "handshake"; unknown → "0x63". */
export function contentTypeName(code: number): string {
  return CONTENT_TYPES.get(code) ?? hexCode(code, 2);
}

/** What the cipher suite's IANA name says about it; undefined for unnamed code points. */
export function cipherProperties(code: number): CipherSuiteProperties | undefined {
  return CIPHER_SUITE_PROPERTIES.get(code);
}

/** RFC 8701 GREASE value: 0x0A0A, 0x1A1A, … 0xFAFA (both bytes equal, each 0x?A). */
export function isGrease(code: number): boolean {
  return Number.isInteger(code) && code >= 0 && code <= 0xffff && (code & 0x0f0f) === 0x0a0a && code >> 8 === (code & 0xff);
}

/**
 * ECS `tls.version` ("1.3", "1.2", "1.1", "1.0", "3.0", "2.0") of a final protocol version
 * (TLS, SSL or DTLS). Undefined for anything else, including TLS 1.3 drafts and experiments
 * (0x7fNN, 0x7eNN, 0xfbNN): see versionDetail().
 */
export function versionName(code: number): string | undefined {
  switch (code) {
    case 0x0002:
      return '2.0';
    case 0x0300:
      return '3.0';
    case 0x0301:
    case 0xfeff: // DTLS 1.0
      return '1.0';
    case 0x0302:
      return '1.1';
    case 0x0303:
    case 0xfefd: // DTLS 1.2
      return '1.2';
    case 0x0304:
    case 0xfefc: // DTLS 1.3
      return '1.3';
    default:
      return undefined;
  }
}

/**
 * ECS `tls.version_protocol`: "ssl" (SSL 2.0, 3.0), "tls" (TLS 1.0-1.3, incl. TLS 1.3 drafts
 * and experiments), "dtls" (DTLS 1.0, 1.2, 1.3 and OpenSSL's pre-RFC 0x0100); undefined otherwise.
 */
export function versionProtocol(code: number): 'tls' | 'ssl' | 'dtls' | undefined {
  if (code === 0x0002 || code === 0x0300) return 'ssl';
  if (code >= 0x0301 && code <= 0x0304) return 'tls';
  if (code === 0xfeff || code === 0xfefd || code === 0xfefc || code === 0x0100) return 'dtls';
  if (tls13Variant(code) !== undefined) return 'tls';
  return undefined;
}

/** "draft23", "google-experiment1", "fb-draft23" for TLS 1.3 pre-standard versions. */
function tls13Variant(code: number): string | undefined {
  const hi = code >> 8;
  const lo = code & 0xff;
  if (code < 0 || code > 0xffff || lo === 0) return undefined;
  if (hi === 0x7f) return `draft${lo}`; // draft-ietf-tls-tls13-NN (section 4.2.1: 0x7f00 | NN)
  if (hi === 0x7e) return `google-experiment${lo}`; // BoringSSL/Chrome 2017 experiments (0x7e01..)
  if (hi === 0xfb) return `fb-draft${lo}`; // Facebook's Fizz: draft NN (0xfb17 = draft 23)
  return undefined;
}

/**
 * Exact version, for the versions versionName() cannot express: "ssl2.0", "ssl3.0",
 * "tls1.0".."tls1.3", "tls1.3-draft23" (0x7f17), "tls1.3-google-experiment1" (0x7e01),
 * "tls1.3-fb-draft23" (0xfb17), "dtls1.0", "dtls1.2", "dtls1.3", "dtls1.0-openssl-pre0.9.8f"
 * (0x0100, OpenSSL's DTLS1_BAD_VER), "tlcp1.1" (0x0101, GB/T 38636 / GM/T 0024).
 * Undefined for unknown values and GREASE.
 */
export function versionDetail(code: number): string | undefined {
  switch (code) {
    case 0x0002:
      return 'ssl2.0';
    case 0x0300:
      return 'ssl3.0';
    case 0x0301:
      return 'tls1.0';
    case 0x0302:
      return 'tls1.1';
    case 0x0303:
      return 'tls1.2';
    case 0x0304:
      return 'tls1.3';
    case 0xfeff:
      return 'dtls1.0';
    case 0xfefd:
      return 'dtls1.2';
    case 0xfefc:
      return 'dtls1.3';
    case 0x0100:
      return 'dtls1.0-openssl-pre0.9.8f';
    case 0x0101:
      return 'tlcp1.1';
  }
  const variant = tls13Variant(code);
  return variant === undefined ? undefined : `tls1.3-${variant}`;
}
