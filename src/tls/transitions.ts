/**
 * The TLS handshake as a transition table: one row per legal step, read top to bottom.
 * `C` is the client (the side that sent the ClientHello), `S` the server. A message that
 * no row allows is recorded as an anomaly and leaves the state unchanged: a passive
 * sensor keeps reading rather than giving up on a connection.
 */
export type State =
  | 'start'
  | 'client_hello'
  | 'hello_retry'
  | 'hello_verify'
  | 'server_hello'
  | 'server_certificate'
  | 'server_key_exchange'
  | 'certificate_request'
  | 'server_hello_done'
  | 'client_certificate'
  | 'client_key_exchange'
  | 'certificate_verify'
  | 'client_ccs'
  | 'client_finished'
  | 'server_ccs'
  | 'resume_server_ccs'
  | 'resume_server_finished'
  | 'resume_client_ccs'
  | 'tls13_server_hello'
  | 'tls13_server_flight'
  | 'sslv2_client_hello'
  | 'sslv2_server_hello'
  | 'established'
  | 'failed';

export type Side = 'C' | 'S';

export type Msg =
  | 'ClientHello'
  | 'Sslv2ClientHello'
  | 'ServerHello' // TLS 1.2 and older
  | 'ServerHello13' // TLS 1.3 (and its drafts)
  | 'HelloRetryRequest'
  | 'HelloVerifyRequest' // DTLS cookie exchange
  | 'Sslv2ServerHello'
  | 'Sslv2ClientMasterKey'
  | 'Certificate'
  | 'CertificateStatus'
  | 'ServerKeyExchange'
  | 'CertificateRequest'
  | 'ServerHelloDone'
  | 'ClientKeyExchange'
  | 'CertificateVerify'
  | 'NewSessionTicket'
  | 'ChangeCipherSpec'
  | 'Encrypted' // a record this sensor cannot read: after ChangeCipherSpec, or TLS 1.3 ciphertext
  | 'FatalAlert';

type Row = readonly [State, Side, Msg, State];

const ROWS: readonly Row[] = [
  // the first hello
  ['start', 'C', 'ClientHello', 'client_hello'],
  ['start', 'C', 'Sslv2ClientHello', 'sslv2_client_hello'],
  // 0-RTT: early data (and its compatibility ChangeCipherSpec) may follow the ClientHello
  ['client_hello', 'C', 'ChangeCipherSpec', 'client_hello'],
  ['client_hello', 'C', 'Encrypted', 'client_hello'],

  // SSL 2.0, or an SSLv2-format hello answered in TLS
  ['sslv2_client_hello', 'S', 'Sslv2ServerHello', 'sslv2_server_hello'],
  ['sslv2_client_hello', 'S', 'ServerHello', 'server_hello'],
  ['sslv2_server_hello', 'C', 'Sslv2ClientMasterKey', 'established'],

  // TLS 1.3 HelloRetryRequest: the client says hello again
  ['client_hello', 'S', 'HelloRetryRequest', 'hello_retry'],
  ['hello_retry', 'S', 'ChangeCipherSpec', 'hello_retry'],
  ['hello_retry', 'C', 'ChangeCipherSpec', 'hello_retry'],
  ['hello_retry', 'C', 'ClientHello', 'client_hello'],

  // DTLS: the server may ask for a cookie before it commits state (RFC 6347 §4.2.1)
  ['client_hello', 'S', 'HelloVerifyRequest', 'hello_verify'],
  ['hello_verify', 'C', 'ClientHello', 'client_hello'],

  // TLS 1.3: everything after the ServerHello is encrypted
  ['client_hello', 'S', 'ServerHello13', 'tls13_server_hello'],
  ['tls13_server_hello', 'S', 'ChangeCipherSpec', 'tls13_server_hello'],
  ['tls13_server_hello', 'C', 'ChangeCipherSpec', 'tls13_server_hello'],
  ['tls13_server_hello', 'C', 'Encrypted', 'tls13_server_hello'], // late 0-RTT data
  ['tls13_server_hello', 'S', 'Encrypted', 'tls13_server_flight'],
  ['tls13_server_flight', 'S', 'Encrypted', 'tls13_server_flight'],
  ['tls13_server_flight', 'C', 'ChangeCipherSpec', 'tls13_server_flight'],
  ['tls13_server_flight', 'C', 'Encrypted', 'established'],

  // TLS 1.2 and older, full handshake: server flight
  ['client_hello', 'S', 'ServerHello', 'server_hello'],
  ['server_hello', 'S', 'Certificate', 'server_certificate'],
  ['server_hello', 'S', 'ServerKeyExchange', 'server_key_exchange'], // anonymous key exchange
  ['server_hello', 'S', 'ServerHelloDone', 'server_hello_done'], // PSK
  ['server_certificate', 'S', 'CertificateStatus', 'server_certificate'],
  ['server_certificate', 'S', 'ServerKeyExchange', 'server_key_exchange'],
  ['server_certificate', 'S', 'CertificateRequest', 'certificate_request'],
  ['server_certificate', 'S', 'ServerHelloDone', 'server_hello_done'],
  ['server_key_exchange', 'S', 'CertificateRequest', 'certificate_request'],
  ['server_key_exchange', 'S', 'ServerHelloDone', 'server_hello_done'],
  ['certificate_request', 'S', 'ServerHelloDone', 'server_hello_done'],
  // client flight, with or without a client certificate
  ['server_hello_done', 'C', 'Certificate', 'client_certificate'],
  ['server_hello_done', 'C', 'ClientKeyExchange', 'client_key_exchange'],
  ['client_certificate', 'C', 'ClientKeyExchange', 'client_key_exchange'],
  ['client_key_exchange', 'C', 'CertificateVerify', 'certificate_verify'],
  ['client_key_exchange', 'C', 'ChangeCipherSpec', 'client_ccs'],
  ['certificate_verify', 'C', 'ChangeCipherSpec', 'client_ccs'],
  ['client_ccs', 'C', 'Encrypted', 'client_finished'],
  // the server finishes (a ticket first, maybe); False Start data may cross it
  ['client_finished', 'C', 'Encrypted', 'client_finished'],
  ['client_finished', 'S', 'NewSessionTicket', 'client_finished'],
  ['client_finished', 'S', 'ChangeCipherSpec', 'server_ccs'],
  ['server_ccs', 'C', 'Encrypted', 'server_ccs'],
  ['server_ccs', 'S', 'Encrypted', 'established'],

  // TLS 1.2 and older, abbreviated handshake (session ID or ticket resumption): server finishes first
  ['server_hello', 'S', 'NewSessionTicket', 'server_hello'],
  ['server_hello', 'S', 'ChangeCipherSpec', 'resume_server_ccs'],
  ['resume_server_ccs', 'S', 'Encrypted', 'resume_server_finished'],
  ['resume_server_finished', 'S', 'Encrypted', 'resume_server_finished'],
  ['resume_server_finished', 'C', 'ChangeCipherSpec', 'resume_client_ccs'],
  ['resume_client_ccs', 'C', 'Encrypted', 'established'],
];

/** The rows indexed by state, side and message: a lookup allocates nothing. */
const TABLE: Partial<Record<State, Record<Side, Partial<Record<Msg, State>>>>> = {};
for (const [from, side, msg, to] of ROWS) {
  const bySide = (TABLE[from] ??= { C: {}, S: {} });
  bySide[side][msg] = to;
}

/** The next state, or undefined when the table has no such step. A fatal alert ends any handshake. */
export function transition(from: State, side: Side, msg: Msg): State | undefined {
  if (msg === 'FatalAlert') return from === 'established' ? 'established' : 'failed';
  if (from === 'established' || from === 'failed') return from;
  return TABLE[from]?.[side][msg];
}

/** All rows, for tests and documentation. */
export const TRANSITIONS = ROWS;
