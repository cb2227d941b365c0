import { cipherProperties } from '../registry/names.js';

/**
 * The key exchange of a TLS ≤ 1.2 suite, as far as parsing the ServerKeyExchange goes
 * (RFC 4492 §5.4, RFC 5246 §7.4.3): anonymous (EC)DH sends the same parameters as the
 * ephemeral variants, only unsigned.
 */
export function keyExchangeOf(suite: number): 'ecdhe' | 'dhe' | 'rsa' | 'other' {
  const p = cipherProperties(suite);
  if (!p) return 'other';
  const anon = p.authentication === 'anon';
  if (p.keyExchange === 'ECDHE' || (p.keyExchange === 'ECDH' && anon)) return 'ecdhe';
  if (p.keyExchange === 'DHE' || (p.keyExchange === 'DH' && anon)) return 'dhe';
  if (p.keyExchange === 'RSA') return 'rsa';
  return 'other';
}
