#!/usr/bin/env node
// expected.mjs — read each capture made by scripts/make-pcaps.sh with tshark, derive what
// the wire shows about every TLS connection, check it against what the scenario intended
// (the specs the script recorded), and write pcaps/expected.json.
//
//   node expected.mjs --specs specs.jsonl --pcaps DIR --out expected.json
//   node expected.mjs --pcaps DIR --dump FILE.pcap [--ports 443,5555]   (what tshark shows, no checks)
//   node expected.mjs --table expected.json [--tools "..."]              (markdown table for the README)
//
// specs.jsonl: one line per connection, in connection order within each file:
//   {"file","server","server_port","version","cipher","sni","alpn_selected","resumed","hrr",
//    "client_cert_requested","client_cert_presented","established","note"}
// and, for the findings scenarios, "findings" (ids, copied to expected.json) and "wire" (facts
// checked here and not written out): "server_certs"/"client_certs" (SHA-256 of each DER
// certificate of that side's Certificate message, in order), "renegotiation_info" (ServerHello
// has extension 0xff01), "dh_prime_bits" (size of the ServerKeyExchange DH prime).
//
// Every field of expected.json comes from tshark's dissection, except those that TLS 1.3
// encrypts (ALPN in EncryptedExtensions, CertificateRequest, client Certificate, the
// Finished messages): for TLS 1.3 connections these are taken from the scenario and
// listed in "from_scenario_fields" (with "from_scenario": true). Any disagreement
// between the wire and the scenario is an error (exit 1).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TSHARK = process.env.TSHARK || 'tshark';

// IANA names (RFC 8446, RFC 5246, RFC 5289, RFC 7905 ...) of every suite these captures may use.
const CIPHERS = {
  0x1301: 'TLS_AES_128_GCM_SHA256',
  0x1302: 'TLS_AES_256_GCM_SHA384',
  0x1303: 'TLS_CHACHA20_POLY1305_SHA256',
  0x1304: 'TLS_AES_128_CCM_SHA256',
  0x0004: 'TLS_RSA_WITH_RC4_128_MD5',
  0x002f: 'TLS_RSA_WITH_AES_128_CBC_SHA',
  0x0035: 'TLS_RSA_WITH_AES_256_CBC_SHA',
  0x003c: 'TLS_RSA_WITH_AES_128_CBC_SHA256',
  0x003d: 'TLS_RSA_WITH_AES_256_CBC_SHA256',
  0x009c: 'TLS_RSA_WITH_AES_128_GCM_SHA256',
  0x009d: 'TLS_RSA_WITH_AES_256_GCM_SHA384',
  0x009e: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  0x009f: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  0xc009: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  0xc00a: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  0xc010: 'TLS_ECDHE_RSA_WITH_NULL_SHA',
  0xc011: 'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
  0xc012: 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  0xc013: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  0xc014: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  0xc018: 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA',
  0xc023: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  0xc024: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  0xc027: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  0xc028: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
  0xc02b: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  0xc02c: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  0xc02f: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  0xc030: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  0xcca8: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  0xcca9: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  0xccaa: 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
};
const VERSIONS = { 0x0300: '3.0', 0x0301: '1.0', 0x0302: '1.1', 0x0303: '1.2', 0x0304: '1.3' };
const ALERTS = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 40: 'handshake_failure',
  42: 'bad_certificate', 43: 'unsupported_certificate', 45: 'certificate_expired',
  46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied',
  50: 'decode_error', 51: 'decrypt_error', 70: 'protocol_version', 71: 'insufficient_security',
  80: 'internal_error', 86: 'inappropriate_fallback', 90: 'user_canceled', 109: 'missing_extension',
  110: 'unsupported_extension', 112: 'unrecognized_name', 116: 'certificate_required',
  120: 'no_application_protocol',
};
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

// ------------------------------------------------------------------ tshark
const arr = (x) => (x === undefined || x === null ? [] : Array.isArray(x) ? x : [x]);
const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);

/** First value of `key` anywhere below `o` (depth first). */
function find(o, key) {
  if (Array.isArray(o)) {
    for (const x of o) {
      const r = find(x, key);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (!isObj(o)) return undefined;
  if (key in o) return o[key];
  for (const v of Object.values(o)) {
    const r = find(v, key);
    if (r !== undefined) return r;
  }
  return undefined;
}

function tsharkJson(file, tlsPorts) {
  const args = ['-r', file, '-n', '-T', 'json', '--no-duplicate-keys', '-J', 'ip ipv6 tcp tls', '-Y', 'tcp.flags.syn == 1 or tls'];
  for (const p of tlsPorts) if (p !== 443) args.push('-d', `tcp.port==${p},tls`);
  const out = execFileSync(TSHARK, args, { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.toString('utf8') || '[]');
}

function endpoint(ip, port) {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Handshake messages of one record (objects, or {encrypted:true}). */
function handshakes(rec) {
  const out = [];
  for (const h of arr(rec['tls.handshake'])) {
    if (isObj(h) && h['tls.handshake.type'] !== undefined) out.push(h);
    else out.push({ encrypted: true });
  }
  return out;
}

/** Extensions of a hello: [{type, obj}] */
function extensions(hs) {
  const out = [];
  for (const [k, v] of Object.entries(hs)) {
    if (!k.startsWith('Extension: ')) continue;
    for (const e of arr(v)) if (isObj(e)) out.push({ type: Number(e['tls.handshake.extension.type']), obj: e });
  }
  return out;
}

/** Walk the capture and collect per-TCP-stream facts, in stream order. */
function analyse(packets) {
  const streams = new Map();
  const get = (id) => {
    if (!streams.has(id)) {
      streams.set(id, { id, client: null, server: null, msgs: [] });
    }
    return streams.get(id);
  };
  for (const p of packets) {
    const L = p._source.layers;
    const tcp = L.tcp;
    if (!tcp) continue;
    const ipl = L.ip || L.ipv6;
    const src = find(ipl, 'ip.src') ?? find(ipl, 'ipv6.src');
    const dst = find(ipl, 'ip.dst') ?? find(ipl, 'ipv6.dst');
    const sport = tcp['tcp.srcport'];
    const dport = tcp['tcp.dstport'];
    const s = get(Number(tcp['tcp.stream']));
    const flags = tcp['tcp.flags_tree'] || {};
    if (flags['tcp.flags.syn'] === '1' && flags['tcp.flags.ack'] === '0' && !s.client) {
      s.client = endpoint(src, sport);
      s.server = endpoint(dst, dport);
    }
    const from = endpoint(src, sport);
    for (const tlsLayer of arr(L.tls)) {
      if (!isObj(tlsLayer)) continue;
      for (const rec of arr(tlsLayer['tls.record'])) {
        if (!isObj(rec)) continue;
        // TLS 1.3 protected records: tshark calls the outer type opaque_type (always 23)
        const ct = Number(rec['tls.record.content_type'] ?? rec['tls.record.opaque_type']);
        const m = { from, ct };
        if (ct === 22) {
          for (const h of handshakes(rec)) s.msgs.push({ ...m, hs: h });
        } else if (ct === 21) {
          const a = rec['tls.alert_message'];
          if (isObj(a)) {
            m.alert = { level: Number(a['tls.alert_message.level']), desc: Number(a['tls.alert_message.desc']) };
          } else m.encrypted = true;
          s.msgs.push(m);
        } else s.msgs.push(m);
      }
    }
  }
  return [...streams.values()].sort((a, b) => a.id - b.id);
}

const hexBytes = (h) => Buffer.from(h.replace(/:/g, ''), 'hex');
const derSha256 = (h) => createHash('sha256').update(hexBytes(String(h))).digest('hex').toUpperCase();
/** Bit length of a big-endian unsigned integer given as (colon-separated) hex. */
function primeBits(h) {
  const b = hexBytes(h);
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return i === b.length ? 0 : (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]));
}

/** What the wire shows about one connection. */
function wireFacts(s) {
  const fromC = (m) => m.from === s.client;
  const fromS = (m) => m.from === s.server;
  const hsC = s.msgs.filter((m) => fromC(m) && m.hs && !m.hs.encrypted).map((m) => m.hs);
  const hsS = s.msgs.filter((m) => fromS(m) && m.hs && !m.hs.encrypted).map((m) => m.hs);
  const type = (h) => Number(h['tls.handshake.type']);
  const clientHellos = hsC.filter((h) => type(h) === 1);
  const serverHellos = hsS.filter((h) => type(h) === 2);
  const isHrr = (h) => String(h['tls.handshake.random'] || '').replace(/:/g, '').toLowerCase() === HRR_RANDOM;
  const hrr = serverHellos.some(isHrr);
  const sh = serverHellos.filter((h) => !isHrr(h)).at(-1);
  const ch = clientHellos[0];

  const f = { client: s.client, server: s.server };
  f.sni = ch ? (find(ch, 'tls.handshake.extensions_server_name') ?? null) : null;
  f.alpn_offered = ch ? arr(find(extensions(ch).find((e) => e.type === 16)?.obj, 'tls.handshake.extensions_alpn_str')) : [];
  f.hrr = hrr;
  // certificates in clear (TLS <= 1.2), as SHA-256 of each DER certificate
  const certsOf = (list) => {
    const msg = list.find((h) => type(h) === 11);
    return msg ? arr(find(msg, 'tls.handshake.certificate')).map(derSha256) : [];
  };
  f.server_certs = certsOf(hsS);
  f.client_certs = certsOf(hsC);
  const ske = hsS.find((h) => type(h) === 12);
  const p = ske ? find(ske, 'tls.handshake.p') : undefined;
  f.dh_prime_bits = p === undefined ? null : primeBits(String(p));
  f.plaintext_alerts = s.msgs
    .filter((m) => m.alert)
    .map((m) => ({ level: m.alert.level === 2 ? 'fatal' : 'warning', description: ALERTS[m.alert.desc] ?? String(m.alert.desc), from: fromC(m) ? 'client' : 'server' }));
  const fatal = f.plaintext_alerts.some((a) => a.level === 'fatal');
  if (!sh) {
    Object.assign(f, { version: null, cipher: null, alpn_selected: null, resumed: false, tls13: false });
    f.client_cert_requested = false;
    f.client_cert_presented = false;
    f.established = false;
    return f;
  }
  const shExt = extensions(sh);
  f.renegotiation_info = shExt.some((e) => e.type === 0xff01);
  const sv = shExt.find((e) => e.type === 43);
  const vnum = Number(sv ? find(sv.obj, 'tls.handshake.extensions.supported_version') : sh['tls.handshake.version']);
  f.version = VERSIONS[vnum] ?? `0x${vnum.toString(16)}`;
  f.tls13 = vnum === 0x0304;
  const cs = Number(sh['tls.handshake.ciphersuite']);
  f.cipher = CIPHERS[cs];
  if (!f.cipher) throw new Error(`cipher suite 0x${cs.toString(16)} missing from the name table`);
  const alpnExt = shExt.find((e) => e.type === 16);
  f.alpn_selected = alpnExt ? (arr(find(alpnExt.obj, 'tls.handshake.extensions_alpn_str'))[0] ?? null) : null;

  const ccsC = s.msgs.some((m) => fromC(m) && m.ct === 20);
  const ccsS = s.msgs.some((m) => fromS(m) && m.ct === 20);
  // the Finished after ChangeCipherSpec: encrypted, or readable under a NULL cipher
  const finished = (m) => m.hs?.encrypted || Number(m.hs?.['tls.handshake.type']) === 20;
  const encHsC = s.msgs.some((m) => fromC(m) && finished(m));
  const encHsS = s.msgs.some((m) => fromS(m) && finished(m));
  const appC = s.msgs.some((m) => fromC(m) && m.ct === 23);
  const appS = s.msgs.some((m) => fromS(m) && m.ct === 23);
  f.app_data_both_ways = appC && appS;
  if (f.tls13) {
    f.resumed = shExt.some((e) => e.type === 41);
    // ALPN travels in EncryptedExtensions; the rest is encrypted too: only plausibility
    f.alpn_selected = undefined;
    f.client_cert_requested = undefined;
    f.client_cert_presented = undefined;
    f.established = undefined;
    f.tls13_plausibly_established = appC && appS && !fatal;
  } else {
    const serverCert = hsS.some((h) => type(h) === 11);
    const serverDone = hsS.some((h) => type(h) === 14);
    f.resumed = !serverCert && !serverDone && ccsS;
    f.client_cert_requested = hsS.some((h) => type(h) === 13);
    const clientCert = hsC.find((h) => type(h) === 11);
    f.client_cert_presented = clientCert ? Number(clientCert['tls.handshake.certificates_length'] || 0) > 0 : false;
    f.established = ccsC && ccsS && encHsC && encHsS && !fatal;
  }
  return f;
}

const FIELDS = ['version', 'cipher', 'sni', 'alpn_selected', 'resumed', 'hrr', 'client_cert_requested', 'client_cert_presented', 'established'];
const HIDDEN_IN_13 = ['alpn_selected', 'client_cert_requested', 'client_cert_presented', 'established'];

function build(spec, f, errors, where) {
  const out = { client: f.client, server: f.server };
  const fromScenario = [];
  for (const k of FIELDS) {
    if (f[k] === undefined) {
      out[k] = spec[k];
      fromScenario.push(k);
    } else {
      out[k] = f[k];
      if (f[k] !== spec[k]) errors.push(`${where}: ${k} on the wire is ${JSON.stringify(f[k])}, scenario says ${JSON.stringify(spec[k])}`);
    }
  }
  if (spec.server && spec.server_port && f.server !== endpoint(spec.server, spec.server_port)) {
    errors.push(`${where}: server endpoint ${f.server}, scenario says ${endpoint(spec.server, spec.server_port)}`);
  }
  // plausibility of the fields TLS 1.3 hides
  if (f.tls13) {
    if (spec.alpn_selected !== null && !f.alpn_offered.includes(spec.alpn_selected)) {
      errors.push(`${where}: ALPN ${spec.alpn_selected} was not even offered (${f.alpn_offered})`);
    }
    if (spec.established && !f.tls13_plausibly_established) errors.push(`${where}: no application data both ways, or a plaintext fatal alert`);
  } else if (spec.established && !f.app_data_both_ways) {
    errors.push(`${where}: established but no application data both ways`);
  }
  for (const [k, want] of Object.entries(spec.wire ?? {})) {
    if (JSON.stringify(f[k]) !== JSON.stringify(want)) {
      errors.push(`${where}: ${k} on the wire is ${JSON.stringify(f[k])}, scenario says ${JSON.stringify(want)}`);
    }
  }
  out.plaintext_alert = f.plaintext_alerts.filter((a) => a.level === 'fatal').at(-1) ?? null;
  out.from_scenario = fromScenario.length > 0;
  if (fromScenario.length > 0) out.from_scenario_fields = fromScenario;
  if (spec.findings !== undefined) out.findings = spec.findings;
  out.note = spec.note;
  return out;
}

// ------------------------------------------------------------------ main
function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) o[argv[i].replace(/^--/, '')] = argv[i + 1];
  return o;
}

const findingsText = (c) => (c.findings === undefined ? '' : c.findings.length === 0 ? 'none' : c.findings.join(', '));

/** Markdown table of an expected.json (for pcaps/README.md). */
function table(expected, tools) {
  const yn = (v) => (v === true ? 'yes' : v === false ? 'no' : String(v));
  const mark = (c, k, text) => (c.from_scenario_fields?.includes(k) ? `${text}†` : text);
  const lines = [
    `<!-- generated by scripts/make-pcaps.sh from expected.json; edits here are overwritten -->`,
    '',
    `Generated with ${tools || 'the installed tools'}. One row per TCP connection, in capture order.`,
    'Values come from tshark; † = not visible on the wire (TLS 1.3 encrypts it), taken from the scenario.',
    '',
    'Findings: the ids the connection must raise (findings captures only; "none" = no finding at all).',
    '',
    '| file | # | stack | scenario | version | cipher | SNI | ALPN | resumed | HRR | cert req. / sent | established | plaintext alert | findings |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [file, conns] of Object.entries(expected)) {
    const stack =
      file.startsWith('gnutls') || file === 'findings-gnutls.pcap'
        ? 'GnuTLS'
        : file.startsWith('node')
          ? 'Node tls'
          : file.startsWith('go')
            ? 'Go crypto/tls'
            : file.startsWith('java-go')
              ? 'Java client, Go server'
              : file.startsWith('java')
                ? 'Java JSSE'
                : 'OpenSSL';
    conns.forEach((c, i) => {
      const a = c.plaintext_alert ? `${c.plaintext_alert.description} (${c.plaintext_alert.from})` : '';
      lines.push(
        `| ${i === 0 ? file : ''} | ${i + 1} | ${stack} | ${c.note} | ${c.version ?? '—'} | ${c.cipher ?? '—'} | ${c.sni ?? '—'} | ` +
          `${mark(c, 'alpn_selected', c.alpn_selected ?? '—')} | ${yn(c.resumed)} | ${yn(c.hrr)} | ` +
          `${mark(c, 'client_cert_requested', yn(c.client_cert_requested))} / ${mark(c, 'client_cert_presented', yn(c.client_cert_presented))} | ` +
          `${mark(c, 'established', yn(c.established))} | ${a} | ${findingsText(c)} |`,
      );
    });
  }
  return lines.join('\n') + '\n';
}

const opts = parseArgs(process.argv.slice(2));
if (opts.table) {
  process.stdout.write(table(JSON.parse(readFileSync(opts.table, 'utf8')), opts.tools));
  process.exit(0);
}
if (opts.dump) {
  const streams = analyse(tsharkJson(join(opts.pcaps ?? '.', opts.dump), (opts.ports ?? '443').split(',').map(Number)));
  for (const s of streams) console.log(JSON.stringify(wireFacts(s)));
  process.exit(0);
}

const specs = readFileSync(opts.specs, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const byFile = new Map();
for (const s of specs) {
  if (!byFile.has(s.file)) byFile.set(s.file, []);
  byFile.get(s.file).push(s);
}

const errors = [];
const expected = {};
for (const [file, list] of byFile) {
  const ports = [...new Set(list.map((s) => s.server_port))];
  let streams;
  try {
    streams = analyse(tsharkJson(join(opts.pcaps, file), ports)).filter((s) => s.client);
  } catch (e) {
    errors.push(`${file}: tshark failed: ${e.message}`);
    continue;
  }
  if (streams.length !== list.length) {
    errors.push(`${file}: ${streams.length} TCP connections captured, scenario made ${list.length}`);
  }
  expected[file] = [];
  for (let i = 0; i < Math.min(streams.length, list.length); i++) {
    try {
      expected[file].push(build(list[i], wireFacts(streams[i]), errors, `${file} #${i + 1} (${list[i].note})`));
    } catch (e) {
      errors.push(`${file} #${i + 1}: ${e.message}`);
    }
  }
  console.log(`${file}: ${expected[file].length} connections checked`);
}

writeFileSync(opts.out, JSON.stringify(expected, null, 2) + '\n');
if (errors.length > 0) {
  for (const e of errors) console.error(`expected.mjs: ${e}`);
  process.exit(1);
}
