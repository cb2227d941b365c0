import type { Finding } from '../enrich/finding-catalog.js';
import type { HandshakeEvent } from './handshake-event.js';

export type FindingEvent = Record<string, unknown>;

/** ECS event.severity: a number, larger is worse (ECS leaves the scale to the source). */
const SEVERITY_NUMBER = { low: 21, medium: 47, high: 73, critical: 99 } as const;

/**
 * One event per finding, for alerting (the findings topic): the finding itself plus enough of
 * its connection to act on without looking the handshake up (who, where, which SNI, what was
 * negotiated, the fingerprints). `tlsscope.handshake_timestamp` joins it to its handshake.
 */
export function buildFindingEvents(handshake: HandshakeEvent): FindingEvent[] {
  const ts = handshake.tlsscope as { findings?: Finding[]; ja4?: string };
  const findings = ts.findings ?? [];
  if (findings.length === 0) return [];
  const tls = handshake.tls as { version?: string; cipher?: string; established?: boolean; client?: { server_name?: string; ja3?: string; hash?: unknown }; server?: { ja3s?: string; hash?: { sha256?: string } } };
  const context = {
    version: tls.version,
    cipher: tls.cipher,
    established: tls.established,
    client: { server_name: tls.client?.server_name, ja3: tls.client?.ja3 },
    server: { ja3s: tls.server?.ja3s, hash: tls.server?.hash },
  };
  return findings.map((f) => ({
    '@timestamp': handshake['@timestamp'],
    event: {
      kind: 'alert',
      category: ['network', 'vulnerability'],
      type: ['info'],
      dataset: 'tlsscope.finding',
      module: 'tlsscope',
      severity: SEVERITY_NUMBER[f.severity],
      reason: f.message,
      reference: f.reference,
    },
    message: f.message,
    source: handshake.source,
    destination: handshake.destination,
    network: handshake.network,
    tls: context,
    rule: { id: f.id, name: f.id, reference: f.reference },
    tlsscope: { finding: f, ja4: ts.ja4 },
  }));
}
