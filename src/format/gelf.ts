/**
 * GELF 1.1 rendering, for Graylog's "GELF Kafka" input (one GELF document per Kafka message).
 *
 * What Graylog's GELF codec (graylog2-server GelfCodec, Message) does with a document decides
 * the shape:
 * - `host` must be a non-empty string, `short_message` a non-empty string, `timestamp` a
 *   number (seconds since the epoch, fraction allowed; absent or ≤ 0 means "receive time"),
 *   `level` a syslog severity 0–7.
 * - Additional fields start with `_`; the codec strips that underscore. Nested objects and
 *   arrays would be stored as JSON text, so everything is flattened here: nested paths joined
 *   with `_` (`_tls_client_server_name`), arrays of scalars comma-joined, arrays of objects as
 *   JSON text, booleans as "true"/"false", null/undefined left out.
 * - Names keep to `^[\w\.\-]*$` (anything else becomes `_`). `_id` is forbidden by the GELF
 *   spec, and names that would land on a field Graylog sets itself or drops (`message`,
 *   `source`, `timestamp`, `full_message`, `level`, `host`, …, Elasticsearch's `_id`,
 *   `_source`, … after the strip, `gl2_*`) are renamed with an `ecs_` prefix
 *   (`message` → `_ecs_message`) instead of being lost.
 */
import {
  at,
  certificateEntryOf,
  connectionUid,
  dataset,
  epochSeconds,
  findingsOf,
  isObject,
  alertText,
  str,
  summary,
  worstSeverity,
  type FindingLike,
  type Json,
  type Severity,
} from './common.js';
import type { FormatContext } from './index.js';

/** Syslog severity of the worst finding (GELF `level`); no finding → 6 (informational). */
export const GELF_LEVEL: Readonly<Record<Severity | 'none', number>> = { critical: 2, high: 3, medium: 4, low: 5, none: 6 };

/** The pattern Graylog documents for additional field names (without the leading `_`). */
export const GELF_FIELD_NAME = /^[\w.\-]*$/;

/**
 * Names (after Graylog strips the leading underscore) that an additional field must not take:
 * `id` (GELF spec), the fields the codec sets itself or skips, and Elasticsearch's own fields.
 */
const RESERVED = new Set([
  'id',
  'message',
  'short_message',
  'full_message',
  'source',
  'host',
  'timestamp',
  'level',
  'facility',
  'file',
  'line',
  'streams',
  '_id',
  '_ttl',
  '_source',
  '_all',
  '_index',
  '_type',
  '_score',
]);

/** GELF name of one flattened path: `_` + sanitized path, moved aside when reserved. */
export function gelfFieldName(path: string): string {
  let name = path.replace(/[^\w.\-]/g, '_');
  if (RESERVED.has(name) || name.startsWith('gl2_')) name = `ecs_${name}`;
  return `_${name}`;
}

type Scalar = string | number | boolean;

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function scalarText(v: Scalar): string {
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
}

/** Flatten `value` at `path` into `out` (GELF names as keys, string or number values). */
function flatten(value: unknown, path: string, out: Json): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== undefined && v !== null);
    if (items.length === 0) return;
    put(out, path, items.every(isScalar) ? (items as Scalar[]).map(scalarText).join(',') : JSON.stringify(items));
    return;
  }
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}_${k}` : k, out);
    return;
  }
  if (typeof value === 'boolean') put(out, path, value ? 'true' : 'false');
  else if (typeof value === 'number') put(out, path, Number.isFinite(value) ? value : String(value));
  else if (typeof value === 'string') put(out, path, value);
  else put(out, path, String(value));
}

function put(out: Json, path: string, value: string | number): void {
  let name = gelfFieldName(path);
  // Two paths that sanitize to one name (a.b_c vs a_b.c): keep both.
  if (name in out) {
    let i = 2;
    while (`${name}_${i}` in out) i++;
    name = `${name}_${i}`;
  }
  out[name] = value;
}

function findingLine(f: FindingLike): string {
  const ref = f.reference ? ` (${f.reference})` : '';
  return `- [${f.severity ?? '?'}] ${f.id ?? '?'}: ${f.message ?? ''}${ref}`;
}

function validationLine(side: string, v: unknown): string | undefined {
  if (!isObject(v)) return undefined;
  if (v.trusted === true) return `${side} chain: trusted`;
  const detail = str(v.detail);
  return `${side} chain: not trusted (${str(v.reason) ?? '?'}${detail ? ': ' + detail : ''})`;
}

/** The longer text: the findings one per line, alert, chain verdicts, mTLS, fingerprints. */
function fullMessage(event: Json, short: string): string {
  const lines = [short];
  const ds = dataset(event);
  if (ds === 'tlsscope.handshake') {
    const findings = findingsOf(event);
    if (findings.length > 0) lines.push('findings:', ...findings.map(findingLine));
    const alert = alertText(event);
    if (alert) lines.push(`alert: ${alert}`);
    for (const side of ['server', 'client'] as const) {
      const l = validationLine(side, at(event, 'tlsscope', side, 'validation'));
      if (l) lines.push(l);
    }
    const mtls = at(event, 'tlsscope', 'mtls');
    if (isObject(mtls)) lines.push(`mTLS: requested=${String(mtls.requested)} presented=${String(mtls.presented)} (${str(mtls.method) ?? '?'})`);
    const fp = [
      ['JA3', at(event, 'tls', 'client', 'ja3')],
      ['JA3S', at(event, 'tls', 'server', 'ja3s')],
      ['JA4', at(event, 'tlsscope', 'ja4')],
    ]
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => `${k} ${v as string}`);
    if (fp.length > 0) lines.push(fp.join('  '));
  } else if (ds === 'tlsscope.certificate') {
    const c = certificateEntryOf(event);
    const kv: [string, unknown][] = [
      ['subject', c.subject],
      ['issuer', c.issuer],
      ['serial', c.serial_number],
      ['valid', c.not_before !== undefined ? `${c.not_before} – ${c.not_after ?? '?'}` : undefined],
      ['SANs', c.alternative_names?.join(', ')],
      ['key', c.public_key_algorithm !== undefined ? [c.public_key_algorithm, c.public_key_size, c.public_key_curve].filter((x) => x !== undefined).join(' ') : undefined],
      ['signature', c.signature_algorithm],
      ['sha256', c.sha256],
      ['parse error', c.parse_error],
    ];
    for (const [k, v] of kv) if (typeof v === 'string' && v !== '') lines.push(`${k}: ${v}`);
  } else if (ds === 'tlsscope.finding') {
    const f = findingsOf(event)[0];
    if (f) {
      if (f.reason) lines.push(`reason: ${f.reason}`);
      if (f.reference) lines.push(`reference: ${f.reference}`);
      if (f.certificate?.subject) lines.push(`certificate: ${f.certificate.subject} (${f.certificate.side ?? '?'} #${f.certificate.position ?? '?'})`);
    }
  }
  return lines.join('\n');
}

/** The GELF document of one tlsscope event. */
export function toGelf(event: Json, ctx: FormatContext): Json {
  const findings = findingsOf(event);
  const worst = worstSeverity(findings);
  const short = summary(event);
  const out: Json = {
    version: '1.1',
    host: ctx.host.trim() !== '' ? ctx.host : 'tlsscope', // Graylog rejects a blank host
    short_message: short,
    full_message: fullMessage(event, short),
  };
  const ts = epochSeconds(event['@timestamp']);
  if (ts !== undefined) out.timestamp = ts;
  out.level = GELF_LEVEL[worst ?? 'none'];

  // Derived fields first, so a flattened path can never take their names.
  const derived: Json = {};
  if (findings.length > 0) derived._finding_ids = findings.map((f) => f.id ?? '?').join(',');
  derived._finding_count = findings.length;
  derived._worst_severity = worst ?? 'none';
  const conn = connectionUid(event);
  if (conn) derived._connection_uid = conn;
  if (typeof event['@timestamp'] === 'string') derived._event_timestamp = event['@timestamp'];
  if (ctx.productVersion) derived._sensor_version = ctx.productVersion;
  Object.assign(out, derived);

  for (const [k, v] of Object.entries(event)) {
    if (k === '@timestamp') continue; // GELF `timestamp`, and `_event_timestamp` verbatim
    flatten(v, k, out);
  }
  return out;
}
