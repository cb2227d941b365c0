import type { Enricher } from '../enrich/enricher.js';
import type { Flow } from '../flow/flow.js';
import type { TlsConnection } from '../tls/connection.js';
import { buildCertificateEvent, type CertificateEvent } from './certificate-event.js';
import { buildFindingEvents, type FindingEvent } from './finding-event.js';
import { buildHandshakeEvent, endpointText, type HandshakeEvent } from './handshake-event.js';

export type TlsscopeEvent = HandshakeEvent | CertificateEvent | FindingEvent;

/**
 * The events of one finished connection, in the order a reader wants them: certificates
 * seen for the first time, then the handshake that presented them, then one event per
 * finding (for alerting; sinks choose which kinds they take).
 */
export function connectionEvents(
  flow: Flow,
  conn: TlsConnection,
  enricher: Enricher,
  emit: (ev: TlsscopeEvent) => void,
  /** false: no sink takes finding events, so none are built (the handshake still lists its findings). */
  findingEvents = true,
): void {
  const clientIsA = conn.clientDir !== 1;
  const serverIp = endpointText(flow, !clientIsA);
  const serverPort = clientIsA ? flow.bPort : flow.aPort;
  const sni = conn.clientHello?.ext.serverNames[0];
  const tsSec = conn.tsSec || flow.firstSec;
  const tsNsec = conn.tsSec ? conn.tsNsec : flow.firstNsec;
  const e = enricher.enrich(conn, { serverIp, serverPort, sni, atMs: tsSec * 1000 + Math.floor(tsNsec / 1e6) });
  const handshake = buildHandshakeEvent(flow, conn, e);
  if (e.newCertificates.length > 0) {
    const client = handshake.source as { ip: string; port: number };
    for (const c of e.newCertificates) {
      emit(
        buildCertificateEvent({
          ...c,
          timestamp: handshake['@timestamp'] as string,
          server: { ip: serverIp, port: serverPort },
          client,
          sni,
          transport: flow.protocol === 17 ? 'udp' : 'tcp',
        }),
      );
    }
  }
  emit(handshake);
  if (findingEvents) for (const f of buildFindingEvents(handshake)) emit(f);
}
