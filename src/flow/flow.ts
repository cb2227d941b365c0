import type { TlsConnection } from '../tls/connection.js';
import type { TcpReassembler } from './tcp-reassembly.js';
import type { FtpGsiUnwrapper } from '../tls/ftp-gsi.js';

/**
 * One bidirectional transport flow. Endpoint A is the sender of the first packet seen;
 * direction 0 is A → B. Which side is the TLS client is decided later, by the ClientHello.
 */
export class Flow {
  // identity
  key = 0;
  ipVersion: 4 | 6 = 4;
  protocol = 0;
  a4 = 0;
  b4 = 0;
  a6: Uint8Array | null = null;
  b6: Uint8Array | null = null;
  aPort = 0;
  bPort = 0;
  vlan = 0;
  tunnelDepth = 0;

  // bookkeeping
  bucketNext: Flow | null = null;
  lruPrev: Flow | null = null;
  lruNext: Flow | null = null;
  /** Which expiry list the flow is on: 0 open, 1 closing (FIN/RST seen). */
  list: 0 | 1 = 0;
  firstSec = 0;
  firstNsec = 0;
  /** Last packet time, in seconds (fractional). */
  last = 0;
  /** Packet time the flow was last moved to the tail of its expiry list (≤ last). */
  queued = 0;
  packets0 = 0;
  packets1 = 0;
  bytes0 = 0;
  bytes1 = 0;
  fin0 = false;
  fin1 = false;
  rst = false;
  sawSyn = false;

  // payload analysis
  tcp: [TcpReassembler, TcpReassembler] | null = null;
  tls: TlsConnection | null = null;
  /** FTP with GSSAPI security: TLS inside base64 ADAT lines (set when the client asks for it). */
  gsi: FtpGsiUnwrapper | null = null;
  /** Data segments looked at without finding TLS; past a limit the flow is left alone. */
  probes = 0;
  /** Nothing more to read in this flow's payload (not TLS, or its handshake is over). */
  ignorePayload = false;
  /** The flow's event has been written. */
  reported = false;
}
