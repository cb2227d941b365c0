import type { CertificateView } from '../enrich/enricher.js';

export type CertificateEvent = Record<string, unknown>;

export interface CertificateSighting {
  view: CertificateView;
  side: 'server' | 'client';
  /** Position in the chain as sent (0 = leaf). */
  position: number;
  timestamp: string;
  server: { ip: string; port: number };
  client: { ip: string; port: number };
  sni?: string;
  transport: 'tcp' | 'udp';
}

/**
 * The certificate inventory event (like Zeek's x509.log): one per certificate the first
 * time it is seen, and again after the re-report interval. The ECS x509 object sits where
 * ECS puts it for TLS, under the side that presented it.
 */
export function buildCertificateEvent(s: CertificateSighting): CertificateEvent {
  const info = s.view.info;
  return {
    '@timestamp': s.timestamp,
    event: { kind: 'event', category: ['network'], type: ['info'], dataset: 'tlsscope.certificate', module: 'tlsscope' },
    source: { ip: s.client.ip, port: s.client.port },
    destination: { ip: s.server.ip, port: s.server.port },
    network: { transport: s.transport, protocol: 'tls' },
    tls: { [s.side]: { hash: { sha256: info.sha256 }, x509: s.view.ecs } },
    related: { hash: [info.sha256], ...(s.sni !== undefined ? { hosts: [s.sni] } : {}) },
    tlsscope: {
      certificate: s.view.entry,
      seen: { side: s.side, position: s.position, ...(s.sni !== undefined ? { server_name: s.sni } : {}) },
    },
  };
}
