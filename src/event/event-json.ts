import { isShared, objectJson, sharedJson } from '../util/shared-json.js';
import type { HelloFacts } from './hello-profile.js';

/**
 * Event JSON text, the same as JSON.stringify gives (test/event/event-json.test.ts holds them
 * equal on every event of the corpora and our captures), about twice as fast for handshakes:
 *
 * - Objects shared by many events (a client stack's lists, a certificate's entries, a chain's
 *   validation, constant blocks) are marked where they are made, and their text is serialised
 *   once and reused.
 * - The handshake event is written by a serialiser that knows its shape: no walk over keys, no
 *   escape scan of strings tlsscope makes itself from closed sets and digits (versions, suite
 *   names, addresses, timestamps, fingerprints). Strings from the wire (SNI, ALPN, certificate
 *   names) are checked, and escaped by JSON.stringify when they must be.
 *
 * Measured on bench handshakes: 10.3 µs per event with JSON.stringify, 5.4 µs here (engine
 * events), 14.5 µs and 8.0 µs with certificates and findings.
 *
 * The shared objects' texts come from src/util/shared-json.ts.
 *
 * buildHandshakeEvent (handshake-event.ts) decides the event's shape: a field added there must
 * be added here too, in the same place.
 */

/** The JSON of an object: made once when it is shared. */
const part = objectJson;

/** A string from the wire or from a certificate: quoted, and escaped when it must be. */
function wire(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c < 0xe000)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

function wireList(list: readonly string[]): string {
  if (list.length === 0) return '[]';
  let s = '[' + wire(list[0]);
  for (let i = 1; i < list.length; i++) s += ',' + wire(list[i]);
  return s + ']';
}

function numbers(list: readonly number[]): string {
  return sharedJson(list) ?? '[' + list.join(',') + ']';
}

function objects(list: readonly object[]): string {
  if (list.length === 0) return '[]';
  let s = '[' + part(list[0]);
  for (let i = 1; i < list.length; i++) s += ',' + part(list[i]);
  return s + ']';
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The brand of handshake events made by buildHandshakeEvent, the only objects the shaped
 * serialiser takes: a symbol-keyed property in the event literal (JSON and key listings skip
 * symbols; a WeakSet of events cost ~0.5 µs an event).
 */
export const BUILT_HANDSHAKE: unique symbol = Symbol('tlsscope.handshake');

/** Brand an object as a handshake event of the builder's shape (tests; the builder brands in its literal). */
export function markHandshakeEvent<T extends object>(event: T): T {
  (event as Record<symbol, unknown>)[BUILT_HANDSHAKE] = true;
  return event;
}

/** The JSON text of an event (one line, no newline). */
export function eventJson(event: Record<string, unknown>): string {
  const brand = (event as Record<symbol, unknown>)[BUILT_HANDSHAKE];
  if (brand === undefined) return JSON.stringify(event);
  return handshakeJson(event as Obj, brand === true ? undefined : (brand as HelloFacts));
}

/**
 * Where long shared runs go while eventJsonPieces writes an event; null otherwise (the runs are
 * then part of the one string).
 */
let cuts: string[] | null = null;
/** Shorter runs are copied into the line: a piece of its own costs a write call. */
const CUT_MIN = 512;

/**
 * The JSON text of an event as pieces, for a writer that copies each into its output: `pieces`
 * gets the leading ones and the last is returned; joined, they are eventJson(event). A long
 * run shared by many events (a certificate's x509 object, a chain's certificate list) stays a
 * piece of its own, already flat: not copied into a new string for every event that holds it.
 */
export function eventJsonPieces(event: Record<string, unknown>, pieces: string[]): string {
  cuts = pieces;
  try {
    return eventJson(event);
  } finally {
    cuts = null;
  }
}

/** Append a run: cut out as a piece of its own when pieces are asked for and it is long. */
function cut(acc: string, run: string): string {
  if (cuts === null || run.length < CUT_MIN) return acc + run;
  cuts.push(acc, run);
  return '';
}

/** The JSON of a list of objects: made once when the list itself is shared. */
function objectList(list: readonly object[]): string {
  return sharedJson(list) ?? objects(list);
}

/**
 * Runs of the event that a stack's shared facts (hello-profile.ts) determine, written once per
 * facts object: the fingerprint strings, and the client offer's lists on either side of its
 * ALPN. A run is used only while the event's own fields are the very values it was written from.
 */
interface FactRuns {
  fingerprints: string;
  offerHead: string;
  offerLists: string;
  version: number;
}
const runs = new WeakMap<HelloFacts, FactRuns>();

function factRuns(f: HelloFacts, clientVersion: number): FactRuns | undefined {
  let r = runs.get(f);
  if (r === undefined) {
    if (!isShared(f)) return undefined; // per-connection facts (a permuted extension order): nothing to keep
    const o = f.offer;
    // Joined, not concatenated: flat strings, copied whole into every event.
    r = {
      fingerprints: ['"ja4":"', f.ja4.ja4, '","ja4_r":"', f.ja4.ja4_r, '","ja4_o":"', f.ja4.ja4_o, '","ja4_ro":"', f.ja4.ja4_ro, '","ja3_string":"', f.ja3.string, '",'].join(''),
      offerHead: ['{"version":', clientVersion, ',"versions":', numbers(o.versions), ',"cipher_suites":', numbers(o.suites), ',"extensions":', numbers(f.extensions)].join(''),
      offerLists: [
        ',"supported_groups":',
        numbers(o.supportedGroups),
        ',"signature_algorithms":',
        numbers(o.signatureAlgorithms),
        ',"ec_point_formats":',
        numbers(o.ecPointFormats),
        ',"key_share_groups":',
        numbers(o.keyShareGroups),
        ',"psk_key_exchange_modes":',
        numbers(o.pskKeyExchangeModes),
      ].join(''),
      version: clientVersion,
    };
    runs.set(f, r);
  }
  return r;
}

function handshakeJson(e: Obj, facts: HelloFacts | undefined): string {
  const t = e.tls as Obj;
  const x = e.tlsscope as Obj;
  let s =
    '{"@timestamp":"' + e['@timestamp'] + '","event":' + part(e.event) + ',"source":' + endpoint(e.source) + ',"destination":' + endpoint(e.destination) + ',"network":' + part(e.network) + ',"tls":{';
  if (t.version !== undefined) s += '"version":"' + t.version + '",';
  if (t.version_protocol !== undefined) s += '"version_protocol":"' + t.version_protocol + '",';
  if (t.cipher !== undefined) s += '"cipher":' + wire(t.cipher) + ',';
  if (t.curve !== undefined) s += '"curve":' + wire(t.curve) + ',';
  s += '"established":' + t.established + ',"resumed":' + t.resumed;
  if (t.next_protocol !== undefined) s += ',"next_protocol":' + wire(t.next_protocol);
  s += ',"client":';
  s = tlsSide(s, t.client);
  s += ',"server":';
  s = tlsSide(s, t.server);
  s += '},"tlsscope":{';
  const c = x.client as Obj | undefined;
  const r = facts !== undefined && c !== undefined ? factRuns(facts, c.version) : undefined;
  if (r !== undefined && x.ja4 === facts!.ja4.ja4 && x.ja4_r === facts!.ja4.ja4_r && x.ja4_o === facts!.ja4.ja4_o && x.ja4_ro === facts!.ja4.ja4_ro && x.ja3_string === facts!.ja3.string) {
    s += r.fingerprints;
  } else {
    if (x.ja4 !== undefined) s += '"ja4":"' + x.ja4 + '",';
    if (x.ja4_r !== undefined) s += '"ja4_r":"' + x.ja4_r + '",';
    if (x.ja4_o !== undefined) s += '"ja4_o":"' + x.ja4_o + '",';
    if (x.ja4_ro !== undefined) s += '"ja4_ro":"' + x.ja4_ro + '",';
    if (x.ja3_string !== undefined) s += '"ja3_string":"' + x.ja3_string + '",';
  }
  if (x.ja3s_string !== undefined) s += '"ja3s_string":"' + x.ja3s_string + '",';
  if (c !== undefined) {
    const o = facts?.offer;
    const head = r !== undefined && c.version === r.version && c.versions === o!.versions && c.cipher_suites === o!.suites && c.extensions === facts!.extensions;
    const lists =
      r !== undefined &&
      c.supported_groups === o!.supportedGroups &&
      c.signature_algorithms === o!.signatureAlgorithms &&
      c.ec_point_formats === o!.ecPointFormats &&
      c.key_share_groups === o!.keyShareGroups &&
      c.psk_key_exchange_modes === o!.pskKeyExchangeModes;
    s += '"client":' + clientOffer(c, head ? r.offerHead : undefined, lists ? r.offerLists : undefined) + ',';
  }
  if (x.server !== undefined) {
    s += '"server":';
    s = serverHello(s, x.server);
    s += ',';
  }
  s += '"certificates_visible":' + x.certificates_visible;
  if (x.certificates_unseen !== undefined) s += ',"certificates_unseen":"' + x.certificates_unseen + '"';
  s += ',"hello_retry_request":' + x.hello_retry_request + ',"mtls":' + mtls(x.mtls);
  if (x.alert !== undefined) s += ',"alert":' + JSON.stringify(x.alert);
  s += ',"findings":' + objects(x.findings) + ',"history":"' + x.history + '"';
  if (x.anomalies !== undefined) s += ',"anomalies":' + JSON.stringify(x.anomalies);
  const f = x.flow as { packets: number[]; bytes: number[] };
  return s + ',"flow":{"packets":[' + f.packets[0] + ',' + f.packets[1] + '],"bytes":[' + f.bytes[0] + ',' + f.bytes[1] + ']}}}';
}

function endpoint(p: { ip: string; port: number }): string {
  return '{"ip":"' + p.ip + '","port":' + p.port + '}';
}

/** ECS `tls.client` / `tls.server` appended to `acc`: every field optional, in the builder's order. */
function tlsSide(acc: string, c: Obj): string {
  let f = ''; // fields, each led by a comma
  if (c.server_name !== undefined) f += ',"server_name":' + wire(c.server_name);
  if (c.ja3 !== undefined) f += ',"ja3":"' + c.ja3 + '"';
  if (c.supported_ciphers !== undefined) f += ',"supported_ciphers":' + part(c.supported_ciphers);
  if (c.ja3s !== undefined) f += ',"ja3s":"' + c.ja3s + '"';
  const run = c.x509 !== undefined && isShared(c.x509) ? leafRun(c) : undefined;
  if (run !== undefined) return cut(acc + '{' + (f.length > 0 ? f.slice(1) + ',' : ''), run.text) + '}';
  f += leafFields(c);
  return acc + (f.length === 0 ? '{}' : '{' + f.slice(1) + '}');
}

/** The leaf's fields of a side (hash, x509, subject, issuer, dates), each led by a comma. */
function leafFields(c: Obj): string {
  let f = '';
  if (c.hash !== undefined) f += ',"hash":' + part(c.hash);
  if (c.x509 !== undefined) f += ',"x509":' + part(c.x509);
  if (c.subject !== undefined) f += ',"subject":' + wire(c.subject);
  if (c.issuer !== undefined) f += ',"issuer":' + wire(c.issuer);
  if (c.not_before !== undefined) f += ',"not_before":"' + c.not_before + '"';
  if (c.not_after !== undefined) f += ',"not_after":"' + c.not_after + '"';
  return f;
}

/**
 * The leaf's part of `tls.client` / `tls.server` (leafFields, without the leading comma),
 * written once per certificate view: keyed by its shared x509 object, used while the side's
 * other fields are the very values it was written from.
 */
interface LeafRun {
  hash: unknown;
  subject: unknown;
  issuer: unknown;
  not_before: unknown;
  not_after: unknown;
  text: string;
}
const leafRuns = new WeakMap<object, LeafRun>();

function leafRun(c: Obj): LeafRun | undefined {
  let r = leafRuns.get(c.x509);
  if (r === undefined) {
    if (c.hash === undefined || !isShared(c.hash)) return undefined;
    r = { hash: c.hash, subject: c.subject, issuer: c.issuer, not_before: c.not_before, not_after: c.not_after, text: leafFields(c).slice(1) };
    leafRuns.set(c.x509, r);
  }
  return c.hash === r.hash && c.subject === r.subject && c.issuer === r.issuer && c.not_before === r.not_before && c.not_after === r.not_after ? r : undefined;
}

/** `tlsscope.client`. */
function clientOffer(c: Obj, head: string | undefined, lists: string | undefined): string {
  let s = head ?? '{"version":' + c.version + ',"versions":' + numbers(c.versions) + ',"cipher_suites":' + numbers(c.cipher_suites) + ',"extensions":' + numbers(c.extensions);
  if (c.alpn !== undefined) s += ',"alpn":' + wireList(c.alpn);
  if (lists !== undefined) s += lists;
  else {
    s += ',"supported_groups":' + numbers(c.supported_groups) + ',"signature_algorithms":' + numbers(c.signature_algorithms) + ',"ec_point_formats":' + numbers(c.ec_point_formats);
    s += ',"key_share_groups":' + numbers(c.key_share_groups) + ',"psk_key_exchange_modes":' + numbers(c.psk_key_exchange_modes);
  }
  if (c.server_names !== undefined) s += ',"server_names":' + wireList(c.server_names);
  s += ',"session_id_length":' + c.session_id_length;
  if (c.session_ticket !== undefined) s += ',"session_ticket":' + c.session_ticket;
  s += ',"psk_offered":' + c.psk_offered + ',"early_data":' + c.early_data + ',"secure_renegotiation":' + c.secure_renegotiation;
  if (c.ech !== undefined) s += ',"ech":' + JSON.stringify(c.ech);
  if (c.sslv2_format !== undefined) s += ',"sslv2_format":' + c.sslv2_format;
  if (c.certificates !== undefined) s += ',"certificates":' + objectList(c.certificates);
  if (c.validation !== undefined) s += ',"validation":' + part(c.validation);
  return s + '}';
}

/** `tlsscope.server` (a ServerHello's, or SSL 2.0's `{version, certificates, validation}`), appended to `acc`. */
function serverHello(acc: string, c: Obj): string {
  let s = acc + '{"version":' + c.version;
  if (c.version_detail !== undefined) s += ',"version_detail":' + wire(c.version_detail);
  if (c.cipher_suite !== undefined) s += ',"cipher_suite":' + c.cipher_suite;
  if (c.extensions !== undefined) s += ',"extensions":' + numbers(c.extensions);
  if (c.session_id_length !== undefined) s += ',"session_id_length":' + c.session_id_length;
  if (c.secure_renegotiation !== undefined) s += ',"secure_renegotiation":' + c.secure_renegotiation;
  if (c.extended_master_secret !== undefined) s += ',"extended_master_secret":' + c.extended_master_secret;
  if (c.ocsp_stapled !== undefined) s += ',"ocsp_stapled":' + c.ocsp_stapled;
  if (c.ticket_issued !== undefined) s += ',"ticket_issued":' + c.ticket_issued;
  if (c.dh_prime_bits !== undefined) s += ',"dh_prime_bits":' + c.dh_prime_bits;
  if (c.certificates !== undefined) s = cut(s + ',"certificates":', objectList(c.certificates));
  if (c.validation !== undefined) s += ',"validation":' + part(c.validation);
  if (c.hostname_match !== undefined) s += ',"hostname_match":' + c.hostname_match;
  return s + '}';
}

/** `tlsscope.mtls` (mtls.ts: requested, presented, method[, confidence][, evidence]). */
function mtls(m: Obj): string {
  let s = '{"requested":' + m.requested + ',"presented":' + m.presented + ',"method":"' + m.method + '"';
  if (m.confidence !== undefined) s += ',"confidence":"' + m.confidence + '"';
  if (m.evidence !== undefined) s += ',"evidence":' + wire(m.evidence);
  return s + '}';
}
