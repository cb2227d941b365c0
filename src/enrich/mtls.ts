import { readClientFlight } from '../tls/client-flight.js';
import type { RecordSize, TlsConnection } from '../tls/connection.js';

export interface MtlsVerdict {
  requested: boolean | null;
  presented: boolean | null;
  method: 'observed' | 'inferred' | 'unknown';
  /** How sure an inference is (TLS 1.3 only). */
  confidence?: 'high' | 'medium';
  /** The record sizes an inference rests on, or why nothing could be said. */
  evidence?: string;
}

/** Client authentication in TLS 1.3, from the sizes of the client's flight (src/tls/client-flight.ts). */
export function inferTls13(records: RecordSize[], suite: number, earlyDataOffered = false): MtlsVerdict {
  const r = readClientFlight(records, suite, earlyDataOffered);
  if (typeof r === 'string') return unknown(r);
  const padded = r.padding > 0 ? `, padded by ${r.padding} bytes${r.sizes.length > 1 && r.confidence === 'high' ? ' each' : ''}` : '';
  return inferred(r.requested, r.presented, r.confidence, `client flight: ${r.pattern}${padded} (${r.sizes.join(',')})`);
}

function inferred(requested: boolean, presented: boolean, confidence: 'high' | 'medium', evidence: string): MtlsVerdict {
  return { requested, presented, method: 'inferred', confidence, evidence };
}

function unknown(evidence: string): MtlsVerdict {
  return { requested: null, presented: null, method: 'unknown', evidence };
}

/** mTLS as the plaintext handshake shows it (TLS ≤ 1.2). */
export function observe(conn: TlsConnection): MtlsVerdict {
  // The server flight is over once ServerHelloDone (or an abbreviated handshake) was seen.
  const serverFlightSeen = conn.history.includes('n') || conn.abbreviated;
  const requested = conn.certificateRequest !== undefined ? true : serverFlightSeen ? false : null;
  let presented: boolean | null = null;
  if (conn.clientCertificates !== undefined) presented = conn.clientCertificates.length > 0;
  else if (conn.clientKeyExchange || conn.abbreviated || requested === false) presented = false;
  if (requested === null && presented === null) return unknown('handshake ended before the server flight');
  return { requested, presented, method: 'observed' };
}

/** Client authentication of a connection: observed in TLS ≤ 1.2, inferred from sizes in TLS 1.3. */
export function mtlsOf(conn: TlsConnection): MtlsVerdict {
  if (!conn.serverHello && !conn.sslv2ServerHello) return unknown('no ServerHello seen');
  if (conn.tls13) {
    if (conn.resumed) return inferred(false, false, 'medium', 'PSK resumption: certificates are not exchanged again');
    return inferTls13(conn.recordSizes, conn.serverHello!.cipherSuite, conn.clientHello?.ext.earlyData === true);
  }
  if (conn.sslv2ServerHello) return unknown('SSL 2.0');
  return observe(conn);
}
