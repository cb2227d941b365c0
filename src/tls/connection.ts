import { copyBytes } from '../../parsers/bytes.js';
import { ContentType, HandshakeType, isTls13Family } from '../../parsers/tls/constants.js';
import { parseCertificateMsg } from '../../parsers/tls/certificate-msg.js';
import { parseClientHello, parseServerHello, type ClientHello, type ServerHello } from '../../parsers/tls/hello.js';
import {
  parseAlert,
  parseCertificateRequest,
  parseNewSessionTicket,
  parseServerKeyExchange,
  type CertificateRequest,
  type ServerKeyExchange,
} from '../../parsers/tls/messages.js';
import { looksLikeHelloRecord } from '../../parsers/tls/record.js';
import {
  SSLV2_MSG_CLIENT_HELLO,
  SSLV2_MSG_CLIENT_MASTER_KEY,
  SSLV2_MSG_SERVER_HELLO,
  looksLikeSslv2ClientHello,
  parseSslv2ClientHello,
  parseSslv2ClientMasterKey,
  parseSslv2ServerHello,
  type Sslv2ServerHello,
} from '../../parsers/tls/sslv2.js';
import { dtlsFragments, dtlsRecords, looksLikeDtlsHello } from '../../parsers/tls/dtls.js';
import { keyExchangeOf } from './cipher-kind.js';
import { readClientFlight, serverFinishedPadding } from './client-flight.js';
import { DtlsReassembler } from './dtls-reassembler.js';
import type { MemoryBudget } from '../flow/budget.js';
import { HandshakeAssembler } from './handshake-assembler.js';
import { RecordStream, type RecordSink } from './record-stream.js';
import { transition, type Msg, type Side, type State } from './transitions.js';

/** Zeek's ssl_history letters, so histories can be compared with Zeek's logs (upper case: client). */
const HISTORY_LETTER: Record<number, string> = {
  0: 'H', 1: 'C', 2: 'S', 3: 'V', 4: 'T', 5: 'E', 8: 'O', 11: 'X', 12: 'K', 13: 'R', 14: 'N',
  15: 'Y', 16: 'G', 20: 'F', 21: 'W', 22: 'U', 23: 'A', 24: 'P', 254: 'M',
};
const MAX_HISTORY = 100;
/** Below this many bytes a chunk cannot show a whole hello header: hold it and wait for more. */
const SHORT_CHUNK = 16;
const MAX_ANOMALIES = 16;
const MAX_RECORD_SIZES = 32;
/** After a TLS 1.3 handshake, how many client records to watch before calling the connection done. */
const TLS13_CLIENT_RECORDS_AFTER = 8;
/** A TLS 1.3 record holding one alert: 2 bytes, the inner type, and a 16-byte (or CCM_8 8-byte) tag. */
const ENCRYPTED_ALERT_SIZES = new Set([2 + 1 + 16, 2 + 1 + 8]);

export interface AlertSeen {
  level: number;
  description: number;
  /** 'C' or 'S': who sent it. */
  from: Side;
}

/** One record seen after the ServerHello, by size: the evidence for inferring encrypted messages. */
export interface RecordSize {
  from: Side;
  type: number;
  length: number;
}

export interface ConnectionLimits {
  maxHandshakeMessage: number;
}

type Dir = 0 | 1;

/** Per-direction reading state. */
class Direction implements RecordSink {
  readonly stream: RecordStream;
  readonly hs: HandshakeAssembler;
  /** This side has switched to encrypted records (after its ChangeCipherSpec in TLS ≤ 1.2). */
  encrypted = false;
  everSynced = false;
  /** The first bytes of a chunk too short to tell whether it starts TLS (tiny segments). */
  pre: Uint8Array | null = null;
  /** DTLS only: handshake fragments gathered by message sequence. */
  dtls: DtlsReassembler | null = null;

  constructor(
    private readonly conn: TlsConnection,
    readonly dir: Dir,
    budget: MemoryBudget,
    limits: ConnectionLimits,
  ) {
    this.stream = new RecordStream(this, budget);
    this.hs = new HandshakeAssembler(
      (type, buf, off, len) => conn.handshakeMessage(this, type, buf, off, len),
      (type, len) => conn.anomaly(`handshake message type ${type} of ${len} bytes passed over (limit or budget)`),
      budget,
      limits.maxHandshakeMessage,
    );
  }

  record(contentType: number, _version: number, buf: Uint8Array, off: number, len: number): void {
    this.conn.record(this, contentType, buf, off, len);
  }

  skippedRecord(contentType: number, len: number): void {
    this.conn.encryptedRecord(this, contentType, len);
  }

  sslv2Record(buf: Uint8Array, off: number, len: number): void {
    this.conn.sslv2Message(this, buf, off, len);
  }

  desync(reason: string): void {
    this.hs.reset();
    this.conn.anomaly(`stream lost: ${reason}`);
  }
}

/**
 * Everything one TLS connection shows on the wire, gathered as its two byte streams are
 * read. Progress through the handshake follows the transition table in transitions.ts;
 * what each message says is kept here for the event.
 */
export class TlsConnection {
  state: State = 'start';
  /** Flow direction (0 = first-seen endpoint → the other) that carries the client's bytes; -1 until known. */
  clientDir: -1 | Dir = -1;
  /** Packet time of the first ClientHello (or of the first hello seen, when the ClientHello was missed). */
  tsSec = 0;
  tsNsec = 0;

  clientHello: ClientHello | undefined;
  /** The ClientHello sent in answer to a HelloRetryRequest. */
  retryClientHello: ClientHello | undefined;
  serverHello: ServerHello | undefined;
  helloRetryRequest: ServerHello | undefined;
  sslv2ServerHello: Sslv2ServerHello | undefined;
  sslv2CipherKind: number | undefined;
  tls13 = false;
  /** Carried over UDP as DTLS. */
  dtls = false;

  serverCertificates: Uint8Array[] | undefined;
  clientCertificates: Uint8Array[] | undefined;
  serverKeyExchange: ServerKeyExchange | undefined;
  certificateRequest: CertificateRequest | undefined;
  certificateStatus = false;
  ticketIssued = false;
  ticketLifetime: number | undefined;
  clientKeyExchange = false;
  /** Passed through the abbreviated (resumption) path of the table. */
  abbreviated = false;
  lastAlert: AlertSeen | undefined;
  fatalAlert: AlertSeen | undefined;
  heartbeat = false;
  history = '';
  anomalies: string[] = [];
  /** Records after the ServerHello, by size (bounded). */
  recordSizes: RecordSize[] = [];
  /** Encrypted records seen after the handshake was established, per side. */
  private afterEstablished = [0, 0];
  private serverAlertSized = false;
  /** The client closed its side (FIN) before the server's first record after the handshake. */
  private clientClosed = false;
  /** Set when nothing more needs to be read: the flow may stop reassembling. */
  done = false;

  private readonly dirs: [Direction, Direction];

  constructor(
    private readonly budget: MemoryBudget,
    private readonly limits: ConnectionLimits,
  ) {
    this.dirs = [new Direction(this, 0, budget, limits), new Direction(this, 1, budget, limits)];
  }

  /** Whether a UDP datagram starts a DTLS handshake. */
  static detectDatagram(buf: Uint8Array, off: number, len: number): boolean {
    return looksLikeDtlsHello(buf, off, len) !== 0;
  }

  /** One UDP datagram of direction `dir` (DTLS). Each datagram holds whole records. */
  datagram(dir: Dir, buf: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number): void {
    if (this.done) return;
    this.dtls = true;
    this.nowSec = tsSec;
    this.nowNsec = tsNsec;
    const d = this.dirs[dir];
    for (const r of dtlsRecords(buf, off, len)) {
      if (this.done) return;
      if (r.unified || r.epoch > 0) {
        this.encryptedRecord(d, r.type, r.len);
        continue;
      }
      if (r.type !== ContentType.Handshake) {
        this.record(d, r.type, buf, r.off, r.len);
        continue;
      }
      d.dtls ??= new DtlsReassembler(this.budget, this.limits.maxHandshakeMessage);
      for (const f of dtlsFragments(buf, r.off, r.len)) {
        d.dtls.fragment(f, buf, (type, body, bodyOff, bodyLen) => this.handshakeMessage(d, type, body, bodyOff, bodyLen));
      }
    }
  }

  /**
   * Whether the handshake completed. A TLS 1.3 server that rejects the client's flight (for
   * example certificate_required) answers with one encrypted alert and closes; Zeek still calls
   * that established, we do not.
   */
  /** A FIN in direction `dir` (the flow tells before it delivers that packet's data). */
  closed(dir: Dir): void {
    if (this.clientDir !== -1 && dir === this.clientDir && this.afterEstablished[1] === 0) this.clientClosed = true;
  }

  get established(): boolean {
    return this.state === 'established' && !this.encryptedAbort;
  }

  /** TLS 1.3: the server's only record after the client's flight had an encrypted alert's size. */
  get encryptedAbort(): boolean {
    return this.serverAlertSized && this.afterEstablished[1] === 1;
  }

  /** Whether a chunk starting at buf[off] may begin this direction's TLS stream. */
  static detect(buf: Uint8Array, off: number, len: number): boolean {
    return looksLikeHelloRecord(buf, off, len) !== 0 || looksLikeSslv2ClientHello(buf, off, len);
  }

  /** Ordered bytes of one flow direction. The chunk's start is a segment start (used to resync). */
  data(dir: Dir, buf: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number): void {
    if (this.done) return;
    const d = this.dirs[dir];
    this.nowSec = tsSec;
    this.nowNsec = tsNsec;
    if (!d.stream.synced) {
      if (d.pre !== null) {
        // Rare path: join the held bytes with this chunk (one small copy).
        const joined = new Uint8Array(d.pre.length + len);
        joined.set(d.pre, 0);
        joined.set(buf.subarray(off, off + len), d.pre.length);
        d.pre = null;
        buf = joined;
        off = 0;
        len = joined.length;
      }
      const start = this.canStart(d, buf, off, len);
      if (start === 'short') {
        d.pre = copyBytes(buf, off, off + len);
        return;
      }
      if (start === 'no') return;
      d.stream.synced = true;
      d.everSynced = true;
    }
    d.stream.push(buf, off, len);
  }

  /** Whether this connection is reading at least one direction. */
  get synced(): boolean {
    return this.dirs[0].everSynced || this.dirs[1].everSynced;
  }

  /**
   * A cheap first look at a chunk of a flow that has no TLS yet: could it begin a TLS or
   * SSLv2 hello? (The full check, with more bytes if need be, is `canStart`'s.)
   */
  static mayStart(buf: Uint8Array, off: number, len: number): boolean {
    if (len <= 0) return false;
    const b0 = buf[off];
    if (b0 === 22) return len < 2 || buf[off + 1] === 3;
    if (b0 & 0x80) return len < 3 || buf[off + 2] === SSLV2_MSG_CLIENT_HELLO;
    return false;
  }

  /** The flow is gone: give every buffer back to the budget. */
  close(): void {
    for (const d of this.dirs) {
      d.stream.lose();
      d.hs.reset();
      d.dtls?.release();
    }
  }

  /** Bytes of this direction were lost: read again from the next record start. */
  gap(dir: Dir): void {
    const d = this.dirs[dir];
    if (d.stream.synced) this.anomaly('gap in the TCP stream');
    d.stream.lose();
    d.hs.reset();
  }

  private nowSec = 0;
  private nowNsec = 0;

  /** Whether a chunk may begin this direction's TLS stream; 'short' when too few bytes to tell. */
  private canStart(d: Direction, buf: Uint8Array, off: number, len: number): 'yes' | 'no' | 'short' {
    if (len <= 0) return 'no';
    if (!d.everSynced) {
      if (TlsConnection.detect(buf, off, len)) {
        d.stream.allowSslv2 = (buf[off] & 0x80) !== 0;
        return 'yes';
      }
      // An SSLv2 SERVER-HELLO answering an SSLv2 CLIENT-HELLO.
      if (this.state === 'sslv2_client_hello' && (buf[off] & 0x80) !== 0 && len > 2 && buf[off + 2] === SSLV2_MSG_SERVER_HELLO) {
        d.stream.allowSslv2 = true;
        return 'yes';
      }
      // Once the other side has said hello, this side may open with any record (an alert, say).
      if (this.clientDir !== -1 && RecordStream.startsRecord(buf, off, len, false)) return 'yes';
      return len < SHORT_CHUNK && TlsConnection.mayStart(buf, off, len) ? 'short' : 'no';
    }
    if (RecordStream.startsRecord(buf, off, len, false)) return 'yes';
    return len < 5 && buf[off] >= 20 && buf[off] <= 24 ? 'short' : 'no';
  }

  private side(d: Direction): Side {
    return d.dir === this.clientDir ? 'C' : 'S';
  }

  anomaly(text: string): void {
    if (this.anomalies.length < MAX_ANOMALIES && !this.anomalies.includes(text)) this.anomalies.push(text);
  }

  private addHistory(letter: string, side: Side): void {
    if (this.history.length < MAX_HISTORY) this.history += side === 'C' ? letter : letter.toLowerCase();
  }

  /** Feed one message to the transition table. */
  private step(side: Side, msg: Msg): void {
    const next = transition(this.state, side, msg);
    if (next === undefined) {
      this.anomaly(`unexpected ${msg} from ${side === 'C' ? 'client' : 'server'} in state ${this.state}`);
      return;
    }
    if (next === 'resume_server_ccs') this.abbreviated = true;
    if (next === 'established' && this.state !== 'established') this.onEstablished();
    this.state = next;
    if (next === 'failed') this.done = true;
  }

  private onEstablished(): void {
    // TLS ≤ 1.2 and SSLv2: every handshake message has been seen. TLS 1.3: keep watching
    // record sizes until the server speaks again (see noteAfterEstablished).
    if (!this.tls13) this.done = true;
  }

  private noteAfterEstablished(side: Side, len: number): void {
    const i = side === 'C' ? 0 : 1;
    this.afterEstablished[i]++;
    // An alert-sized first server record may be the end of the connection: keep reading until
    // the server says more (then it was data) or the connection ends (then it was an alert).
    // A client that closed first gets the server's close_notify: that is not an abort.
    if (i === 1 && this.afterEstablished[1] === 1) this.serverAlertSized = ENCRYPTED_ALERT_SIZES.has(len - this.serverPadding()) && !this.clientClosed;
    // The server speaking again ends the client's flight, except that a server may answer
    // part of it: Go sends its session tickets after the client's Certificate and
    // CertificateVerify, before the client's Finished. So the server's reply ends the watch
    // when the flight already reads as whole, or once the client has sent two more records or
    // the server three.
    const serverDone =
      this.afterEstablished[1] > (this.serverAlertSized ? 1 : 0) &&
      (this.afterEstablished[0] >= 2 || this.afterEstablished[1] >= 3 || this.clientFlightRead());
    if (serverDone || this.afterEstablished[0] >= TLS13_CLIENT_RECORDS_AFTER) this.done = true;
  }

  /**
   * Padding per record of the server's encrypted records, read off its Finished (the last
   * record of its flight, when the flight is not coalesced): Java's JSSE pads each record by
   * 16 bytes, its alerts included. 0 when unknown.
   */
  private serverPadding(): number {
    if (!this.serverHello) return 0;
    let last = -1;
    for (const r of this.recordSizes) {
      if (r.type !== 23) continue;
      if (r.from === 'C') break;
      last = r.length;
    }
    return serverFinishedPadding(last, this.serverHello.cipherSuite);
  }

  /** The client's flight so far reads with high confidence (see client-flight.ts). */
  private clientFlightRead(): boolean {
    if (!this.serverHello) return true;
    const r = readClientFlight(this.recordSizes, this.serverHello.cipherSuite, this.clientHello?.ext.earlyData === true);
    return typeof r !== 'string' && r.confidence === 'high';
  }

  record(d: Direction, type: number, buf: Uint8Array, off: number, len: number): void {
    if (this.done) return;
    switch (type) {
      case ContentType.Handshake:
        if (d.encrypted) return this.encryptedRecord(d, type, len);
        d.hs.push(buf, off, len);
        return;
      case ContentType.ChangeCipherSpec:
        return this.changeCipherSpec(d);
      case ContentType.Alert:
        if (d.encrypted) return this.encryptedRecord(d, type, len);
        return this.alerts(d, buf, off, len);
      case ContentType.ApplicationData:
        return this.encryptedRecord(d, type, len);
      case ContentType.Heartbeat:
        this.heartbeat = true;
        if (this.clientDir !== -1) this.addHistory('B', this.side(d));
        return;
      default:
        this.anomaly(`record of unknown content type ${type}`);
    }
  }

  private changeCipherSpec(d: Direction): void {
    if (this.clientDir === -1) return;
    const side = this.side(d);
    this.addHistory('I', side);
    // In TLS 1.3 the ChangeCipherSpec is only for middleboxes (RFC 8446 §D.4): nothing changes.
    if (this.serverHello && !this.tls13) d.encrypted = true;
    this.step(side, 'ChangeCipherSpec');
  }

  private alerts(d: Direction, buf: Uint8Array, off: number, len: number): void {
    const side: Side = this.clientDir === -1 ? 'C' : this.side(d);
    // One record may carry several alerts; a record that is not 2-byte pairs is ciphertext.
    if (len === 0 || len % 2 !== 0 || len > 20) return this.encryptedRecord(d, ContentType.Alert, len);
    for (let p = off; p < off + len; p += 2) {
      const a = parseAlert(buf, p, 2);
      if (!a.ok) return this.encryptedRecord(d, ContentType.Alert, len);
      const seen = { level: a.value.level, description: a.value.description, from: side };
      this.lastAlert = seen;
      this.addHistory('L', side);
      if (seen.level === 2) {
        this.fatalAlert ??= seen;
        this.step(side, 'FatalAlert');
      }
    }
  }

  encryptedRecord(d: Direction, type: number, len: number): void {
    if (this.done || this.clientDir === -1) return;
    const side = this.side(d);
    if (this.serverHello && this.recordSizes.length < MAX_RECORD_SIZES) {
      this.recordSizes.push({ from: side, type, length: len });
    }
    if (this.state === 'established') {
      if (this.tls13) this.noteAfterEstablished(side, len);
      return;
    }
    this.step(side, 'Encrypted');
  }

  handshakeMessage(d: Direction, type: number, buf: Uint8Array, off: number, len: number): void {
    if (this.done) return;
    if (type === HandshakeType.ClientHello && this.clientDir === -1) this.clientDir = d.dir;
    if (type === HandshakeType.ServerHello && this.clientDir === -1) this.clientDir = (1 - d.dir) as Dir;
    if (this.clientDir === -1) {
      this.anomaly(`handshake message ${type} before any hello`);
      return;
    }
    const side = this.side(d);
    const letter = HISTORY_LETTER[type] ?? 'Z';
    switch (type) {
      case HandshakeType.ClientHello:
        return this.onClientHello(side, buf, off, len);
      case HandshakeType.ServerHello:
        return this.onServerHello(side, buf, off, len);
      case HandshakeType.Certificate: {
        this.addHistory(letter, side);
        const m = parseCertificateMsg(buf, off, len, this.tls13);
        if (!m.ok) this.anomaly(m.error);
        else if (side === 'S') this.serverCertificates = m.value.certificates;
        else this.clientCertificates = m.value.certificates;
        return this.step(side, 'Certificate');
      }
      case HandshakeType.ServerKeyExchange: {
        this.addHistory(letter, side);
        const kind = this.serverHello ? keyExchangeOf(this.serverHello.cipherSuite) : undefined;
        if (kind === 'ecdhe' || kind === 'dhe') {
          const tls12 = (this.serverHello?.selectedVersion ?? 0) >= 0x0303;
          const m = parseServerKeyExchange(buf, off, len, kind, tls12);
          if (m.ok) this.serverKeyExchange = m.value;
          else this.anomaly(m.error);
        }
        return this.step(side, 'ServerKeyExchange');
      }
      case HandshakeType.CertificateRequest: {
        this.addHistory(letter, side);
        const tls12 = (this.serverHello?.selectedVersion ?? 0) >= 0x0303;
        const m = parseCertificateRequest(buf, off, len, tls12);
        if (m.ok) this.certificateRequest = m.value;
        else {
          this.anomaly(m.error);
          this.certificateRequest = { certificateTypes: [], signatureAlgorithms: [], authorityCount: 0 };
        }
        return this.step(side, 'CertificateRequest');
      }
      case HandshakeType.ServerHelloDone:
        this.addHistory(letter, side);
        return this.step(side, 'ServerHelloDone');
      case HandshakeType.ClientKeyExchange:
        this.addHistory(letter, side);
        this.clientKeyExchange = true;
        return this.step(side, 'ClientKeyExchange');
      case HandshakeType.CertificateVerify:
        this.addHistory(letter, side);
        return this.step(side, 'CertificateVerify');
      case HandshakeType.CertificateStatus:
        this.addHistory(letter, side);
        this.certificateStatus = true;
        return this.step(side, 'CertificateStatus');
      case HandshakeType.NewSessionTicket: {
        this.addHistory(letter, side);
        const m = parseNewSessionTicket(buf, off, len);
        this.ticketIssued = true;
        if (m.ok) this.ticketLifetime = m.value.lifetimeHint;
        return this.step(side, 'NewSessionTicket');
      }
      case HandshakeType.HelloRequest:
        this.addHistory(letter, side);
        return;
      case HandshakeType.HelloVerifyRequest:
        this.addHistory(letter, side);
        return this.step(side, 'HelloVerifyRequest');
      default:
        this.addHistory(letter, side);
        this.anomaly(`handshake message type ${type} in plaintext`);
    }
  }

  private onClientHello(side: Side, buf: Uint8Array, off: number, len: number): void {
    this.addHistory('C', side);
    if (side !== 'C') {
      this.anomaly('ClientHello from the server side');
      return;
    }
    const m = parseClientHello(buf, off, len, this.dtls);
    if (!m.ok) {
      this.anomaly(m.error);
      return;
    }
    if (!this.clientHello) {
      this.clientHello = m.value;
      this.tsSec = this.nowSec;
      this.tsNsec = this.nowNsec;
    } else if ((this.helloRetryRequest || this.state === 'hello_verify') && !this.retryClientHello) {
      this.retryClientHello = m.value;
    }
    this.step(side, 'ClientHello');
  }

  private onServerHello(side: Side, buf: Uint8Array, off: number, len: number): void {
    const m = parseServerHello(buf, off, len);
    if (!m.ok) {
      this.addHistory('S', side);
      this.anomaly(m.error);
      return;
    }
    const sh = m.value;
    if (sh.isHelloRetryRequest) {
      this.addHistory('J', side);
      this.helloRetryRequest = sh;
      return this.step(side, 'HelloRetryRequest');
    }
    this.addHistory('S', side);
    if (!this.clientHello) {
      // The ClientHello was missed (capture started late or one-sided): time from here.
      this.tsSec = this.nowSec;
      this.tsNsec = this.nowNsec;
    }
    this.serverHello = sh;
    this.tls13 = isTls13Family(sh.selectedVersion);
    if (this.state === 'start') this.state = 'client_hello'; // ClientHello unseen: read on from here
    this.step(side, this.tls13 ? 'ServerHello13' : 'ServerHello');
  }

  sslv2Message(d: Direction, buf: Uint8Array, off: number, len: number): void {
    if (this.done || len < 1) return;
    const type = buf[off];
    if (type === SSLV2_MSG_CLIENT_HELLO && this.clientDir === -1) {
      this.clientDir = d.dir;
      const m = parseSslv2ClientHello(buf, off, len);
      this.addHistory('C', 'C');
      if (!m.ok) return this.anomaly(m.error);
      this.clientHello = m.value;
      this.tsSec = this.nowSec;
      this.tsNsec = this.nowNsec;
      return this.step('C', 'Sslv2ClientHello');
    }
    if (this.clientDir === -1) return;
    const side = this.side(d);
    if (type === SSLV2_MSG_SERVER_HELLO && side === 'S' && !this.sslv2ServerHello) {
      const m = parseSslv2ServerHello(buf, off, len);
      this.addHistory('S', side);
      if (!m.ok) return this.anomaly(m.error);
      this.sslv2ServerHello = m.value;
      if (m.value.certificate.length > 0) this.serverCertificates = [m.value.certificate];
      return this.step(side, 'Sslv2ServerHello');
    }
    if (type === SSLV2_MSG_CLIENT_MASTER_KEY && side === 'C' && this.state === 'sslv2_server_hello') {
      const m = parseSslv2ClientMasterKey(buf, off, len);
      this.addHistory('G', side);
      if (m.ok) this.sslv2CipherKind = m.value;
      return this.step(side, 'Sslv2ClientMasterKey');
    }
    // Everything after CLIENT-MASTER-KEY is encrypted SSLv2 traffic.
  }

  /** Whether the handshake was an abbreviated one (session ID, ticket or TLS 1.3 PSK). */
  get resumed(): boolean {
    if (this.sslv2ServerHello) return this.sslv2ServerHello.sessionIdHit;
    const sh = this.serverHello;
    if (!sh) return false;
    if (this.tls13) {
      const offered = (this.retryClientHello ?? this.clientHello)?.ext.types.includes(41) ?? false;
      return sh.ext.pskIdentities > 0 && (offered || !this.clientHello);
    }
    if (this.abbreviated) return true;
    const ch = this.clientHello;
    if (!ch || ch.sessionId.length === 0 || sh.sessionId.length !== ch.sessionId.length) return false;
    let nonZero = false;
    for (let i = 0; i < ch.sessionId.length; i++) {
      if (ch.sessionId[i] !== sh.sessionId[i]) return false;
      if (ch.sessionId[i] !== 0) nonZero = true;
    }
    return nonZero;
  }
}
