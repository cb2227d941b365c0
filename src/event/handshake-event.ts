import { isTls13Family } from '../../parsers/tls/constants.js';
import type { Flow } from '../flow/flow.js';
import type { TlsConnection } from '../tls/connection.js';
import { alertName, cipherName, groupName, sslv2CipherName, versionDetail, versionName, versionProtocol } from '../registry/names.js';
import { ipv4Text, ipv6Text, rfc3339 } from './ip.js';
import type { CertificateView, Enrichment } from '../enrich/enricher.js';
import type { ValidationResult } from '../enrich/x509/validate.js';
import { ja3s } from '../enrich/fingerprints/index.js';
import { markShared } from '../util/shared-json.js';
import { BUILT_HANDSHAKE } from './event-json.js';
import { helloFacts } from './hello-profile.js';

/**
 * The handshake event: the contract of docs/events.md, built once per connection. Its JSON is
 * written by event-json.ts, which knows this shape: add a field there too, in the same place
 * (test/event/event-json.test.ts holds the two equal).
 */
export type HandshakeEvent = Record<string, unknown>;

export function endpointText(flow: Flow, a: boolean): string {
  if (flow.ipVersion === 6) return ipv6Text((a ? flow.a6 : flow.b6)!);
  return ipv4Text(a ? flow.a4 : flow.b4);
}

// The parts every event of a kind has in common: built once, frozen, shared by every event.
const eventBlock = (outcome: 'success' | 'failure') =>
  markShared(
    Object.freeze({
    kind: 'event',
    category: ['network'],
    type: ['connection', 'protocol'],
    dataset: 'tlsscope.handshake',
    module: 'tlsscope',
    outcome,
  }),
  );
const EVENT_SUCCESS = eventBlock('success');
const EVENT_FAILURE = eventBlock('failure');
const NETWORK = {
  tcp4: markShared(Object.freeze({ transport: 'tcp', type: 'ipv4', protocol: 'tls' })),
  tcp6: markShared(Object.freeze({ transport: 'tcp', type: 'ipv6', protocol: 'tls' })),
  udp4: markShared(Object.freeze({ transport: 'udp', type: 'ipv4', protocol: 'tls' })),
  udp6: markShared(Object.freeze({ transport: 'udp', type: 'ipv6', protocol: 'tls' })),
};

function networkOf(flow: Flow): Record<string, unknown> {
  const transport = flow.protocol === 17 ? 'udp' : 'tcp';
  const type = flow.ipVersion === 6 ? 'ipv6' : 'ipv4';
  if (flow.vlan) return { transport, type, protocol: 'tls', vlan: { id: String(flow.vlan) } };
  return NETWORK[flow.protocol === 17 ? (flow.ipVersion === 6 ? 'udp6' : 'udp4') : flow.ipVersion === 6 ? 'tcp6' : 'tcp4'];
}

/** ECS `tls.version` for a negotiated version; TLS 1.3 drafts and experiments count as "1.3". */
function ecsVersion(v: number): string | undefined {
  return versionName(v) ?? (isTls13Family(v) ? '1.3' : undefined);
}

/**
 * Build the event of one connection. Orientation: source = the side that sent the
 * ClientHello (or, when it was not captured, the side that did not send the ServerHello).
 */
export function buildHandshakeEvent(flow: Flow, conn: TlsConnection, e: Enrichment): HandshakeEvent {
  const clientIsA = conn.clientDir !== 1;
  const ch = conn.clientHello;
  const sh = conn.serverHello;
  const v2 = conn.sslv2ServerHello;
  const tsSec = conn.tsSec || flow.firstSec;
  const tsNsec = conn.tsSec ? conn.tsNsec : flow.firstNsec;

  // negotiated parameters
  let version: number | undefined;
  let cipher: string | undefined;
  let cipherCode: number | undefined;
  if (sh) {
    version = sh.selectedVersion;
    cipherCode = sh.cipherSuite;
    cipher = cipherName(sh.cipherSuite);
  } else if (v2) {
    version = 0x0002;
    const kind = conn.sslv2CipherKind ?? v2.cipherKinds[0];
    if (kind !== undefined) cipher = sslv2CipherName(kind);
  }
  let curve: string | undefined;
  if (sh) {
    if (conn.tls13) {
      const g = sh.ext.keyShareGroups[0];
      if (g !== undefined) curve = groupName(g);
    } else if (conn.serverKeyExchange?.group !== undefined) {
      curve = groupName(conn.serverKeyExchange.group);
    }
  }

  const serverLeaf = e.server[0];
  const clientLeaf = e.client[0];
  const serverEntries = e.serverEntries;
  const clientEntries = conn.clientCertificates ? e.clientEntries : undefined;

  // Client offer (GREASE kept out of every list) and fingerprints of the first ClientHello,
  // one shared profile per client stack (hello-profile.ts); JA3S of the final ServerHello.
  const facts = ch ? helloFacts(ch, conn.dtls ? 'd' : 't') : undefined;
  const offer = facts?.offer;
  const mtls = e.mtls;
  const fpJa3 = facts?.ja3;
  const fpJa3s = sh ? ja3s(sh) : undefined;
  const fpJa4 = facts?.ja4;
  const established = conn.established;
  const ecsVer = version !== undefined ? ecsVersion(version) : undefined;

  const event: HandshakeEvent = {
    [BUILT_HANDSHAKE]: facts ?? true,
    '@timestamp': rfc3339(tsSec, tsNsec),
    event: established ? EVENT_SUCCESS : EVENT_FAILURE,
    source: { ip: endpointText(flow, clientIsA), port: clientIsA ? flow.aPort : flow.bPort },
    destination: { ip: endpointText(flow, !clientIsA), port: clientIsA ? flow.bPort : flow.aPort },
    network: networkOf(flow),
    tls: {
      version: ecsVer,
      version_protocol: version !== undefined ? versionProtocol(version) : undefined,
      cipher,
      curve,
      established,
      resumed: conn.resumed,
      next_protocol: sh?.ext.alpn[0],
      client: withLeaf({ server_name: ch?.ext.serverNames[0], ja3: fpJa3?.hash, supported_ciphers: offer?.names }, clientLeaf),
      server: withLeaf({ ja3s: fpJa3s?.hash }, serverLeaf),
    },
    tlsscope: {
      ja4: fpJa4?.ja4,
      ja4_r: fpJa4?.ja4_r,
      ja4_o: fpJa4?.ja4_o,
      ja4_ro: fpJa4?.ja4_ro,
      ja3_string: fpJa3?.string,
      ja3s_string: fpJa3s?.string,
      client: ch
        ? {
            version: ch.version,
            versions: offer!.versions,
            cipher_suites: offer!.suites,
            extensions: facts!.extensions,
            alpn: ch.ext.alpn,
            supported_groups: offer!.supportedGroups,
            signature_algorithms: offer!.signatureAlgorithms,
            ec_point_formats: offer!.ecPointFormats,
            key_share_groups: offer!.keyShareGroups,
            psk_key_exchange_modes: offer!.pskKeyExchangeModes,
            server_names: ch.ext.serverNames.length > 1 ? ch.ext.serverNames : undefined,
            session_id_length: ch.sessionId.length,
            session_ticket: ch.ext.sessionTicketLength !== undefined ? ch.ext.sessionTicketLength > 0 : undefined,
            psk_offered: ch.ext.types.includes(41),
            early_data: ch.ext.earlyData,
            secure_renegotiation: ch.ext.renegotiationInfo || offer!.renegotiationScsv,
            ech: ch.ext.ech
              ? { type: ch.ext.ech.type === 0 ? 'outer' : 'inner', kdf_id: ch.ext.ech.kdfId, aead_id: ch.ext.ech.aeadId, config_id: ch.ext.ech.configId }
              : undefined,
            sslv2_format: ch.sslv2Format || undefined,
            certificates: clientEntries,
            validation: validationOf(e.clientValidation),
          }
        : undefined,
      server: sh
        ? {
            version: sh.selectedVersion,
            version_detail: versionDetail(sh.selectedVersion),
            cipher_suite: cipherCode,
            extensions: sh.ext.types,
            session_id_length: sh.sessionId.length,
            secure_renegotiation: sh.ext.renegotiationInfo,
            extended_master_secret: sh.ext.extendedMasterSecret,
            ocsp_stapled: conn.certificateStatus || undefined,
            ticket_issued: conn.ticketIssued || undefined,
            ...(conn.serverKeyExchange?.kind === 'dhe' ? { dh_prime_bits: conn.serverKeyExchange.dhPrimeBits } : {}),
            certificates: serverEntries,
            validation: validationOf(e.serverValidation),
            hostname_match: e.hostnameMatches,
          }
        : v2
          ? { version: 2, certificates: serverEntries, validation: validationOf(e.serverValidation) }
          : undefined,
      certificates_visible: e.server.length > 0,
      certificates_unseen: e.certificatesUnseen,
      hello_retry_request: conn.helloRetryRequest !== undefined,
      mtls,
      alert: conn.lastAlert
        ? {
            level: conn.lastAlert.level === 2 ? 'fatal' : 'warning',
            description: alertName(conn.lastAlert.description),
            from: conn.lastAlert.from === 'C' ? 'client' : 'server',
          }
        : conn.encryptedAbort
          ? { level: 'fatal', description: 'encrypted', from: 'server', encrypted: true }
          : undefined,
      findings: e.findings,
      history: conn.history,
      anomalies: conn.anomalies.length > 0 ? conn.anomalies : undefined,
      flow: {
        packets: clientIsA ? [flow.packets0, flow.packets1] : [flow.packets1, flow.packets0],
        bytes: clientIsA ? [flow.bytes0, flow.bytes1] : [flow.bytes1, flow.bytes0],
      },
    },
  };
  return event;
}

/** ECS `tls.client|server.hash`, `x509`, and the leaf's DN strings and dates beside them, when a leaf was seen. */
function withLeaf(side: Record<string, unknown>, leaf: CertificateView | undefined): Record<string, unknown> {
  if (leaf === undefined) return side;
  side.hash = leaf.hash;
  side.x509 = leaf.ecs;
  side.subject = leaf.peer.subject;
  side.issuer = leaf.peer.issuer;
  side.not_before = leaf.peer.not_before;
  side.not_after = leaf.peer.not_after;
  return side;
}

// Validation results are reused for as long as a chain's outcome holds (Enricher.validate):
// their event form is too.
const validations = new WeakMap<ValidationResult, Record<string, unknown>>();

function validationOf(v: ValidationResult | undefined): Record<string, unknown> | undefined {
  if (!v) return undefined;
  let o = validations.get(v);
  if (o === undefined) {
    o = markShared(Object.freeze(v.trusted ? { trusted: true, chain: v.chain } : { trusted: false, reason: v.reason, detail: v.detail, failed_at: v.failed_at, chain: v.chain }));
    validations.set(v, o);
  }
  return o;
}
