import { describe, expect, it } from 'vitest';
import { transition, TRANSITIONS, type Msg, type Side, type State } from '../../src/tls/transitions.js';

function walk(steps: [Side, Msg][]): State {
  let s: State = 'start';
  for (const [side, msg] of steps) {
    const n = transition(s, side, msg);
    if (n === undefined) throw new Error(`no step ${s} ${side} ${msg}`);
    s = n;
  }
  return s;
}

describe('handshake transition table', () => {
  it('reaches established on a full TLS 1.2 handshake with a client certificate', () => {
    expect(
      walk([
        ['C', 'ClientHello'], ['S', 'ServerHello'], ['S', 'Certificate'], ['S', 'ServerKeyExchange'],
        ['S', 'CertificateRequest'], ['S', 'ServerHelloDone'], ['C', 'Certificate'], ['C', 'ClientKeyExchange'],
        ['C', 'CertificateVerify'], ['C', 'ChangeCipherSpec'], ['C', 'Encrypted'], ['S', 'NewSessionTicket'],
        ['S', 'ChangeCipherSpec'], ['S', 'Encrypted'],
      ]),
    ).toBe('established');
  });

  it('reaches established on an abbreviated (resumed) handshake', () => {
    expect(
      walk([['C', 'ClientHello'], ['S', 'ServerHello'], ['S', 'ChangeCipherSpec'], ['S', 'Encrypted'], ['C', 'ChangeCipherSpec'], ['C', 'Encrypted']]),
    ).toBe('established');
  });

  it('reaches established on TLS 1.3 after a HelloRetryRequest', () => {
    expect(
      walk([
        ['C', 'ClientHello'], ['S', 'HelloRetryRequest'], ['S', 'ChangeCipherSpec'], ['C', 'ChangeCipherSpec'],
        ['C', 'ClientHello'], ['S', 'ServerHello13'], ['S', 'Encrypted'], ['C', 'Encrypted'],
      ]),
    ).toBe('established');
  });

  it('fails on a fatal alert before established, and not after', () => {
    expect(walk([['C', 'ClientHello'], ['S', 'FatalAlert']])).toBe('failed');
    expect(transition('established', 'S', 'FatalAlert')).toBe('established');
  });

  it('has no step for messages out of order', () => {
    expect(transition('start', 'S', 'Certificate')).toBeUndefined();
    expect(transition('server_hello_done', 'S', 'Certificate')).toBeUndefined();
    expect(transition('client_hello', 'C', 'ClientKeyExchange')).toBeUndefined();
  });

  it('has one row per (state, side, message)', () => {
    const keys = TRANSITIONS.map(([a, b, c]) => `${a}|${b}|${c}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
