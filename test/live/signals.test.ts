/**
 * Time and shutdown in `tlsscope live`: a connection that closes without finishing its
 * handshake is reported once the wall clock passes the close delay, with no packet after
 * it (Sensor.tick); on SIGINT the connections still open are reported, everything is
 * delivered, and the exit code is 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, logLines, NetPair, preflight, sleep, waitFor } from './support.js';

let net: NetPair;

beforeAll(() => {
  preflight(['ss']);
  net = new NetPair('e', 5);
  net.setup();
});
afterAll(() => net?.cleanup());

/** A TLS client whose server never answers; it hangs up after `closeAfterMs` (or never). */
function client(sni: string, closeAfterMs: number): string {
  return `const tls = require('node:tls');
const s = tls.connect({ host: '${net.server.ip}', port: 4443, servername: '${sni}', rejectUnauthorized: false });
s.on('error', () => {});
if (${closeAfterMs} > 0) setTimeout(() => s.destroy(), ${closeAfterMs});
setTimeout(() => process.exit(0), 30000);`;
}

describe('tlsscope live: flow expiry on the wall clock, and SIGINT', () => {
  it('reports a hung-up connection after the close delay, and an open one at SIGINT', async () => {
    // a TCP server that reads and never says a word (it closes when the client does)
    const server = net.start(net.server, process.execPath, ['-e', "require('node:net').createServer((s) => s.resume()).listen(4443, '0.0.0.0'); setTimeout(() => process.exit(0), 40000)"], 45_000);
    await waitFor(() => /LISTEN/.test(net.run(net.server, 'ss', ['-Hltn', 'sport = :4443'], 5000).stdout), 10_000, 'the silent server');
    const live = net.start(net.server, process.execPath, [cli, 'live', '-i', net.server.ifname, '--stats-interval', '0', '--events', 'handshake'], 60_000);
    await waitFor(() => logLines(live.stderr()).some((l) => l.msg === 'capturing'), 10_000, 'tlsscope live to capture');

    const hungUp = net.start(net.client, process.execPath, ['-e', client('closed.example', 500)], 40_000);
    const open = net.start(net.client, process.execPath, ['-e', client('open.example', 0)], 40_000);
    const events = (): any[] => live.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    // both FINs seen, then 5 s (the close delay) of silence: the tick reports it
    const t0 = Date.now();
    await waitFor(() => events().length > 0, 15_000, 'the hung-up connection to be reported');
    expect(Date.now() - t0).toBeGreaterThan(4000);
    expect(events().map((e) => [e.tls.client.server_name, e.tls.established])).toEqual([['closed.example', false]]);

    await sleep(200);
    live.proc.kill('SIGINT');
    expect(await live.exited).toBe(0);
    expect(events().map((e) => [e.tls.client.server_name, e.tls.established])).toEqual([
      ['closed.example', false],
      ['open.example', false],
    ]);
    const logs = logLines(live.stderr());
    expect(logs.find((l) => l.msg.startsWith('stopping'))?.signal).toBe('SIGINT');
    expect(logs.find((l) => l.msg === 'stopped')).toMatchObject({ handshakes: 2, events: 2, kernel_drops: 0 });
    for (const p of [hungUp, open, server]) p.proc.kill('SIGKILL');
  }, 60_000);
});
