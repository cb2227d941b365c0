import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusRoot } from '../support/paths.js';
import { replayFiles } from '../support/replay.js';

/**
 * Baseline values we believe are wrong, each proven from the packets with tshark's view.
 * These are the only Zeek disagreements on the core fields that the conformance test tolerates.
 */
describe('where Zeek’s baseline is wrong', () => {
  it('chrome-63 tls_experiment is not resumed: no PSK was offered or accepted; the session ID echo is TLS 1.3 middlebox compatibility', async () => {
    const trace = path.join(corpusRoot, 'zeek/traces/chrome-63.0.3211.0-canary-tls_experiment.pcap');
    const lines = execFileSync('tshark', ['-r', trace, '-Y', 'tls.handshake.type==1 || tls.handshake.type==2', '-T', 'fields', '-e', 'tls.handshake.type', '-e', 'tls.handshake.extension.type', '-e', 'tls.handshake.extensions.supported_version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const [client, server] = lines;
    // RFC 8446 §4.2.11: resumption needs pre_shared_key (41) in both hellos.
    expect(client[1].split(',')).not.toContain('41');
    expect(server[1].split(',')).not.toContain('41');
    // The server chose Google's TLS 1.3 experiment (0x7e01), where the session ID is echoed always.
    expect(server[2]).toBe('0x7e01');
    const { events } = await replayFiles([trace]);
    expect(events).toHaveLength(1);
    expect(events[0].tls.resumed).toBe(false);
    expect(events[0].tls.version).toBe('1.3');
  });
});
