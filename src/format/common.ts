/**
 * What the GELF and OCSF renderings share: reading the ECS event defensively (a renderer gets
 * whatever a sink holds, live objects with `undefined` members as well as JSON round-trips),
 * the packet time in seconds / milliseconds, the worst finding, and the one-line summaries a
 * human reads first (GELF `short_message`, OCSF `message`).
 */

export type Json = Record<string, unknown>;
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export const SEVERITY_ORDER: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export interface FindingLike {
  id?: string;
  severity?: Severity;
  message?: string;
  reference?: string;
  reason?: string;
  certificate?: { sha256?: string; subject?: string; position?: number; side?: string };
}

export interface CertificateEntryLike {
  sha256?: string;
  parse_error?: string;
  subject?: string;
  issuer?: string;
  serial_number?: string;
  not_before?: string;
  not_after?: string;
  public_key_algorithm?: string;
  public_key_size?: number;
  public_key_curve?: string;
  signature_algorithm?: string;
  alternative_names?: string[];
  version?: number;
  is_ca?: boolean;
  self_signed?: boolean;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `obj.a.b.c`, undefined as soon as a step is not an object. */
export function at(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

export function dataset(event: Json): string | undefined {
  return str(at(event, 'event', 'dataset'));
}

/** A copy without `undefined` members (OCSF objects are built with optional members inline). */
export function compact<T extends Json>(o: T): T {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// time

/**
 * The event's `@timestamp` (RFC 3339, UTC, µs or ns) as whole seconds plus the fraction digits.
 * Undefined when it is missing or not of that form.
 */
export function splitTimestamp(ts: unknown): { sec: number; frac: string } | undefined {
  if (typeof ts !== 'string') return undefined;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(?:Z|[+-]00:00)$/.exec(ts);
  if (!m) return undefined;
  const ms = Date.parse(m[1] + 'Z');
  if (!Number.isFinite(ms)) return undefined;
  return { sec: Math.floor(ms / 1000), frac: m[2] ?? '' };
}

/**
 * Seconds since the epoch with µs precision, as GELF wants it (a number with the fraction).
 * Built from the decimal text so that the double is the one nearest to the exact µs value.
 */
export function epochSeconds(ts: unknown): number | undefined {
  const t = splitTimestamp(ts);
  if (!t) return undefined;
  const micros = t.frac.padEnd(6, '0').slice(0, 6);
  return Number(`${t.sec}.${micros}`);
}

/** Milliseconds since the epoch (OCSF `timestamp_t`), fraction below 1 ms dropped. */
export function epochMillis(ts: unknown): number | undefined {
  const t = splitTimestamp(ts);
  if (!t) return undefined;
  return t.sec * 1000 + Number(t.frac.padEnd(3, '0').slice(0, 3));
}

/** An RFC 3339 date of a certificate ("2027-12-04T15:53:36Z") in ms, or undefined. */
export function dateMillis(d: unknown): number | undefined {
  if (typeof d !== 'string') return undefined;
  const ms = Date.parse(d);
  return Number.isFinite(ms) ? ms : undefined;
}

// ---------------------------------------------------------------------------------------------
// findings

export function findingsOf(event: Json): FindingLike[] {
  if (dataset(event) === 'tlsscope.finding') {
    const f = at(event, 'tlsscope', 'finding');
    return isObject(f) ? [f as FindingLike] : [];
  }
  const list = at(event, 'tlsscope', 'findings');
  return Array.isArray(list) ? (list.filter(isObject) as FindingLike[]) : [];
}

export function worstSeverity(findings: readonly FindingLike[]): Severity | undefined {
  let worst = -1;
  for (const f of findings) worst = Math.max(worst, SEVERITY_ORDER.indexOf(f.severity as Severity));
  return worst < 0 ? undefined : SEVERITY_ORDER[worst];
}

// ---------------------------------------------------------------------------------------------
// connection

export interface EndpointLike {
  ip?: string;
  port?: number;
}

export function endpointOf(event: Json, side: 'source' | 'destination'): EndpointLike {
  const e = event[side];
  return isObject(e) ? { ip: str(e.ip), port: num(e.port) } : {};
}

/** "10.0.0.1:443", "[2001:db8::1]:443", "?" when unknown. */
export function endpointText(e: EndpointLike): string {
  if (!e.ip) return '?';
  const host = e.ip.includes(':') ? `[${e.ip}]` : e.ip;
  return e.port === undefined ? host : `${host}:${e.port}`;
}

/**
 * One identifier for everything tlsscope says about one connection: its handshake, the
 * certificates first seen on it and its findings all carry the handshake's packet time and
 * endpoints, so they share this string (OCSF `metadata.correlation_uid`, GELF `_connection_uid`).
 */
export function connectionUid(event: Json): string | undefined {
  const ts = str(event['@timestamp']);
  const s = endpointOf(event, 'source');
  const d = endpointOf(event, 'destination');
  if (!ts || !s.ip || !d.ip) return undefined;
  return `${ts} ${endpointText(s)}-${endpointText(d)}`;
}

export function sniOf(event: Json): string | undefined {
  return str(at(event, 'tls', 'client', 'server_name')) ?? str(at(event, 'tlsscope', 'seen', 'server_name'));
}

/** "TLS 1.2", "SSL 3.0", "DTLS 1.2"; the version is "?" when no ServerHello was seen. */
export function protocolText(event: Json): string {
  const proto = str(at(event, 'tls', 'version_protocol')) ?? (str(at(event, 'network', 'transport')) === 'udp' ? 'dtls' : 'tls');
  const version = str(at(event, 'tls', 'version'));
  return `${proto.toUpperCase()} ${version ?? '?'}`;
}

/** "fatal handshake_failure from server", from `tlsscope.alert`. */
export function alertText(event: Json): string | undefined {
  const a = at(event, 'tlsscope', 'alert');
  if (!isObject(a)) return undefined;
  const parts = [str(a.level), str(a.description)].filter((x): x is string => x !== undefined);
  if (parts.length === 0) return undefined;
  const from = str(a.from);
  return from ? `${parts.join(' ')} from ${from}` : parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// one-line summaries

function findingsTail(findings: readonly FindingLike[]): string {
  if (findings.length === 0) return '';
  return '; findings: ' + findings.map((f) => `${f.id ?? '?'}(${f.severity ?? '?'})`).join(', ');
}

/**
 * `TLS 1.2 10.0.0.1:51234 → 10.0.0.2:443 example.com TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
 * established; findings: expired(high), weak_key(high)`.
 */
export function handshakeSummary(event: Json): string {
  const parts: string[] = [protocolText(event), `${endpointText(endpointOf(event, 'source'))} → ${endpointText(endpointOf(event, 'destination'))}`];
  const sni = sniOf(event);
  if (sni) parts.push(sni);
  const cipher = str(at(event, 'tls', 'cipher'));
  if (cipher) parts.push(cipher);
  if (bool(at(event, 'tls', 'established'))) {
    parts.push(bool(at(event, 'tls', 'resumed')) ? 'established (resumed)' : 'established');
  } else {
    const alert = alertText(event);
    parts.push(alert ? `failed (${alert})` : 'not established');
  }
  if (bool(at(event, 'tlsscope', 'mtls', 'presented'))) parts.push('mTLS');
  return parts.join(' ') + findingsTail(findingsOf(event));
}

export function certificateEntryOf(event: Json): CertificateEntryLike {
  const c = at(event, 'tlsscope', 'certificate');
  return isObject(c) ? (c as CertificateEntryLike) : {};
}

/**
 * `Certificate CN=a issued by CN=b, expires 2027-12-04T15:53:36Z (server #0, example.com
 * 10.0.0.2:443)`; an unparsable one is named by its SHA-256.
 */
export function certificateSummary(event: Json): string {
  const c = certificateEntryOf(event);
  const side = str(at(event, 'tlsscope', 'seen', 'side')) ?? '?';
  const position = num(at(event, 'tlsscope', 'seen', 'position'));
  const where = [`${side} #${position ?? '?'}`];
  const sni = sniOf(event);
  if (sni) where.push(sni);
  where.push(endpointText(endpointOf(event, 'destination')));
  const tail = ` (${where.join(', ')})`;
  if (c.parse_error !== undefined || c.subject === undefined) {
    return `Certificate SHA-256 ${c.sha256 ?? '?'} could not be parsed: ${c.parse_error ?? 'no details'}${tail}`;
  }
  return `Certificate ${c.subject} issued by ${c.issuer ?? '?'}, expires ${c.not_after ?? '?'}${tail}`;
}

/** `[high] expired: <message> — 10.0.0.1:51234 → 10.0.0.2:443 example.com`. */
export function findingSummary(event: Json): string {
  const f = findingsOf(event)[0] ?? {};
  const msg = f.message ?? str(event.message) ?? '';
  const sni = sniOf(event);
  const conn = `${endpointText(endpointOf(event, 'source'))} → ${endpointText(endpointOf(event, 'destination'))}${sni ? ' ' + sni : ''}`;
  return `[${f.severity ?? '?'}] ${f.id ?? '?'}: ${msg} — ${conn}`;
}

/** Any other dataset: what it is and where. */
export function genericSummary(event: Json): string {
  return `${dataset(event) ?? 'event'} ${endpointText(endpointOf(event, 'source'))} → ${endpointText(endpointOf(event, 'destination'))}`;
}

export function summary(event: Json): string {
  switch (dataset(event)) {
    case 'tlsscope.handshake':
      return handshakeSummary(event);
    case 'tlsscope.certificate':
      return certificateSummary(event);
    case 'tlsscope.finding':
      return findingSummary(event);
    default:
      return genericSummary(event);
  }
}
