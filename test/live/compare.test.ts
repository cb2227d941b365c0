/**
 * `tlsscope live` against `tlsscope replay`: real TLS stacks (OpenSSL s_server/s_client with
 * TLS 1.2 + mTLS, TLS 1.3, TLS 1.3 + mTLS; Node's tls with TLS 1.3 + ALPN and TLS 1.2) talk
 * across a veth pair in their own namespaces while tlsscope captures live on the server's
 * veth and tcpdump captures the same interface. The live events must equal the events of
 * replaying tcpdump's file, field for field apart from timestamps.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';
import { cli, logLines, NetPair, preflight, sleep, waitFor, type Run } from './support.js';

const SNI = 'server.tlsscope.test';
const nodeTls = path.join(repoRoot, 'scripts/pcap-helpers/node-tls.mjs');

let net: NetPair;
let dir: string;

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, an RSA and an EC server certificate, a client certificate; in `dir`. */
function makeCerts(serverIp: string): void {
  writeFileSync(path.join(dir, 'server.ext'), `basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${SNI},IP:${serverIp}\n`);
  writeFileSync(path.join(dir, 'client.ext'), 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:client.tlsscope.test\n');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/O=tlsscope test/CN=tlsscope live test CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const leaf = (name: string, key: string[], subject: string, ext: string, serial: string): void => {
    openssl(['req', '-new', '-newkey', ...key, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', serial, '-days', '30', '-sha256', '-extfile', ext, '-out', `${name}.pem`]);
  };
  leaf('server-rsa', ['rsa:2048'], `/O=tlsscope test/CN=${SNI}`, 'server.ext', '4096');
  leaf('server-ec', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], `/O=tlsscope test/CN=${SNI}`, 'server.ext', '4097');
  leaf('client', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/O=tlsscope test/CN=client.tlsscope.test', 'client.ext', '8192');
}

const f = (name: string): string => path.join(dir, name);

async function waitListen(port: number): Promise<void> {
  await waitFor(() => /LISTEN/.test(net.run(net.server, 'ss', ['-Hltn', `sport = :${port}`], 5000).stdout), 10_000, `a server on port ${port}`);
}

/** One connection: a server (exits after it) and a client that must succeed. */
async function connection(port: number, server: [string, string[]], client: [string, string[]], input?: string): Promise<void> {
  const srv = net.start(net.server, server[0], server[1], 20_000);
  await waitListen(port);
  const c = net.run(net.client, client[0], client[1], 20_000, input);
  if (c.code !== 0) throw new Error(`client on port ${port} exited ${c.code}: ${c.stderr.slice(-500)} ${c.stdout.slice(-500)}`);
  const code = await Promise.race([srv.exited, sleep(5000).then(() => 'still running')]);
  if (code === 'still running') srv.proc.kill('SIGTERM');
}

function osslServer(port: number, extra: string[]): [string, string[]] {
  return ['openssl', ['s_server', '-accept', `${net.server.ip}:${port}`, '-naccept', '1', '-rev', ...extra]];
}

function osslClient(port: number, extra: string[]): [string, string[]] {
  return ['openssl', ['s_client', '-connect', `${net.server.ip}:${port}`, '-servername', SNI, '-CAfile', f('ca.pem'), '-verify_return_error', '-ign_eof', ...extra]];
}

/** Every field but the time-derived ones. */
function timeless(e: Record<string, unknown>): string {
  return JSON.stringify(e, (k, v) => (k === '@timestamp' ? undefined : v));
}

describe('tlsscope live (compared with replaying tcpdump of the same interface)', () => {
  let liveEvents: any[] = [];
  let replayEvents: any[] = [];
  let liveRun: Run;
  let dumpRun: Run;
  let replaySummary = '';

  beforeAll(async () => {
    preflight(['openssl', 'tcpdump', 'ss']);
    dir = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-live-cmp-'));
    net = new NetPair('a', 1);
    net.setup();
    makeCerts(net.server.ip);
    const pcap = f('dump.pcap');
    dumpRun = net.start(net.server, 'tcpdump', ['-i', net.server.ifname, '-n', '-s', '0', '-U', '-w', pcap], 90_000);
    liveRun = net.start(net.server, process.execPath, [cli, 'live', '-i', net.server.ifname, '--stats-interval', '1', '--no-system-roots', '--ca-file', f('ca.pem')], 90_000);
    await waitFor(() => /listening on/.test(dumpRun.stderr()), 10_000, 'tcpdump to listen');
    await waitFor(() => logLines(liveRun.stderr()).some((l) => l.msg === 'capturing'), 10_000, 'tlsscope live to capture');

    const line = 'hello from the client\nCLOSE\n';
    const rsa = ['-cert', f('server-rsa.pem'), '-key', f('server-rsa.key')];
    const ec = ['-cert', f('server-ec.pem'), '-key', f('server-ec.key')];
    const clientCert = ['-cert', f('client.pem'), '-key', f('client.key')];
    // OpenSSL: TLS 1.2 with mTLS; TLS 1.3; TLS 1.3 with mTLS
    await connection(4431, osslServer(4431, ['-tls1_2', ...rsa, '-Verify', '1', '-CAfile', f('ca.pem')]), osslClient(4431, ['-tls1_2', ...clientCert]), line);
    await connection(4432, osslServer(4432, ['-tls1_3', ...ec]), osslClient(4432, ['-tls1_3']), line);
    await connection(4433, osslServer(4433, ['-tls1_3', ...ec, '-Verify', '1', '-CAfile', f('ca.pem')]), osslClient(4433, ['-tls1_3', ...clientCert]), line);
    // Node's tls: TLS 1.3 with ALPN; TLS 1.2
    const nodeServer = (port: number, extra: string[]): [string, string[]] => [process.execPath, [nodeTls, 'server', '--host', net.server.ip, '--port', String(port), '--cert', f('server-ec.pem'), '--key', f('server-ec.key'), '--accept', '1', ...extra]];
    const nodeClient = (port: number, extra: string[]): [string, string[]] => [process.execPath, [nodeTls, 'client', '--host', net.server.ip, '--port', String(port), '--ca', f('ca.pem'), '--servername', SNI, ...extra]];
    await connection(4434, nodeServer(4434, ['--alpn', 'h2,http/1.1']), nodeClient(4434, ['--alpn', 'h2']));
    await connection(4435, nodeServer(4435, ['--max', 'TLSv1.2']), nodeClient(4435, ['--max', 'TLSv1.2']));

    // Both captures hand over packets within their read timeouts (tcpdump's is 1 s).
    await sleep(2500);
    dumpRun.proc.kill('SIGTERM');
    liveRun.proc.kill('SIGTERM');
    await Promise.all([dumpRun.exited, liveRun.exited]);

    liveEvents = liveRun.stdout().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const r = spawnSync(process.execPath, [cli, 'replay', pcap, '--no-system-roots', '--ca-file', f('ca.pem')], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`replay exited ${r.status}: ${r.stderr}`);
    replaySummary = r.stderr;
    replayEvents = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }, 120_000);

  afterAll(() => {
    net?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stops on SIGTERM with exit 0, a final stats line, and nothing but events on stdout', async () => {
    expect(await liveRun.exited).toBe(0);
    const logs = logLines(liveRun.stderr());
    const stopped = logs.find((l) => l.msg === 'stopped');
    expect(stopped).toBeDefined();
    expect(stopped!.kernel_drops).toBe(0);
    expect(stopped!.own_drops).toBe(0);
    expect(logs.filter((l) => l.msg === 'stats').length).toBeGreaterThan(0);
    // every stdout line is an event
    for (const e of liveEvents) expect(e.event.module).toBe('tlsscope');
  });

  it('saw every packet tcpdump saw', () => {
    const stopped = logLines(liveRun.stderr()).find((l) => l.msg === 'stopped')!;
    const replayed = Number(/packets=(\d+)/.exec(replaySummary)?.[1]);
    expect(replayed).toBeGreaterThan(50);
    expect(stopped.packets).toBe(replayed);
  });

  it('reported the five connections as they happened', () => {
    const hs = liveEvents.filter((e) => e.event.dataset === 'tlsscope.handshake').sort((a, b) => a.destination.port - b.destination.port);
    expect(hs.map((e) => [e.destination.port, e.tls.version, e.tls.established])).toEqual([
      [4431, '1.2', true],
      [4432, '1.3', true],
      [4433, '1.3', true],
      [4434, '1.3', true],
      [4435, '1.2', true],
    ]);
    expect(hs[0].tlsscope.mtls).toMatchObject({ requested: true, presented: true, method: 'observed' });
    expect(hs[1].tlsscope.mtls.presented).toBe(false);
    expect(hs[2].tlsscope.mtls.presented).toBe(true);
    expect(hs[3].tlsscope.client.alpn).toEqual(['h2']); // TLS 1.3 hides the server's choice
    expect(hs.every((e) => e.tls.client.server_name === SNI)).toBe(true);
    expect(hs[0].tlsscope.server.validation.trusted).toBe(true);
  });

  it('gives the same events as replaying the tcpdump capture, apart from timestamps', () => {
    expect(liveEvents.length).toBeGreaterThan(5);
    expect(liveEvents.map(timeless).sort()).toEqual(replayEvents.map(timeless).sort());
  });

  it('stamps packets with the kernel time, as tcpdump does', () => {
    // Each capture socket takes its own kernel timestamp of the same packet: microseconds apart.
    const replayTs = new Map(replayEvents.map((e) => [timeless(e), Date.parse(e['@timestamp'])]));
    for (const e of liveEvents) {
      const other = replayTs.get(timeless(e));
      expect(other).toBeDefined();
      expect(Math.abs(Date.parse(e['@timestamp']) - other!)).toBeLessThanOrEqual(1);
    }
  });
});
