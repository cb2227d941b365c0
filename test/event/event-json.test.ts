import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENRICH_OPTIONS, Enricher } from '../../src/enrich/enricher.js';
import { loadPolicy } from '../../src/enrich/policy.js';
import { connectionEvents } from '../../src/event/connection-events.js';
import { eventJson, eventJsonPieces, markHandshakeEvent } from '../../src/event/event-json.js';
import { Sensor } from '../../src/sensor.js';
import { readCapture } from '../../src/source/file-source.js';
import { isShared, markShared, objectJson, sharedJson } from '../../src/util/shared-json.js';
import { capturesUnder, corpusRoot, pcapsDir } from '../support/paths.js';

/** Every event object as built (not a JSON copy: shared objects keep their identity). */
async function eventsOf(files: string[], enabled: boolean, extra: { caFiles?: string[]; policyFile?: string } = {}): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  const enricher = new Enricher({
    ...DEFAULT_ENRICH_OPTIONS,
    enabled,
    caFiles: extra.caFiles ?? [],
    ...(extra.policyFile ? { policy: loadPolicy(extra.policyFile) } : {}),
  });
  for (const f of files) {
    const sensor = new Sensor((flow, conn) => connectionEvents(flow, conn, enricher, (e) => all.push(e)));
    await readCapture(f, sensor.packet.bind(sensor));
    sensor.finish();
  }
  return all;
}

let full: Record<string, unknown>[] = [];
let bare: Record<string, unknown>[] = [];

beforeAll(async () => {
  const files = [
    ...capturesUnder(path.join(corpusRoot, 'zeek/traces')),
    ...capturesUnder(path.join(corpusRoot, 'ja4/pcaps')),
    ...capturesUnder(path.join(corpusRoot, 'ja3')),
    ...capturesUnder(pcapsDir),
  ];
  full = [
    ...(await eventsOf(files, true)),
    // the findings captures under their own trust anchor and policy: trusted chains, policy findings
    ...(await eventsOf(capturesUnder(pcapsDir).filter((f) => path.basename(f).startsWith('findings-')), true, {
      caFiles: [path.join(pcapsDir, 'findings-ca.pem')],
      policyFile: path.join(pcapsDir, 'findings-policy.yaml'),
    })),
  ];
  bare = await eventsOf(files, false);
}, 180_000);

const handshakes = (evs: Record<string, unknown>[]) => evs.filter((e) => (e.event as { dataset: string }).dataset === 'tlsscope.handshake');

describe('eventJson: the same text as JSON.stringify', () => {
  it('on every event of the corpora and our captures, with and without certificates and findings', () => {
    expect(handshakes(full).length).toBeGreaterThan(400);
    expect(handshakes(bare).length).toBeGreaterThan(300);
    for (const e of [...full, ...bare]) expect(eventJson(e)).toBe(JSON.stringify(e));
    // and again, now that the shared objects' texts are cached
    for (const e of full) expect(eventJson(e)).toBe(JSON.stringify(e));
  });

  it('as pieces, joins to the same text, with the long shared runs left whole', () => {
    let cut = 0;
    const pieces: string[] = [];
    for (const e of [...full, ...bare]) {
      pieces.length = 0;
      const last = eventJsonPieces(e, pieces);
      expect(pieces.join('') + last).toBe(JSON.stringify(e));
      cut += pieces.length;
    }
    expect(cut).toBeGreaterThan(100); // certificate lists and leaf runs were written as pieces of their own
  });

  it('writes only ASCII where the text is our own (a non-ASCII character slows the encoding of the whole line)', () => {
    // Our captures carry ASCII names only, so anything else came from a message, a reference or an evidence text of ours.
    const own = full.filter((e) => {
      const ts = e.tlsscope as { findings?: unknown[] } | undefined;
      return (ts?.findings?.length ?? 0) > 0;
    });
    expect(own.length).toBeGreaterThan(50);
    for (const e of full) {
      const text = JSON.stringify(e);
      const ts = e.tlsscope as { findings?: unknown[]; mtls?: unknown } | undefined;
      const ours = JSON.stringify([ts?.findings, ts?.mtls, (ts as any)?.server?.validation, (ts as any)?.client?.validation]);
      expect(ours, text.slice(0, 200)).toMatch(/^[\x00-\x7f]*$/);
    }
  });

  it('writes a leaf\'s shared part only while the event still holds its values', () => {
    const base = handshakes(full).find((e) => (e.tls as any).server?.x509?.subject && (e.tls as any).server?.issuer) as any;
    expect(base).toBeDefined();
    expect(isShared(base.tls.server.x509)).toBe(true);
    const text = eventJson(base);
    expect(text).toBe(JSON.stringify(base));
    // the same shared x509 object, with a field beside it changed: the cached run must not be used
    for (const change of [{ issuer: 'CN=someone else' }, { subject: undefined }, { not_after: '2099-01-01T00:00:00Z' }, { hash: { sha256: 'AB' } }]) {
      const e = markHandshakeEvent({ ...base, tls: { ...base.tls, server: { ...base.tls.server, ...change } } });
      expect(eventJson(e)).toBe(JSON.stringify(e));
      expect(eventJson(e)).not.toBe(text);
    }
  });

  it('covers the fields the corpora rarely or never show, and strings that must be escaped', () => {
    const base = handshakes(full).find((e) => (e.tlsscope as any).server?.certificates?.length > 0 && (e.tls as any).client.server_name)!;
    expect(base).toBeDefined();
    // a copy, marked as built so the shaped serialiser takes it (a copy is not otherwise)
    const e = markHandshakeEvent(structuredClone(base)) as any;
    expect(eventJson(structuredClone(base))).toBe(JSON.stringify(base));
    const odd = 'a"b\\c\n\u0001\u2028é\ud800z';
    e.network = { ...e.network, vlan: { id: '42' } };
    e.tls.client.server_name = odd;
    e.tls.next_protocol = 'h2"';
    e.tls.client.subject = odd;
    e.tls.server.issuer = odd;
    Object.assign(e.tlsscope.client, { alpn: [odd, 'h2'], server_names: [odd, 'x'], session_ticket: true, ech: { type: 'outer', kdf_id: 1, aead_id: 1, config_id: 7 }, sslv2_format: true });
    e.tlsscope.client.certificates = e.tlsscope.server.certificates;
    e.tlsscope.client.validation = e.tlsscope.server.validation;
    // in the builder's order: dh_prime_bits comes from a spread before the certificates
    const sv = e.tlsscope.server;
    e.tlsscope.server = {
      version: sv.version,
      version_detail: sv.version_detail,
      cipher_suite: sv.cipher_suite,
      extensions: sv.extensions,
      session_id_length: sv.session_id_length,
      secure_renegotiation: sv.secure_renegotiation,
      extended_master_secret: sv.extended_master_secret,
      ocsp_stapled: true,
      ticket_issued: true,
      dh_prime_bits: 1024,
      certificates: sv.certificates,
      validation: sv.validation,
      hostname_match: false,
    };
    e.tlsscope.alert = { level: 'fatal', description: 'bad_certificate', from: 'server' };
    e.tlsscope.anomalies = ['unexpected "thing"', odd];
    e.tlsscope.mtls = { requested: true, presented: null, method: 'inferred', confidence: 'medium', evidence: odd };
    e.tlsscope.findings = [{ id: 'expired', severity: 'high', message: odd, reference: 'RFC 5280' }];
    expect(eventJson(e)).toBe(JSON.stringify(e));
    expect(JSON.parse(eventJson(e)).tls.client.server_name).toBe(odd);
    // an SSL 2.0 server part, and nothing optional at all
    e.tlsscope.server = { version: 2, certificates: [], validation: undefined };
    for (const k of Object.keys(e.tls.client)) e.tls.client[k] = undefined;
    for (const k of ['version', 'version_protocol', 'cipher', 'curve', 'next_protocol']) e.tls[k] = undefined;
    for (const k of ['ja4', 'ja4_r', 'ja4_o', 'ja4_ro', 'ja3_string', 'ja3s_string', 'client', 'certificates_unseen', 'alert', 'anomalies']) e.tlsscope[k] = undefined;
    expect(eventJson(e)).toBe(JSON.stringify(e));
  });

  it('uses the runs written from the facts of a stack only while the event still holds those values', () => {
    const base = handshakes(full).find((e) => (e.tlsscope as any).client?.alpn?.length > 0) as any;
    expect(base).toBeDefined();
    // a spread keeps the builder's brand (and with it the facts the runs are written from)
    const changed = [
      { ...base, tlsscope: { ...base.tlsscope, ja4_o: 't13d0000h2_000000000000_000000000000' } },
      { ...base, tlsscope: { ...base.tlsscope, client: { ...base.tlsscope.client, cipher_suites: [4865, 4866] } } },
      { ...base, tlsscope: { ...base.tlsscope, client: { ...base.tlsscope.client, version: 769 } } },
      { ...base, tlsscope: { ...base.tlsscope, client: { ...base.tlsscope.client, key_share_groups: [29] } } },
      { ...base, tlsscope: { ...base.tlsscope, client: { ...base.tlsscope.client, alpn: ['x"y'] } } },
    ];
    for (const e of [base, ...changed, base]) expect(eventJson(e)).toBe(JSON.stringify(e));
  });

  it('takes only events built as handshakes: anything else of that dataset goes to JSON.stringify', () => {
    const odd = { event: { dataset: 'tlsscope.handshake' }, i: 1 };
    expect(eventJson(odd)).toBe('{"event":{"dataset":"tlsscope.handshake"},"i":1}');
  });

  it('leaves other events to JSON.stringify', () => {
    const others = full.filter((e) => (e.event as { dataset: string }).dataset !== 'tlsscope.handshake');
    expect(others.length).toBeGreaterThan(0);
    for (const e of others) expect(eventJson(e)).toBe(JSON.stringify(e));
  });
});

describe('shared JSON', () => {
  it('keeps the text of marked objects only, made once', () => {
    const shared = markShared({ a: [1, 2] });
    const own = { a: [1, 2] };
    expect(sharedJson(shared)).toBe('{"a":[1,2]}');
    expect(sharedJson(own)).toBeUndefined();
    expect(objectJson(own)).toBe('{"a":[1,2]}');
    // the text is made on first use and kept: a marked object must not change afterwards
    (shared.a as number[]).push(3);
    expect(objectJson(shared)).toBe('{"a":[1,2]}');
    own.a.push(3);
    expect(objectJson(own)).toBe('{"a":[1,2,3]}');
  });
});
