#!/usr/bin/env node
// node-tls.mjs — a tiny TLS server/client pair on Node's `tls` module, used by
// scripts/make-pcaps.sh to put Node's TLS stack on the wire.
//
//   node node-tls.mjs server --host H --port P --cert F --key F [--ca F] [--min TLSv1.2] [--max TLSv1.3]
//                            [--alpn h2,http/1.1] [--request-cert] [--reject-unauthorized] [--accept N]
//   node node-tls.mjs client --host H --port P --ca F [--servername S] [--cert F --key F] [--min V] [--max V]
//                            [--alpn h2,http/1.1] [--resume] [--expect-peer-cert yes|no] [--bytes N]
//
// Protocol: the client sends N bytes ending in "\n"; the server answers with a header
// line "peer-cert: yes|no" plus ~2 KB and closes. The server exits after --accept
// connections (or after 15 s). Each side prints one JSON line per connection and exits
// non-zero when something is not as asked (e.g. --resume but the session was not reused).
import tls from 'node:tls';
import { readFileSync } from 'node:fs';

const LIFETIME_MS = 15000;

function parseArgs(argv) {
  const [mode, ...rest] = argv;
  const opts = { mode };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const key = a.slice(2);
    if (['request-cert', 'reject-unauthorized', 'resume'].includes(key)) opts[key] = true;
    else {
      if (i + 1 >= rest.length) throw new Error(`missing value for ${a}`);
      opts[key] = rest[++i];
    }
  }
  return opts;
}

function fail(msg) {
  console.error(`node-tls: ${msg}`);
  process.exitCode = 1;
}

function info(sock, extra) {
  const c = sock.getCipher();
  return JSON.stringify({
    protocol: sock.getProtocol(),
    cipher: c?.standardName ?? c?.name,
    alpn: sock.alpnProtocol || null,
    reused: sock.isSessionReused(),
    ...extra,
  });
}

function common(o) {
  const t = {};
  if (o.cert) t.cert = readFileSync(o.cert);
  if (o.key) t.key = readFileSync(o.key);
  if (o.ca) t.ca = readFileSync(o.ca);
  if (o.min) t.minVersion = o.min;
  if (o.max) t.maxVersion = o.max;
  if (o.alpn) t.ALPNProtocols = o.alpn.split(',');
  return t;
}

function server(o) {
  const limit = Number(o.accept ?? 1);
  let seen = 0;
  const srv = tls.createServer({
    ...common(o),
    requestCert: Boolean(o['request-cert']),
    rejectUnauthorized: Boolean(o['reject-unauthorized']),
  });
  const done = () => {
    if (++seen >= limit) srv.close();
  };
  srv.on('secureConnection', (sock) => {
    const peer = sock.getPeerCertificate();
    const hasPeer = Boolean(peer && peer.subject);
    let buf = '';
    let answered = false;
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      buf += d;
      if (answered || !buf.includes('\n')) return;
      answered = true;
      console.log(info(sock, { side: 'server', peerCert: hasPeer, authorized: sock.authorized, received: buf.length }));
      sock.end(`peer-cert: ${hasPeer ? 'yes' : 'no'}\n` + 'tlsscope test reply '.repeat(100) + '\n');
    });
    sock.on('error', (e) => console.error(`node-tls server: ${e.message}`));
    sock.on('close', done);
  });
  srv.on('tlsClientError', (e) => {
    console.error(`node-tls server: handshake failed: ${e.message}`);
    done();
  });
  srv.listen(Number(o.port), o.host, () => console.error(`node-tls server: listening on ${o.host}:${o.port}`));
  setTimeout(() => {
    fail('server lifetime exceeded');
    process.exit(1);
  }, LIFETIME_MS).unref();
}

function connectOnce(o, session) {
  return new Promise((resolve, reject) => {
    let latest = null;
    let reply = '';
    const sock = tls.connect({
      ...common(o),
      host: o.host,
      port: Number(o.port),
      servername: o.servername,
      session: session ?? undefined,
    });
    sock.setEncoding('utf8');
    sock.on('session', (s) => {
      latest = s;
    });
    sock.on('secureConnect', () => {
      const n = Number(o.bytes ?? 1200);
      sock.write('hello from the node client '.repeat(Math.ceil(n / 27)).slice(0, n - 1) + '\n');
    });
    sock.on('data', (d) => {
      reply += d;
    });
    sock.on('error', reject);
    sock.on('end', () => {
      const line = info(sock, { side: 'client', replyBytes: reply.length });
      const peerCert = /^peer-cert: (yes|no)\n/.exec(reply)?.[1];
      sock.end();
      resolve({ line, sock, peerCert, reused: sock.isSessionReused(), session: latest, replyBytes: reply.length });
    });
  });
}

async function client(o) {
  const first = await connectOnce(o, null);
  console.log(first.line);
  const results = [first];
  if (o.resume) {
    if (!first.session) throw new Error('no session received to resume');
    const second = await connectOnce(o, first.session);
    console.log(second.line);
    if (!second.reused) fail('second connection was not resumed');
    results.push(second);
  }
  if (first.reused) fail('first connection unexpectedly resumed');
  for (const r of results) {
    if (r.replyBytes < 2000) fail(`short reply (${r.replyBytes} bytes)`);
    if (o['expect-peer-cert'] && r.peerCert !== o['expect-peer-cert']) {
      fail(`server saw client certificate: ${r.peerCert}, expected ${o['expect-peer-cert']}`);
    }
  }
}

const o = parseArgs(process.argv.slice(2));
if (!o.host || !o.port) {
  console.error('usage: node-tls.mjs server|client --host H --port P ...');
  process.exit(2);
}
if (o.mode === 'server') server(o);
else if (o.mode === 'client') {
  setTimeout(() => {
    fail('client lifetime exceeded');
    process.exit(1);
  }, LIFETIME_MS).unref();
  client(o).catch((e) => {
    fail(e.message);
  });
} else {
  console.error(`unknown mode ${o.mode}`);
  process.exit(2);
}
