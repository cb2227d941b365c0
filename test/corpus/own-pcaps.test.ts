import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcapsDir } from '../support/paths.js';
import { replayFiles } from '../support/replay.js';

/** One connection of pcaps/expected.json, written from tshark's reading of our own captures. */
interface ExpectedConn {
  client: string;
  server: string;
  version: string | null;
  cipher: string | null;
  sni: string | null;
  alpn_selected: string | null;
  resumed: boolean;
  hrr: boolean;
  client_cert_requested: boolean;
  client_cert_presented: boolean;
  established: boolean;
  from_scenario?: boolean;
}

const expectedFile = path.join(pcapsDir, 'expected.json');
const expected: Record<string, ExpectedConn[]> = JSON.parse(readFileSync(expectedFile, 'utf8'));

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

describe('our own captures of real TLS stacks (pcaps/)', () => {
  for (const [file, conns] of Object.entries(expected)) {
    it(`${file}: every connection, as tshark and the scenario describe it`, async () => {
      const pcap = path.join(pcapsDir, file);
      expect(existsSync(pcap)).toBe(true);
      const { events } = await replayFiles([pcap]);
      expect(events).toHaveLength(conns.length);
      for (const c of conns) {
        const ev = events.find((e) => endpoint(e.source) === c.client && endpoint(e.destination) === c.server);
        expect(ev, `${c.client} → ${c.server}`).toBeDefined();
        const where = `${file} ${c.client}`;
        expect(ev.tls.version ?? null, where).toBe(c.version);
        expect(ev.tls.cipher ?? null, where).toBe(c.cipher);
        expect(ev.tls.client.server_name ?? null, where).toBe(c.sni);
        expect(ev.tls.next_protocol ?? null, where).toBe(c.version === '1.3' ? null : c.alpn_selected);
        expect(ev.tls.resumed, where).toBe(c.resumed);
        expect(ev.tlsscope.hello_retry_request, where).toBe(c.hrr);
        expect(ev.tls.established, where).toBe(c.established);
        // A handshake refused before the server's flight shows nothing about client certificates.
        if (c.version !== null && c.version !== '1.3') {
          // TLS ≤ 1.2 shows client authentication in plaintext: observed, never guessed.
          expect(ev.tlsscope.mtls.method, where).toBe('observed');
          expect(ev.tlsscope.mtls.requested, where).toBe(c.client_cert_requested);
          expect(ev.tlsscope.mtls.presented, where).toBe(c.client_cert_presented);
        } else if (c.version === '1.3') {
          // TLS 1.3 hides it: inferred from the sizes of the client's flight, against what the
          // scenario made each stack do (a client certificate requested, sent or not).
          expect(ev.tlsscope.mtls.method, where).toBe('inferred');
          expect(ev.tlsscope.mtls.requested, where).toBe(c.client_cert_requested);
          expect(ev.tlsscope.mtls.presented, where).toBe(c.client_cert_presented);
        }
      }
    });
  }
});
