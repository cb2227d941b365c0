export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** Every finding tlsscope raises: the contract's ids (docs/events.md) and its own additions. */
export const FINDING_IDS = [
  'deprecated_protocol',
  'weak_cipher',
  'no_forward_secrecy',
  'weak_key',
  'weak_signature',
  'expired',
  'not_yet_valid',
  'expiring_soon',
  'self_signed',
  'untrusted_chain',
  'hostname_mismatch',
  'mtls_missing',
  'handshake_failure',
  'insecure_renegotiation',
  'weak_dh',
  'key_not_rotated',
] as const;

export type FindingId = (typeof FINDING_IDS)[number];

export interface Finding {
  id: FindingId;
  severity: Severity;
  /** One line naming the evidence: the suite, the key size, the date. */
  message: string;
  /** The standard or guideline that makes it a finding. */
  reference: string;
  /** Which rule of a finding with several causes fired (e.g. mtls_missing: requested / policy). */
  reason?: string;
  /** Which certificate it is about, when it is about one. */
  certificate?: { sha256: string; subject?: string; position: number; side: 'server' | 'client' };
}

/**
 * Where each finding's rule comes from. ASCII only, like every text tlsscope writes itself: one
 * non-ASCII character sends the whole line through V8's slow UTF-8 encoder (measured: 4x the
 * encoding time of an event on bench handshakes).
 */
export const REFERENCES: Record<FindingId, string> = {
  deprecated_protocol: 'RFC 8996 (TLS 1.0/1.1), RFC 7568 (SSL 3.0), RFC 6176 (SSL 2.0)',
  weak_cipher: 'RFC 7465 (RC4), NIST SP 800-52r2 section 3.3.1, BSI TR-02102-2 section 3.3.1',
  no_forward_secrecy: 'NIST SP 800-52r2 section 3.3.1, BSI TR-02102-2 section 3.3.1',
  weak_key: 'NIST SP 800-52r2 section 3.1, BSI TR-02102-2 section 3.6',
  weak_signature: 'RFC 9155, NIST SP 800-131A Rev. 2',
  expired: 'RFC 5280 section 4.1.2.5',
  not_yet_valid: 'RFC 5280 section 4.1.2.5',
  expiring_soon: 'RFC 5280 section 4.1.2.5 (policy window)',
  self_signed: 'RFC 5280 section 6.1, NIST SP 800-52r2 section 3.5',
  untrusted_chain: 'RFC 5280 section 6.1',
  hostname_mismatch: 'RFC 6125 section 6',
  mtls_missing: 'RFC 8446 section 4.3.2, RFC 5246 section 7.4.6 (site mTLS policy)',
  handshake_failure: 'RFC 8446 section 6.2',
  insecure_renegotiation: 'RFC 5746',
  weak_dh: 'RFC 7919, NIST SP 800-52r2 section 3.3.1, BSI TR-02102-2 section 3.6',
  key_not_rotated: 'NIST SP 800-57 Part 1 Rev. 5 section 5.3',
};
