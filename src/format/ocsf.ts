/**
 * OCSF 1.1.0 rendering. Every class, attribute and enum value below is taken from the OCSF
 * 1.1.0 schema (events/network/network_activity.json with includes/network/network_activities,
 * events/findings/detection_finding.json, objects/tls.json, objects/certificate.json,
 * objects/fingerprint.json, objects/tls_extension.json, objects/network_endpoint.json,
 * objects/network_connection_info.json, objects/network_traffic.json, objects/metadata.json,
 * objects/finding_info.json, objects/analytic.json, objects/evidences.json and the attribute
 * dictionary); docs/formats.md has the mapping and the reasons.
 *
 * - handshake   → Network Activity (4001), activity Open (1) when the handshake completed,
 *                 Fail (4) when it did not.
 * - certificate → Network Activity (4001), activity Other (99, activity_name
 *                 "Certificate Observed"): 1.1 has no certificate-inventory class, and the
 *                 sighting is a fact about one network connection.
 * - finding     → Detection Finding (2004), activity Create (1).
 *
 * What OCSF 1.1 has no slot for (mTLS, JA4, findings, history, chain validation, the client's
 * certificates, …) goes under `unmapped.tlsscope`.
 */
import { isIP } from 'node:net';
import { ALERT_DESCRIPTIONS } from '../registry/alert-descriptions.generated.js';
import { extensionName } from '../registry/names.js';
import {
  at,
  bool,
  certificateEntryOf,
  compact,
  connectionUid,
  dataset,
  dateMillis,
  endpointOf,
  epochMillis,
  findingsOf,
  isObject,
  num,
  sniOf,
  str,
  summary,
  alertText,
  worstSeverity,
  type CertificateEntryLike,
  type FindingLike,
  type Json,
  type Severity,
} from './common.js';
import type { FormatContext } from './index.js';

export const OCSF_VERSION = '1.1.0';

/** severity_id (dictionary): 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
export const OCSF_SEVERITY: Readonly<Record<Severity | 'none', { id: number; caption: string }>> = {
  none: { id: 1, caption: 'Informational' },
  low: { id: 2, caption: 'Low' },
  medium: { id: 3, caption: 'Medium' },
  high: { id: 4, caption: 'High' },
  critical: { id: 5, caption: 'Critical' },
};

const NETWORK_ACTIVITY = { class_uid: 4001, class_name: 'Network Activity', category_uid: 4, category_name: 'Network Activity' } as const;
const DETECTION_FINDING = { class_uid: 2004, class_name: 'Detection Finding', category_uid: 2, category_name: 'Findings' } as const;

/** fingerprint.algorithm_id: 1 MD5, 3 SHA-256. */
const MD5 = { algorithm_id: 1, algorithm: 'MD5' } as const;
const SHA256 = { algorithm_id: 3, algorithm: 'SHA-256' } as const;

/** tls_extension.type_id values OCSF 1.1 enumerates (their captions are the IANA names). */
const OCSF_TLS_EXTENSION_IDS = new Set([0, 1, 5, 10, 13, 14, 15, 16, 18, 19, 20, 21, 41, 42, 43, 44, 45, 47, 48, 49, 50, 51]);

/** IANA alert description name → code (tls.alert is the integer). */
const ALERT_CODES: ReadonlyMap<string, number> = new Map([...ALERT_DESCRIPTIONS].map(([code, name]) => [name, code]));

/** OCSF `hostname_t` (dictionary types): what `dst_endpoint.hostname` may hold. */
const HOSTNAME_T = /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;

/** Short titles of the findings (finding_info.title). */
const FINDING_TITLES: Readonly<Record<string, string>> = {
  deprecated_protocol: 'Deprecated protocol version negotiated',
  weak_cipher: 'Weak cipher suite negotiated',
  no_forward_secrecy: 'Key exchange without forward secrecy',
  weak_key: 'Weak certificate key',
  weak_signature: 'Weak certificate signature',
  expired: 'Expired certificate',
  not_yet_valid: 'Certificate not yet valid',
  expiring_soon: 'Certificate expiring soon',
  self_signed: 'Self-signed certificate',
  untrusted_chain: 'Untrusted certificate chain',
  hostname_mismatch: 'Certificate does not cover the server name',
  mtls_missing: 'Client certificate missing',
  handshake_failure: 'TLS handshake failure',
  insecure_renegotiation: 'Insecure renegotiation',
  weak_dh: 'Weak Diffie-Hellman group',
  key_not_rotated: 'Certificate key not rotated',
};

function metadata(event: Json, ctx: FormatContext): Json {
  return compact({
    version: OCSF_VERSION,
    product: compact({ name: 'tlsscope', vendor_name: 'tlsscope', version: ctx.productVersion || undefined }),
    log_name: dataset(event),
    original_time: str(event['@timestamp']),
    correlation_uid: connectionUid(event),
    loggers: ctx.host ? [{ name: ctx.host }] : undefined,
  });
}

function classification(cls: { class_uid: number; class_name: string; category_uid: number; category_name: string }, activityId: number, activityName: string, typeName: string): Json {
  return {
    activity_id: activityId,
    activity_name: activityName,
    category_uid: cls.category_uid,
    category_name: cls.category_name,
    class_uid: cls.class_uid,
    class_name: cls.class_name,
    type_uid: cls.class_uid * 100 + activityId,
    type_name: `${cls.class_name}: ${typeName}`,
  };
}

function severity(s: Severity | undefined): Json {
  const v = OCSF_SEVERITY[s ?? 'none'];
  return { severity_id: v.id, severity: v.caption };
}

function vlanOf(event: Json): string | undefined {
  return str(at(event, 'network', 'vlan', 'id'));
}

/** src_endpoint / dst_endpoint (network_endpoint). `hostname` only when it is a hostname_t. */
function endpoint(event: Json, side: 'source' | 'destination', hostname?: string): Json {
  const e = endpointOf(event, side);
  return compact({
    ip: e.ip,
    port: e.port,
    hostname: hostname !== undefined && HOSTNAME_T.test(hostname) ? hostname : undefined,
    vlan_uid: vlanOf(event),
  });
}

/** The SNI as the destination's name, unless it is the outer name of an ECH ClientHello. */
function destinationName(event: Json): string | undefined {
  if (str(at(event, 'tlsscope', 'client', 'ech', 'type')) === 'outer') return undefined;
  return sniOf(event);
}

function connectionInfo(event: Json): Json {
  const transport = str(at(event, 'network', 'transport'));
  const ipType = str(at(event, 'network', 'type')) ?? (endpointOf(event, 'source').ip?.includes(':') ? 'ipv6' : 'ipv4');
  return compact({
    protocol_name: transport,
    protocol_num: transport === 'tcp' ? 6 : transport === 'udp' ? 17 : undefined,
    protocol_ver_id: ipType === 'ipv6' ? 6 : 4,
    // A passive sensor does not know which side is inside: Unknown.
    direction_id: 0,
  });
}

function fingerprint(alg: { algorithm_id: number; algorithm: string }, value: unknown): Json | undefined {
  return typeof value === 'string' && value !== '' ? { ...alg, value } : undefined;
}

/** OCSF `certificate` of a certificate entry; an unparsable one keeps only its fingerprint. */
export function certificate(c: CertificateEntryLike): Json | undefined {
  if (!c.sha256) return undefined;
  return compact({
    subject: c.subject,
    issuer: c.issuer,
    serial_number: c.serial_number,
    created_time: dateMillis(c.not_before),
    expiration_time: dateMillis(c.not_after),
    version: c.version !== undefined ? String(c.version) : undefined,
    fingerprints: [{ ...SHA256, value: c.sha256 }],
  });
}

function sanType(name: string): string {
  if (isIP(name) !== 0) return 'IP Address';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) return 'URI';
  if (name.includes('@')) return 'Email Address';
  return 'DNS Name';
}

function sans(names: unknown): Json[] | undefined {
  if (!Array.isArray(names) || names.length === 0) return undefined;
  return names.filter((n): n is string => typeof n === 'string').map((name) => ({ name, type: sanType(name) }));
}

function tlsExtensions(codes: unknown): Json[] | undefined {
  if (!Array.isArray(codes) || codes.length === 0) return undefined;
  return codes
    .filter((c): c is number => typeof c === 'number')
    .map((code) => (OCSF_TLS_EXTENSION_IDS.has(code) ? { type_id: code, type: extensionName(code) } : { type_id: 99, type: extensionName(code), data: { code } }));
}

function alertCode(event: Json): number | undefined {
  const d = str(at(event, 'tlsscope', 'alert', 'description'));
  if (d === undefined) return undefined;
  const known = ALERT_CODES.get(d);
  if (known !== undefined) return known;
  return /^0x[0-9a-f]+$/i.test(d) ? parseInt(d.slice(2), 16) : undefined;
}

function serverChain(event: Json): CertificateEntryLike[] {
  const list = at(event, 'tlsscope', 'server', 'certificates');
  return Array.isArray(list) ? (list.filter(isObject) as CertificateEntryLike[]) : [];
}

function handshakeTls(event: Json): Json {
  const chain = serverChain(event);
  const leaf = chain[0];
  const serials = chain.map((c) => c.serial_number).filter((s): s is string => typeof s === 'string');
  const ciphers = at(event, 'tls', 'client', 'supported_ciphers');
  return compact({
    version: str(at(event, 'tls', 'version')),
    cipher: str(at(event, 'tls', 'cipher')),
    sni: sniOf(event),
    alert: alertCode(event),
    certificate: leaf ? certificate(leaf) : undefined,
    // OCSF 1.1: "a chain of Certificate Issuer Serial Numbers leading to the Root Certificate Issuer".
    certificate_chain: serials.length > 0 ? serials : undefined,
    client_ciphers: Array.isArray(ciphers) && ciphers.length > 0 ? ciphers : undefined,
    tls_extension_list: tlsExtensions(at(event, 'tlsscope', 'client', 'extensions')),
    sans: sans(leaf?.alternative_names),
    ja3_hash: fingerprint(MD5, at(event, 'tls', 'client', 'ja3')),
    ja3s_hash: fingerprint(MD5, at(event, 'tls', 'server', 'ja3s')),
  });
}

function traffic(event: Json): Json | undefined {
  const packets = at(event, 'tlsscope', 'flow', 'packets');
  const bytes = at(event, 'tlsscope', 'flow', 'bytes');
  if (!Array.isArray(packets) || !Array.isArray(bytes)) return undefined;
  const [po, pi] = packets.map(num);
  const [bo, bi] = bytes.map(num);
  if (po === undefined || pi === undefined || bo === undefined || bi === undefined) return undefined;
  // source = client: out = client → server.
  return { packets_out: po, packets_in: pi, packets: po + pi, bytes_out: bo, bytes_in: bi, bytes: bo + bi };
}

/** The facts of a handshake OCSF 1.1 has no attribute for. */
function handshakeUnmapped(event: Json): Json {
  const ts = at(event, 'tlsscope');
  const rest: Json = {};
  if (isObject(ts)) for (const [k, v] of Object.entries(ts)) if (k !== 'flow' && v !== undefined) rest[k] = v;
  const tls = compact({
    version_protocol: str(at(event, 'tls', 'version_protocol')),
    curve: str(at(event, 'tls', 'curve')),
    established: bool(at(event, 'tls', 'established')),
    resumed: bool(at(event, 'tls', 'resumed')),
    next_protocol: str(at(event, 'tls', 'next_protocol')),
  });
  return { tlsscope: { ...rest, tls } };
}

function renderHandshake(event: Json, ctx: FormatContext): Json {
  const established = bool(at(event, 'tls', 'established')) === true;
  const activityId = established ? 1 : 4;
  const activityName = established ? 'Open' : 'Fail';
  const alert = alertText(event);
  return compact({
    ...classification(NETWORK_ACTIVITY, activityId, activityName, activityName),
    time: epochMillis(event['@timestamp']),
    ...severity(worstSeverity(findingsOf(event))),
    status_id: established ? 1 : 2,
    status: established ? 'Success' : 'Failure',
    status_detail: established ? undefined : alert ? `TLS alert: ${alert}` : 'handshake not completed',
    message: summary(event),
    metadata: metadata(event, ctx),
    src_endpoint: endpoint(event, 'source'),
    dst_endpoint: endpoint(event, 'destination', destinationName(event)),
    connection_info: connectionInfo(event),
    traffic: traffic(event),
    tls: handshakeTls(event),
    unmapped: handshakeUnmapped(event),
  });
}

function renderCertificate(event: Json, ctx: FormatContext): Json {
  const c = certificateEntryOf(event);
  const side = str(at(event, 'tlsscope', 'seen', 'side'));
  const seen = at(event, 'tlsscope', 'seen');
  return compact({
    ...classification(NETWORK_ACTIVITY, 99, 'Certificate Observed', 'Other'),
    time: epochMillis(event['@timestamp']),
    ...severity(undefined),
    message: summary(event),
    metadata: metadata(event, ctx),
    src_endpoint: endpoint(event, 'source'),
    dst_endpoint: endpoint(event, 'destination', sniOf(event)),
    connection_info: connectionInfo(event),
    // tls.certificate is the server's certificate in OCSF; a client certificate stays unmapped.
    tls: compact({
      sni: sniOf(event),
      certificate: side === 'server' ? certificate(c) : undefined,
      sans: side === 'server' ? sans(c.alternative_names) : undefined,
    }),
    unmapped: { tlsscope: compact({ seen: isObject(seen) ? seen : undefined, certificate: isObject(at(event, 'tlsscope', 'certificate')) ? at(event, 'tlsscope', 'certificate') : undefined }) },
  });
}

function findingUid(event: Json, f: FindingLike): string {
  const cert = f.certificate ? `:${f.certificate.side ?? '?'}${f.certificate.position ?? ''}` : '';
  return `${connectionUid(event) ?? '?'} ${f.id ?? '?'}${cert}`;
}

function renderFinding(event: Json, ctx: FormatContext): Json {
  const f = findingsOf(event)[0] ?? {};
  const time = epochMillis(event['@timestamp']);
  const id = f.id ?? 'unknown';
  return compact({
    ...classification(DETECTION_FINDING, 1, 'Create', 'Create'),
    time,
    ...severity(f.severity),
    message: summary(event),
    metadata: metadata(event, ctx),
    finding_info: compact({
      uid: findingUid(event, f),
      title: FINDING_TITLES[id] ?? id,
      desc: f.message,
      types: [id],
      created_time: time,
      first_seen_time: time,
      data_sources: ['TLS handshake (passive capture)'],
      analytic: { type_id: 1, type: 'Rule', uid: id, name: id },
    }),
    evidences: [
      {
        src_endpoint: endpoint(event, 'source'),
        dst_endpoint: endpoint(event, 'destination', destinationName(event)),
        connection_info: connectionInfo(event),
      },
    ],
    unmapped: {
      tlsscope: compact({
        finding: isObject(at(event, 'tlsscope', 'finding')) ? at(event, 'tlsscope', 'finding') : undefined,
        ja4: str(at(event, 'tlsscope', 'ja4')),
        tls: isObject(event.tls) ? event.tls : undefined,
      }),
    },
  });
}

/** Any other dataset: an OCSF Base Event (class 0) with the event under `unmapped`. */
function renderOther(event: Json, ctx: FormatContext): Json {
  return compact({
    ...classification({ class_uid: 0, class_name: 'Base Event', category_uid: 0, category_name: 'Uncategorized' }, 99, 'Other', 'Other'),
    time: epochMillis(event['@timestamp']),
    ...severity(undefined),
    message: summary(event),
    metadata: metadata(event, ctx),
    unmapped: { tlsscope: event },
  });
}

/** The OCSF 1.1.0 event of one tlsscope event. */
export function toOcsf(event: Json, ctx: FormatContext): Json {
  switch (dataset(event)) {
    case 'tlsscope.handshake':
      return renderHandshake(event, ctx);
    case 'tlsscope.certificate':
      return renderCertificate(event, ctx);
    case 'tlsscope.finding':
      return renderFinding(event, ctx);
    default:
      return renderOther(event, ctx);
  }
}
