import { describe, expect, it } from 'vitest';
import { readClientFlight, serverFinishedPadding, type FlightReading } from '../../src/tls/client-flight.js';
import { inferTls13 } from '../../src/enrich/mtls.js';
import type { RecordSize } from '../../src/tls/connection.js';

const AES128 = 0x1301; // SHA-256: Finished is 36 bytes, its record 53
const AES256 = 0x1302; // SHA-384: Finished is 52 bytes, its record 69
const OVERHEAD = 17;

/** A server flight of separate records (EE, Certificate, CertificateVerify, Finished), then the client's records. */
function flight(client: number[], server: number[] = [40, 900, 281, 53]): RecordSize[] {
  return [...server.map((length) => ({ from: 'S' as const, type: 23, length })), ...client.map((length) => ({ from: 'C' as const, type: 23, length }))];
}

function read(client: number[], suite = AES128, earlyData = false): FlightReading | string {
  return readClientFlight(flight(client), suite, earlyData);
}

function verdict(r: FlightReading | string): [boolean | null, boolean | null, string] {
  return typeof r === 'string' ? [null, null, 'unknown'] : [r.requested, r.presented, r.confidence];
}

describe('TLS 1.3 client flight: exact sizes (OpenSSL, GnuTLS, Go, Node)', () => {
  it('Finished alone: not requested', () => {
    expect(verdict(read([53, 31]))).toEqual([false, false, 'high']);
    expect(verdict(read([69], AES256))).toEqual([false, false, 'high']);
  });
  it('empty Certificate then Finished, in two records or one', () => {
    expect(verdict(read([25, 53]))).toEqual([true, false, 'high']);
    expect(verdict(read([8 + 36 + OVERHEAD]))).toEqual([true, false, 'high']);
  });
  it('Certificate, CertificateVerify, Finished (RSA and ECDSA client keys)', () => {
    expect(verdict(read([789, 281, 53]))).toEqual([true, true, 'high']);
    expect(verdict(read([587, 96, 69], AES256))).toEqual([true, true, 'high']);
  });
  it('Certificate and CertificateVerify coalesced, Finished apart', () => {
    expect(verdict(read([1050, 53]))).toEqual([true, true, 'medium']);
  });
  it('the wrong hash length for the suite is not a Finished', () => {
    // 69 is a SHA-384 Finished; under a SHA-256 suite it is 16 bytes too many: read as padded, never as exact
    const r = read([69]);
    expect(verdict(r)).toEqual([false, false, 'medium']);
    expect((r as FlightReading).padding).toBe(16);
  });
  it('EndOfEarlyData before the flight (accepted 0-RTT) is skipped', () => {
    expect(verdict(read([4 + OVERHEAD, 53, 300], AES128, true))).toEqual([false, false, 'high']);
    // without early data offered, a 4-byte record is no EndOfEarlyData
    expect(verdict(read([4 + OVERHEAD, 281, 53]))).toEqual([null, null, 'unknown']);
  });
  it('server records between the client records do not count', () => {
    const records: RecordSize[] = [...flight([789]), { from: 'S', type: 23, length: 1669 }, { from: 'C', type: 23, length: 281 }, { from: 'C', type: 23, length: 53 }];
    expect(verdict(readClientFlight(records, AES128, false))).toEqual([true, true, 'high']);
  });
});

describe('TLS 1.3 client flight: padded records (Java JSSE pads each record by 16 bytes)', () => {
  it('empty Certificate and Finished with the same padding', () => {
    const r = read([41, 85], AES256) as FlightReading;
    expect(verdict(r)).toEqual([true, false, 'high']);
    expect(r.padding).toBe(16);
  });
  it('Certificate, CertificateVerify, Finished with the same padding', () => {
    const r = read([805, 297, 85], AES256) as FlightReading;
    expect(verdict(r)).toEqual([true, true, 'high']);
    expect(r.padding).toBe(16);
  });
  it('a padded Finished alone: not presented, requested read as not (medium)', () => {
    expect(verdict(read([85, 49], AES256))).toEqual([false, false, 'medium']);
  });
  it('different padding on the records is no reading', () => {
    expect(verdict(read([41, 90], AES256))).toEqual([null, null, 'unknown']);
  });
  it('the server padding is read off its Finished, and only when plausible', () => {
    expect(serverFinishedPadding(85, AES256)).toBe(16);
    expect(serverFinishedPadding(69, AES256)).toBe(0);
    expect(serverFinishedPadding(1900, AES256)).toBe(0); // a coalesced flight, not a padded Finished
  });
});

describe('TLS 1.3 client flight: one record for the whole flight (BoringSSL, NSS)', () => {
  it('large enough for Certificate + CertificateVerify + Finished: presented (medium)', () => {
    expect(verdict(read([1200, 300]))).toEqual([true, true, 'medium']);
  });
  it('not when the hello offered 0-RTT data, which could be that record', () => {
    expect(verdict(read([1200, 300], AES128, true))).toEqual([null, null, 'unknown']);
  });
});

describe('TLS 1.3 client flight: nothing to read', () => {
  it('no server or client flight', () => {
    expect(read([])).toMatch(/no encrypted client flight/);
    expect(readClientFlight([{ from: 'C', type: 23, length: 53 }], AES128, false)).toMatch(/no encrypted server flight/);
  });
  it('sizes that fit no pattern', () => {
    // smaller than a Finished and not an empty Certificate followed by one
    expect(verdict(read([40, 60]))).toEqual([null, null, 'unknown']);
    // between the largest padded Finished and a whole flight
    expect(verdict(read([250 + OVERHEAD]))).toEqual([null, null, 'unknown']);
  });
  it('any small first record means no certificate, however padded', () => {
    expect(verdict(read([120, 60]))).toEqual([false, false, 'medium']);
  });
  it('never presented without a record that can hold a certificate', () => {
    // every first record below the smallest Certificate, with anything after it
    for (let a = OVERHEAD + 1; a < 213 + OVERHEAD; a++) {
      for (const rest of [[], [53], [281, 53], [a], [a, a]]) {
        for (const suite of [AES128, AES256]) {
          const r = read([a, ...rest], suite);
          if (typeof r !== 'string') expect(r.presented, `${[a, ...rest]}`).toBe(false);
        }
      }
    }
  });
});

describe('the mTLS verdict worded from the reading', () => {
  it('says padding and sizes', () => {
    expect(inferTls13(flight([805, 297, 85]), AES256)).toEqual({
      requested: true,
      presented: true,
      method: 'inferred',
      confidence: 'high',
      evidence: 'client flight: Certificate, CertificateVerify, Finished, padded by 16 bytes each (805,297,85)',
    });
    expect(inferTls13(flight([53]), AES128).evidence).toBe('client flight: Finished alone (53)');
    expect(inferTls13(flight([40]), AES128)).toMatchObject({ requested: null, presented: null, method: 'unknown' });
  });
});
