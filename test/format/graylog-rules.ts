/**
 * What Graylog's GELF input accepts, as documented and as its codec does it:
 *
 * - GELF payload specification (go2docs.graylog.org, "GELF" → "GELF Payload Specification"):
 *   `version` "1.1"; `host` and `short_message` required; `full_message` optional;
 *   `timestamp` seconds since the epoch, decimals allowed; `level` the syslog level 0–7;
 *   `facility`, `line`, `file` deprecated; every additional field prefixed with `_`, its name
 *   matching `^[\w\.\-]*$`; `_id` not allowed; values string or number.
 * - graylog2-server `inputs/codecs/GelfCodec.java` (validateGELFMessage and decode): a `host`
 *   that is not a string or is blank rejects the message; a missing or non-string
 *   `short_message` (with no `message`) rejects it; a non-numeric `timestamp` is only warned
 *   about and then replaced by the receive time (so we reject it: packet time would be lost);
 *   the leading `_` of an additional field is stripped; booleans have "unknown value type" and
 *   are skipped; JSON containers are stored as their JSON text (so nested values never reach
 *   Graylog as fields: we reject them); `short_message`/`host` and every name already set on the
 *   message (`message`, `source`, `timestamp`, `full_message`, `level`, `facility`, `file`,
 *   `line`) or reserved by `plugin/Message.java` for Elasticsearch (`_id`, `_ttl`, `_source`,
 *   `_all`, `_index`, `_type`, `_score`) are silently dropped after the strip, and `gl2_*` is
 *   Graylog's own prefix: a field that would be dropped is a violation here.
 *
 * `gelfViolations` returns every rule a message breaks (empty: Graylog takes every field).
 */

/** Top-level names the payload specification defines (the deprecated ones included). */
const SPEC_FIELDS = new Set(['version', 'host', 'short_message', 'full_message', 'timestamp', 'level', 'facility', 'line', 'file']);

/** Names (after the `_` is stripped) that never become fields of the stored message. */
const DROPPED_AFTER_STRIP = new Set([
  'id', // the GELF spec forbids `_id`
  'short_message',
  'host',
  'message',
  'source',
  'timestamp',
  'full_message',
  'level',
  'facility',
  'file',
  'line',
  '_id',
  '_ttl',
  '_source',
  '_all',
  '_index',
  '_type',
  '_score',
]);

export const ADDITIONAL_FIELD_NAME = /^_[\w.\-]*$/;

function isBlank(s: string): boolean {
  return s.trim().length === 0;
}

export function gelfViolations(msg: unknown): string[] {
  const v: string[] = [];
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return ['not a JSON object'];
  // What Kafka carries is the JSON text: judge what survives serialization.
  const m = JSON.parse(JSON.stringify(msg)) as Record<string, unknown>;
  if (Object.keys(m).length !== Object.keys(msg).length) v.push('members lost in JSON serialization (undefined values)');

  if (m.version !== '1.1') v.push(`version must be "1.1", got ${JSON.stringify(m.version)}`);

  if (!('host' in m)) v.push('host missing');
  else if (typeof m.host !== 'string') v.push('host not a string');
  else if (isBlank(m.host)) v.push('host blank');

  if (!('short_message' in m)) v.push('short_message missing');
  else if (typeof m.short_message !== 'string') v.push('short_message not a string');
  else if (isBlank(m.short_message)) v.push('short_message blank');

  if ('full_message' in m && typeof m.full_message !== 'string') v.push('full_message not a string');

  if ('timestamp' in m) {
    if (typeof m.timestamp !== 'number' || !Number.isFinite(m.timestamp)) v.push('timestamp not a number');
    else if (m.timestamp <= 0) v.push('timestamp ≤ 0 (Graylog would use the receive time)');
  }
  if ('level' in m) {
    if (typeof m.level !== 'number' || !Number.isInteger(m.level) || m.level < 0 || m.level > 7) v.push(`level not an integer 0–7: ${JSON.stringify(m.level)}`);
  }

  for (const [key, value] of Object.entries(m)) {
    if (SPEC_FIELDS.has(key)) continue;
    if (!key.startsWith('_')) {
      v.push(`${key}: additional field without the "_" prefix`);
      continue;
    }
    if (!ADDITIONAL_FIELD_NAME.test(key)) v.push(`${key}: name does not match ^[\\w\\.\\-]*$`);
    if (key === '_id') v.push('_id: not allowed');
    const stripped = key.length > 1 ? key.slice(1) : key;
    if (key !== '_id' && DROPPED_AFTER_STRIP.has(stripped)) v.push(`${key}: Graylog drops it (reserved "${stripped}")`);
    if (stripped.startsWith('gl2_')) v.push(`${key}: gl2_ is Graylog's own prefix`);
    if (typeof value === 'string') continue;
    if (typeof value === 'number' && Number.isFinite(value)) continue;
    if (value === null) v.push(`${key}: null (skipped by Graylog)`);
    else if (typeof value === 'boolean') v.push(`${key}: boolean (skipped by Graylog)`);
    else if (typeof value === 'object') v.push(`${key}: nested value (object/array)`);
    else v.push(`${key}: value of type ${typeof value}`);
  }
  return v;
}
