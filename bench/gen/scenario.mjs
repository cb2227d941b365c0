// The two benchmark captures: many short, interleaved TLS connections (handshakes.pcap) and a
// few hundred long-lived bulk transfers (bulk.pcap). Everything is drawn from one seeded PRNG,
// so a (seed, parameters, generator version) triple always gives the same bytes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BytePool, Rng } from './prng.mjs';
import { PcapWriter } from './pcap-writer.mjs';
import { TcpFlow, writeFrame } from './tcp-segmenter.mjs';
import * as tls from './tls-messages.mjs';

/** Bump when the bytes a given seed and parameters produce change; cached captures are then remade. */
export const GENERATOR_VERSION = 1;

const C = 0, S = 1;
const here = dirname(fileURLToPath(import.meta.url));
const certPoolPath = join(here, 'cert-pool.json');

export function certPoolDigest() {
  return createHash('sha256').update(readFileSync(certPoolPath)).digest('hex').slice(0, 16);
}

/** The servers: one per leaf of the certificate pool, each with its own TLS stack's habits. */
function loadServers() {
  const pool = JSON.parse(readFileSync(certPoolPath, 'utf8'));
  const inter = pool.intermediates.map((i) => Buffer.from(i.der, 'base64'));
  const servers = pool.leaves.map((leaf, i) => ({
    index: i,
    host: leaf.host,
    keyType: leaf.keyType,
    chain: [Buffer.from(leaf.der, 'base64'), inter[leaf.issuer]],
    maxVersion: i % 4 === 0 ? 0x0303 : 0x0304, // a quarter of the servers stop at TLS 1.2
    suites12: leaf.keyType === 'rsa' ? [0xc02f, 0xc030, 0xcca8] : [0xc02b, 0xc02c, 0xcca9],
    suites13: [[0x1301, 0x1302, 0x1303], [0x1302, 0x1301, 0x1303], [0x1303, 0x1301, 0x1302]][i % 3],
    mlkem: i % 3 !== 1, // accepts X25519MLKEM768 when offered
    h2: i % 4 !== 3,
    ticket: i % 2 === 0,
    coalesce: i % 3 === 0, // all handshake messages in one record (BoringSSL, Go) rather than one each
    port: i % 12 === 11 ? 8443 : 443,
    v4: Buffer.from([i < 18 ? 198 : 203, i < 18 ? 51 : 0, i < 18 ? 100 : 113, 10 + i]),
    v6: Buffer.from(`20010db804430000000000000000${(0x10 + i).toString(16).padStart(4, '0')}`, 'hex'), // 2001:db8:443::10+i
    session: null, // last TLS 1.2 session ID it issued
  }));
  return { servers, captureStart: pool.captureStart };
}

const GATEWAY_MAC = Buffer.from([0x00, 0x1b, 0x21, 0x3a, 0x7c, 0x10]);

/** Client hosts: 10.20.0.0/16-ish and 2001:db8:c11e::/64, each with its own ephemeral port counter. */
function makeClients(rng, count) {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return {
      v4: Buffer.from([10, 20 + Math.floor(n / 62500), Math.floor(n / 250) % 250, (n % 250) + 1]),
      v6: Buffer.from(`20010db8c11e0000${rng.u32().toString(16).padStart(8, '0')}${n.toString(16).padStart(8, '0')}`, 'hex'),
      mac: Buffer.from([0x02, 0x42, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, 0x01]),
      port: 32768 + rng.int(16000),
      ttl: rng.pick([64, 64, 64, 128]),
    };
  });
}

function nextPort(rng, client) {
  client.port += 1 + rng.int(3);
  if (client.port > 65535) client.port = 1024 + (client.port - 65536);
  return client.port;
}

class Ctx {
  constructor(seed, opts) {
    this.rng = new Rng(seed);
    this.pool = new BytePool(this.rng);
    const { servers, captureStart } = loadServers();
    this.servers = servers;
    this.captureStart = captureStart;
    this.clients = makeClients(this.rng, opts.clientHosts ?? 4096);
    this.ipv6Share = opts.ipv6Share ?? 0.1;
    this.stats = { connections: 0, ipv4: 0, ipv6: 0, tls12: 0, tls13: 0, helloRetryRequests: 0, resumedSessionId: 0, resumedPsk: 0,
      alertFromServer: 0, alertFromClient: 0, established: 0, certificatesVisible: 0, clientHelloFrames: 0, byProfile: {} };
  }

  flow(server) {
    const { rng } = this;
    const client = rng.pick(this.clients);
    const v6 = rng.chance(this.ipv6Share);
    this.stats[v6 ? 'ipv6' : 'ipv4']++;
    return new TcpFlow({
      rng, v6,
      mac: [client.mac, GATEWAY_MAC],
      ip: v6 ? [client.v6, server.v6] : [client.v4, server.v4],
      port: [nextPort(rng, client), server.port],
      win: [rng.pick([502, 501, 2048]), rng.pick([509, 235, 1024])],
      ttl: [client.ttl, 64 - rng.range(6, 18)],
    });
  }
}

const PROFILE_WEIGHTS = { chrome: 35, 'chrome-nokem': 15, firefox: 20, curl: 15, legacy: 15 };
const ALPN = { chrome: ['h2', 'http/1.1'], 'chrome-nokem': ['h2', 'http/1.1'], firefox: ['h2', 'http/1.1'], curl: ['h2', 'http/1.1'], legacy: ['http/1.1'] };

/**
 * One TLS connection from SYN to FIN. `kind` decides the handshake; `body(ctx, f, suite, tls13)`
 * produces what follows it (a request/response exchange, or a bulk transfer).
 */
function* connection(ctx, mix, body) {
  const { rng, pool, stats } = ctx;
  const server = rng.pick(ctx.servers);
  const f = ctx.flow(server);
  let profile = rng.weighted(PROFILE_WEIGHTS);
  const tls13 = server.maxVersion === 0x0304 && tls.PROFILES[profile].tls13;
  stats.connections++;
  stats.byProfile[profile] = (stats.byProfile[profile] ?? 0) + 1;
  let kind = tls13 ? 'full13' : 'full12';
  if (rng.chance(mix.alertFromServer)) kind = 'alert-server';
  else if (!tls13 && rng.chance(mix.alertFromClient)) kind = 'alert-client';
  else if (!tls13 && server.session && rng.chance(mix.resumeSessionId)) kind = 'resume12';
  else if (tls13 && rng.chance(mix.hrr)) kind = 'hrr';
  else if (tls13 && rng.chance(mix.psk)) kind = 'psk13';
  if (kind !== 'alert-server') stats[tls13 ? 'tls13' : 'tls12']++; // negotiated version (no ServerHello after an alert)

  yield* f.open();

  const sni = profile === 'legacy' && rng.chance(0.1) ? undefined : server.host;
  const alpn = rng.chance(0.9) ? ALPN[profile] : undefined;
  const chosenAlpn = alpn ? (server.h2 && alpn.includes('h2') ? 'h2' : 'http/1.1') : undefined;
  const random = pool.bytes(32);
  const sessionId = kind === 'resume12' ? server.session : profile === 'legacy' ? Buffer.alloc(0) : pool.bytes(32);
  const offered = tls.PROFILES[profile].suites;
  const shares = kind === 'hrr' ? [tls.GROUP.X25519] : undefined;
  const ch = tls.clientHello({ rng, pool, profile, sni, alpn, random, sessionId, shares,
    psk: kind === 'psk13' ? { identityLen: rng.range(150, 240) } : undefined });
  stats.clientHelloFrames++;
  yield* f.send(C, tls.clientHelloRecord(ch.message));

  if (kind === 'alert-server') {
    stats.alertFromServer++;
    yield* f.send(S, tls.alert(2, rng.pick([40, 40, 70, 112])));
    yield* f.close(S);
    return;
  }

  let suite;
  if (!tls13) {
    suite = server.suites12.find((s) => offered.includes(s));
    if (kind === 'resume12') {
      stats.resumedSessionId++;
      stats.established++;
      yield* f.send(S, Buffer.concat([
        tls.records(tls.CT.HANDSHAKE, tls.serverHello12({ pool, sessionId, suite, alpn: chosenAlpn, ems: true, ticket: false })),
        tls.changeCipherSpec(), tls.finished12(pool, suite)]));
      yield* f.send(C, Buffer.concat([tls.changeCipherSpec(), tls.finished12(pool, suite)]));
    } else {
      const newSid = pool.bytes(32);
      const ticket = server.ticket && profile !== 'legacy';
      const msgs = [
        tls.serverHello12({ pool, sessionId: newSid, suite, alpn: chosenAlpn, ems: true, ticket }),
        tls.certificate12(server.chain),
        tls.serverKeyExchangeEcdhe({ pool, rng, keyType: server.keyType, sigScheme: server.keyType === 'rsa' ? (profile === 'legacy' ? 0x0601 : 0x0804) : 0x0403 }),
        tls.serverHelloDone(),
      ];
      stats.certificatesVisible++;
      yield* f.send(S, server.coalesce ? tls.records(tls.CT.HANDSHAKE, Buffer.concat(msgs)) : Buffer.concat(msgs.map((m) => tls.records(tls.CT.HANDSHAKE, m))));
      if (kind === 'alert-client') {
        stats.alertFromClient++;
        yield* f.send(C, tls.alert(2, rng.pick([48, 42, 46])));
        yield* f.close(C);
        return;
      }
      yield* f.send(C, Buffer.concat([tls.records(tls.CT.HANDSHAKE, tls.clientKeyExchangeEcdhe(pool)), tls.changeCipherSpec(), tls.finished12(pool, suite)]));
      const out = [];
      if (ticket) out.push(tls.records(tls.CT.HANDSHAKE, tls.newSessionTicket12(pool, rng.range(160, 200))));
      out.push(tls.changeCipherSpec(), tls.finished12(pool, suite));
      yield* f.send(S, Buffer.concat(out));
      server.session = newSid;
      stats.established++;
    }
  } else {
    const p = tls.PROFILES[profile];
    suite = server.suites13.find((s) => offered.includes(s));
    let group = server.mlkem && p.shares.includes(tls.GROUP.X25519MLKEM768) ? tls.GROUP.X25519MLKEM768 : p.shares.includes(tls.GROUP.X25519) ? tls.GROUP.X25519 : tls.GROUP.SECP256R1;
    const clientFlight = [tls.changeCipherSpec()];
    if (kind === 'hrr') {
      stats.helloRetryRequests++;
      group = tls.GROUP.SECP256R1;
      const cookie = rng.chance(0.5) ? Buffer.from(pool.bytes(rng.range(32, 96))) : undefined;
      yield* f.send(S, Buffer.concat([tls.records(tls.CT.HANDSHAKE, tls.serverHello13({ pool, sessionId, suite, group, hrr: true, cookie })), tls.changeCipherSpec()]));
      const ch2 = tls.clientHello({ rng, pool, profile, sni, alpn, random, sessionId, shares: [group], cookie, greaseValues: ch.greaseValues });
      stats.clientHelloFrames++;
      yield* f.send(C, Buffer.concat([tls.changeCipherSpec(), tls.records(tls.CT.HANDSHAKE, ch2.message)]));
      clientFlight.length = 0; // its CCS went with the second ClientHello
    }
    const psk = kind === 'psk13';
    if (psk) stats.resumedPsk++;
    const sh = tls.records(tls.CT.HANDSHAKE, tls.serverHello13({ pool, sessionId, suite, group, psk }));
    const enc = tls.serverEncryptedFlight13({ pool, suite, alpn: chosenAlpn, chainDers: server.chain, keyType: server.keyType, psk, coalesce: server.coalesce });
    yield* f.send(S, kind === 'hrr' ? Buffer.concat([sh, enc]) : Buffer.concat([sh, tls.changeCipherSpec(), enc]));
    clientFlight.push(tls.clientFinished13(pool, suite));
    yield* f.send(C, Buffer.concat(clientFlight));
    // Session tickets (OpenSSL sends two, BoringSSL one)
    const tickets = [];
    for (let i = 0, n = server.coalesce ? 1 : 2; i < n; i++) tickets.push(tls.encryptedRecord(pool, tls.CT.APPDATA, tls.sealedLength(suite, rng.range(180, 240))));
    yield* f.send(S, Buffer.concat(tickets));
    stats.established++;
  }
  yield* body(ctx, f, suite);
}

/** A request and a response or two, then an orderly close. */
function* shortExchange(ctx, f, suite) {
  const { rng, pool } = ctx;
  yield* f.send(C, tls.appData(pool, suite, rng.range(180, 900)));
  const resp = [tls.appData(pool, suite, rng.range(300, 3000))];
  if (rng.chance(0.5)) resp.push(tls.appData(pool, suite, rng.range(100, 2000)));
  yield* f.send(S, Buffer.concat(resp), { tail: true });
  yield* closeTls(ctx, f, suite);
}

function* closeTls(ctx, f, suite) {
  const closer = ctx.rng.chance(0.6) ? C : S;
  yield* f.send(closer, tls.closeNotify(ctx.pool, suite));
  yield* f.close(closer);
}

/** Interleaves up to `concurrency` connections, one packet at a time, on an increasing clock. */
function interleave(ctx, writer, total, concurrency, meanGapUs, makeConn) {
  const { rng } = ctx;
  const active = [];
  let started = 0;
  const start = ctx.captureStart * 1e6 + rng.int(1e6);
  let clock = start;
  while (active.length < concurrency && started < total) active.push(makeConn(started++));
  const maxGap = Math.max(1, Math.round(2 * meanGapUs - 1));
  while (active.length > 0) {
    const i = rng.int(active.length);
    const r = active[i].next();
    if (r.done) {
      if (started < total) active[i] = makeConn(started++);
      else {
        active[i] = active[active.length - 1];
        active.pop();
      }
      continue;
    }
    clock += 1 + rng.int(maxGap);
    writeFrame(writer, clock, r.value);
  }
  return (clock - start) / 1e6;
}

function finish(ctx, writer, t0, captureSec) {
  writer.close();
  return { ...ctx.stats, packets: writer.packets, frameBytes: writer.frameBytes, fileBytes: writer.fileBytes,
    captureSeconds: Number(captureSec.toFixed(3)), generateSeconds: Number(((performance.now() - t0) / 1000).toFixed(2)) };
}

export const HANDSHAKE_MIX = { alertFromServer: 0.02, alertFromClient: 0.03, resumeSessionId: 0.08, hrr: 0.05, psk: 0.05 };

/** handshakes.pcap: `connections` full TLS connections, `concurrency` in flight at a time. */
export function generateHandshakes(path, { seed = 'tlsscope-bench', connections = 100_000, concurrency = 1000, ipv6Share = 0.1 } = {}) {
  const t0 = performance.now();
  const ctx = new Ctx(`${seed}/handshakes`, { ipv6Share });
  const writer = new PcapWriter(path);
  const sec = interleave(ctx, writer, connections, concurrency, 8, () => connection(ctx, HANDSHAKE_MIX, shortExchange));
  return finish(ctx, writer, t0, sec);
}

const BULK_MIX = { alertFromServer: 0, alertFromClient: 0, resumeSessionId: 0, hrr: 0, psk: 0 };

/**
 * bulk.pcap: `connections` long-lived connections moving about `packets` packets in all: after
 * the handshake, bursts of 1-8 full 16 KiB records, cut at the MSS across record boundaries
 * (as TSO does), with the receiver ACKing every second segment; 85% downloads, 15% uploads.
 */
export function generateBulk(path, { seed = 'tlsscope-bench', connections = 200, packets = 1_500_000, ipv6Share = 0.1 } = {}) {
  const t0 = performance.now();
  const ctx = new Ctx(`${seed}/bulk`, { ipv6Share, clientHosts: 256 });
  const { rng, pool } = ctx;
  // Transfer sizes: spread 0.25x-1.75x around the mean, scaled so the packets add up to about `packets`.
  const weights = Array.from({ length: connections }, () => 0.25 + 1.5 * rng.float());
  const wsum = weights.reduce((a, b) => a + b, 0);
  const perConnPackets = Math.max(0, packets / connections - 22);
  const totalBytes = (perConnPackets * connections * 1448) / 1.52; // data segments + an ACK every second one
  let n = 0;
  const bulkBody = function* (c, f, suite) {
    const bytes = Math.max(16384, Math.round((totalBytes * weights[n++ % connections]) / wsum));
    const sender = rng.chance(0.85) ? S : C;
    yield* f.send(C, tls.appData(pool, suite, rng.range(180, 900)));
    if (sender === C) yield* f.ackAll(S);
    for (let left = bytes; left > 0; ) {
      const k = rng.range(1, 8);
      const plain = Math.min(left, k * 16384);
      left -= plain;
      yield* f.send(sender, tls.appData(pool, suite, plain), { lagMax: 6, tail: true });
    }
    yield* closeTls(c, f, suite);
  };
  const writer = new PcapWriter(path);
  const sec = interleave(ctx, writer, connections, connections, 4, () => connection(ctx, BULK_MIX, bulkBody));
  return finish(ctx, writer, t0, sec);
}
