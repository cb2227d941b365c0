import { describe, expect, it } from 'vitest';
import { isFormatName, render, type FormatContext } from '../../src/format/index.js';
import { formatSchemaErrors } from './format-schemas.js';
import { gelfViolations } from './graylog-rules.js';

/** Hand-made events for the edges the captures do not reach. */

const ctx: FormatContext = { host: 'sensor-1', productVersion: '9.9.9' };

function handshake(over: Record<string, any> = {}): Record<string, any> {
  const base: Record<string, any> = {
    '@timestamp': '2024-05-06T07:08:09.123456Z',
    event: { kind: 'event', category: ['network'], type: ['connection', 'protocol'], dataset: 'tlsscope.handshake', module: 'tlsscope', outcome: 'success' },
    source: { ip: '2001:db8::1', port: 51234 },
    destination: { ip: '2001:db8::2', port: 443 },
    network: { transport: 'tcp', type: 'ipv6', protocol: 'tls', vlan: { id: '42' } },
    tls: {
      version: '1.2',
      version_protocol: 'tls',
      cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      established: true,
      resumed: false,
      next_protocol: undefined, // live events carry undefined members
      client: { server_name: 'example.com', ja3: '0123456789abcdef0123456789abcdef', supported_ciphers: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
      server: { ja3s: 'fedcba9876543210fedcba9876543210' },
    },
    tlsscope: {
      ja4: 't12d0101h2_aaaaaaaaaaaa_bbbbbbbbbbbb',
      client: { version: 771, cipher_suites: [49199], extensions: [0, 11, 65281, 65037], alpn: [], ech: undefined },
      server: { version: 771, cipher_suite: 49199, extensions: [65281], certificates: [] },
      certificates_visible: false,
      certificates_unseen: 'not_seen',
      hello_retry_request: false,
      mtls: { requested: null, presented: null, method: 'unknown' },
      findings: [
        { id: 'expired', severity: 'high', message: 'server certificate expired', reference: 'RFC 5280 section 4.1.2.5' },
        { id: 'weak_key', severity: 'high', message: 'RSA-1024', reference: 'NIST SP 800-52r2 section 3.1' },
      ],
      flow: { packets: [5, 4], bytes: [300, 1500] },
    },
  };
  return { ...base, ...over };
}

describe('render', () => {
  it('knows its formats', () => {
    expect(['ecs', 'gelf', 'ocsf'].every(isFormatName)).toBe(true);
    expect(['json', '', 'GELF', undefined, 1].some(isFormatName)).toBe(false);
  });

  it('ecs is the event itself', () => {
    const e = handshake();
    expect(render('ecs', e, ctx)).toBe(e);
  });
});

describe('GELF', () => {
  it('renders the contract example the way the brief shows it', () => {
    const g = render('gelf', handshake(), ctx);
    expect(g.version).toBe('1.1');
    expect(g.host).toBe('sensor-1');
    expect(g.short_message).toBe('TLS 1.2 [2001:db8::1]:51234 → [2001:db8::2]:443 example.com TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 established; findings: expired(high), weak_key(high)');
    expect(g.timestamp).toBe(1714979289.123456);
    expect(g.level).toBe(3);
    expect(g._finding_ids).toBe('expired,weak_key');
    expect(g._finding_count).toBe(2);
    expect(g._worst_severity).toBe('high');
    expect(g._tls_client_server_name).toBe('example.com');
    expect(g._network_vlan_id).toBe('42');
    expect(g._tls_established).toBe('true');
    expect(g._tlsscope_client_extensions).toBe('0,11,65281,65037');
    expect(g._sensor_version).toBe('9.9.9');
    expect(JSON.parse(g._tlsscope_findings as string)).toHaveLength(2);
    // null (mTLS not seen), undefined and empty arrays are left out
    expect('_tlsscope_mtls_requested' in g).toBe(false);
    expect('_tls_next_protocol' in g).toBe(false);
    expect('_tlsscope_client_alpn' in g).toBe(false);
    expect(gelfViolations(g)).toEqual([]);
    expect(formatSchemaErrors('tlsscope.handshake', 'gelf', g)).toBeUndefined();
  });

  it('keeps µs of an ns timestamp, and level 6 without findings', () => {
    const e = handshake({ '@timestamp': '2024-05-06T07:08:09.123456789Z' });
    e.tlsscope = { ...e.tlsscope, findings: [] };
    const g = render('gelf', e, ctx);
    expect(g.timestamp).toBe(1714979289.123456);
    expect(g.level).toBe(6);
    expect(g._worst_severity).toBe('none');
    expect('_finding_ids' in g).toBe(false);
  });

  it('maps each severity to its syslog level', () => {
    for (const [sev, level] of [
      ['critical', 2],
      ['high', 3],
      ['medium', 4],
      ['low', 5],
    ] as const) {
      const e = handshake();
      e.tlsscope = { ...e.tlsscope, findings: [{ id: 'weak_cipher', severity: sev, message: 'x', reference: 'y' }] };
      expect(render('gelf', e, ctx).level).toBe(level);
    }
  });

  it('sanitizes names and moves reserved ones aside instead of losing them', () => {
    const e = { ...handshake(), id: 'abc', message: 'hello', 'weird key!': 1, gl2_source_node: 'x', host: { name: 'h' }, nested: { _id: 'z' } };
    const g = render('gelf', e as any, ctx);
    expect(g._ecs_id).toBe('abc');
    expect(g._ecs_message).toBe('hello');
    expect(g._weird_key_).toBe(1);
    expect(g._ecs_gl2_source_node).toBe('x');
    expect(g._host_name).toBe('h');
    expect(g.nested__id).toBeUndefined();
    expect(g._nested__id).toBe('z');
    expect('_id' in g).toBe(false);
    expect(gelfViolations(g)).toEqual([]);
  });

  it('falls back to a generic message for an unknown dataset', () => {
    const g = render('gelf', { '@timestamp': '2024-05-06T07:08:09.000001Z', event: { dataset: 'other' }, source: { ip: '10.0.0.1', port: 1 }, destination: { ip: '10.0.0.2', port: 2 } }, ctx);
    expect(g.short_message).toBe('other 10.0.0.1:1 → 10.0.0.2:2');
    expect(g.timestamp).toBe(1714979289.000001);
    expect(gelfViolations(g)).toEqual([]);
  });
});

describe('OCSF', () => {
  it('maps the handshake to Network Activity', () => {
    const o: any = render('ocsf', handshake(), ctx);
    expect(o).toMatchObject({
      class_uid: 4001,
      category_uid: 4,
      activity_id: 1,
      type_uid: 400101,
      time: 1714979289123,
      severity_id: 4,
      status_id: 1,
      metadata: { version: '1.1.0', product: { name: 'tlsscope', vendor_name: 'tlsscope', version: '9.9.9' }, original_time: '2024-05-06T07:08:09.123456Z', loggers: [{ name: 'sensor-1' }] },
      src_endpoint: { ip: '2001:db8::1', port: 51234, vlan_uid: '42' },
      dst_endpoint: { ip: '2001:db8::2', port: 443, hostname: 'example.com', vlan_uid: '42' },
      connection_info: { protocol_name: 'tcp', protocol_num: 6, protocol_ver_id: 6, direction_id: 0 },
      traffic: { packets_out: 5, packets_in: 4, packets: 9, bytes_out: 300, bytes_in: 1500, bytes: 1800 },
    });
    expect(o.tls.ja3_hash).toEqual({ algorithm_id: 1, algorithm: 'MD5', value: '0123456789abcdef0123456789abcdef' });
    expect(o.tls.ja3s_hash.value).toBe('fedcba9876543210fedcba9876543210');
    // 65037 (ECH) is not among OCSF 1.1's tls_extension type_ids: Other (99) with the IANA name
    expect(o.tls.tls_extension_list).toEqual([
      { type_id: 0, type: 'server_name' },
      { type_id: 99, type: 'ec_point_formats', data: { code: 11 } },
      { type_id: 99, type: 'renegotiation_info', data: { code: 65281 } },
      { type_id: 99, type: 'encrypted_client_hello', data: { code: 65037 } },
    ]);
    expect(o.unmapped.tlsscope.mtls).toEqual({ requested: null, presented: null, method: 'unknown' });
    expect(o.unmapped.tlsscope.ja4).toBe('t12d0101h2_aaaaaaaaaaaa_bbbbbbbbbbbb');
    expect(o.unmapped.tlsscope.flow).toBeUndefined(); // mapped to traffic
    expect(formatSchemaErrors('tlsscope.handshake', 'ocsf', o)).toBeUndefined();
  });

  it('a failed handshake is Fail, with the alert as an integer', () => {
    const e = handshake();
    e.tls = { ...e.tls, established: false, version: undefined, cipher: undefined };
    e.tlsscope = { ...e.tlsscope, alert: { level: 'fatal', description: 'handshake_failure', from: 'server' } };
    const o: any = render('ocsf', e, ctx);
    expect([o.activity_id, o.type_uid, o.status_id, o.status_detail]).toEqual([4, 400104, 2, 'TLS alert: fatal handshake_failure from server']);
    expect(o.tls.alert).toBe(40);
    expect(o.tls.version).toBeUndefined();
    expect(formatSchemaErrors('tlsscope.handshake', 'ocsf', o)).toBeUndefined();
    e.tlsscope = { ...e.tlsscope, alert: { level: 'fatal', description: '0xC8', from: 'client' } };
    expect((render('ocsf', e, ctx) as any).tls.alert).toBe(200);
    e.tlsscope = { ...e.tlsscope, alert: { level: 'fatal', description: 'encrypted', from: 'server', encrypted: true } };
    expect((render('ocsf', e, ctx) as any).tls.alert).toBeUndefined();
  });

  it('names the destination only with a real host name', () => {
    const odd = handshake();
    odd.tls = { ...odd.tls, client: { ...odd.tls.client, server_name: 'under_score.example' } };
    const o1: any = render('ocsf', odd, ctx);
    expect(o1.dst_endpoint.hostname).toBeUndefined(); // not an OCSF hostname_t
    expect(o1.tls.sni).toBe('under_score.example');
    const ech = handshake();
    ech.tlsscope = { ...ech.tlsscope, client: { ...ech.tlsscope.client, ech: { type: 'outer', kdf_id: 1, aead_id: 1, config_id: 7 } } };
    const o2: any = render('ocsf', ech, ctx);
    expect(o2.dst_endpoint.hostname).toBeUndefined(); // the outer SNI is the ECH provider, not the destination
    expect(o2.tls.sni).toBe('example.com');
  });

  it('types SANs', () => {
    const e = handshake();
    e.tlsscope = {
      ...e.tlsscope,
      server: {
        certificates: [
          {
            sha256: 'A'.repeat(64),
            subject: 'CN=a',
            issuer: 'CN=b',
            serial_number: '01',
            not_before: '2024-01-01T00:00:00Z',
            not_after: '2025-01-01T00:00:00Z',
            alternative_names: ['a.example', '10.0.0.1', 'fd00::1', 'me@example.com', 'https://example.com/x'],
            version: 3,
          },
          { sha256: 'B'.repeat(64), parse_error: 'truncated' },
        ],
      },
    };
    const o: any = render('ocsf', e, ctx);
    expect(o.tls.sans.map((s: any) => s.type)).toEqual(['DNS Name', 'IP Address', 'IP Address', 'Email Address', 'URI']);
    expect(o.tls.certificate).toEqual({
      subject: 'CN=a',
      issuer: 'CN=b',
      serial_number: '01',
      created_time: Date.UTC(2024, 0, 1),
      expiration_time: Date.UTC(2025, 0, 1),
      version: '3',
      fingerprints: [{ algorithm_id: 3, algorithm: 'SHA-256', value: 'A'.repeat(64) }],
    });
    expect(o.tls.certificate_chain).toEqual(['01']); // serial numbers; the unparsable one has none
    expect(formatSchemaErrors('tlsscope.handshake', 'ocsf', o)).toBeUndefined();
  });

  it('an unknown dataset becomes a Base Event with the event unmapped', () => {
    const e = { '@timestamp': '2024-05-06T07:08:09.000001Z', event: { dataset: 'other' } };
    const o: any = render('ocsf', e, ctx);
    expect([o.class_uid, o.category_uid, o.activity_id, o.type_uid, o.severity_id]).toEqual([0, 0, 99, 99, 1]);
    expect(o.unmapped.tlsscope).toBe(e);
  });
});

describe('the schemas catch what Graylog or OCSF would not take', () => {
  const good = render('gelf', handshake(), ctx);

  it('GELF: _id, booleans, nested values, blank host, a bad level, an unprefixed field', () => {
    const cases: Record<string, unknown>[] = [
      { ...good, _id: 'x' },
      { ...good, _flag: true },
      { ...good, _nested: { a: 1 } },
      { ...good, _list: [1, 2] },
      { ...good, host: ' ' },
      { ...good, level: 8 },
      { ...good, extra: 'x' },
      { ...good, '_bad name': 'x' },
      { ...good, _message: 'dropped by Graylog' },
      { ...good, level: 6 }, // not the level of its worst finding (high)
    ];
    for (const c of cases) expect(formatSchemaErrors('tlsscope.handshake', 'gelf', c)).toBeDefined();
    for (const c of cases.slice(0, 9)) expect(gelfViolations(c)).not.toEqual([]);
    expect(gelfViolations({ ...good, timestamp: '1714979289.1' })).toContain('timestamp not a number');
    expect(gelfViolations({ version: '1.1', host: 'h' })).toContain('short_message missing');
  });

  it('OCSF: invented attribute names and inconsistent classification', () => {
    const o: any = render('ocsf', handshake(), ctx);
    const bad = [
      { ...o, tls: { ...o.tls, ja4: 'x' } },
      { ...o, tls: { ...o.tls, ja3_fingerprint: o.tls.ja3_hash } },
      { ...o, dst_endpoint: { ...o.dst_endpoint, sni: 'x' } },
      { ...o, type_uid: 400104 },
      { ...o, severity: 'Low' },
      { ...o, metadata: { ...o.metadata, version: '1.3.0' } },
      { ...o, tls: { ...o.tls, ja3_hash: { algorithm_id: 3, value: o.tls.ja3_hash.value } } },
      { ...o, time: '2024-05-06T07:08:09Z' },
    ];
    for (const b of bad) expect(formatSchemaErrors('tlsscope.handshake', 'ocsf', b)).toBeDefined();
  });
});
