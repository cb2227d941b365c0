import type { PacketRecord } from '../parsers/capture/types.js';
import { PacketDecoder } from '../parsers/packet/decode.js';
import { newDecodedPacket, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodeResult } from '../parsers/packet/types.js';
import { MemoryBudget } from './flow/budget.js';
import type { Flow } from './flow/flow.js';
import { FlowTable, type EvictReason, type FlowLimits } from './flow/flow-table.js';
import { TcpReassembler, type StreamConsumer } from './flow/tcp-reassembly.js';
import { TlsConnection } from './tls/connection.js';
import { FtpGsiUnwrapper } from './tls/ftp-gsi.js';

export interface SensorOptions {
  flows: FlowLimits;
  /** Bytes all payload buffers together may hold. */
  memoryBudget: number;
  /** Out-of-order bytes one TCP direction may hold. */
  maxBufferedPerDirection: number;
  /** Data segments inspected for a TLS hello before a flow is left alone. */
  maxProbes: number;
  maxHandshakeMessage: number;
}

export const DEFAULT_SENSOR_OPTIONS: SensorOptions = {
  // closedTimeout as Zeek's tcp_close_delay: long enough for late retransmissions of the close
  flows: { maxFlows: 500_000, idleTimeout: 300, closedTimeout: 5, udpTimeout: 60 },
  memoryBudget: 256 << 20,
  maxBufferedPerDirection: 1 << 20,
  maxProbes: 64,
  maxHandshakeMessage: 1 << 20,
};

export interface SensorStats {
  packets: number;
  bytes: number;
  decode: Record<DecodeResult, number>;
  tcpPackets: number;
  udpPackets: number;
  tlsConnections: number;
  events: number;
  reassemblyGaps: number;
  budgetShed: number;
}

/** What the sensor hands on: one call per TLS connection, when its handshake is over or the flow ends. */
export type HandshakeHandler = (flow: Flow, conn: TlsConnection) => void;

/**
 * The packet path: decode → flow table → TCP reassembly → TLS state machine → handshake
 * callback. One instance per packet source; `packet` allocates nothing on the common path.
 */
export class Sensor implements StreamConsumer {
  readonly stats: SensorStats;
  readonly budget: MemoryBudget;
  readonly flows: FlowTable;
  private readonly decoder = new PacketDecoder();
  private readonly pkt = newDecodedPacket();
  private clock = 0;
  private nextSweep = 0;
  // the flow/direction a StreamConsumer callback refers to (set before each reassembler call)
  private curFlow: Flow | null = null;
  private curDir: 0 | 1 = 0;
  private curSec = 0;
  private curNsec = 0;

  constructor(
    private readonly onHandshake: HandshakeHandler,
    private readonly opts: SensorOptions = DEFAULT_SENSOR_OPTIONS,
  ) {
    this.budget = new MemoryBudget(opts.memoryBudget);
    this.flows = new FlowTable(opts.flows, (f, r) => this.removed(f, r));
    this.stats = {
      packets: 0,
      bytes: 0,
      decode: {
        ok: 0,
        unsupported_link: 0,
        truncated: 0,
        malformed: 0,
        not_ip: 0,
        fragment_pending: 0,
        fragment_dropped: 0,
        other_transport: 0,
      },
      tcpPackets: 0,
      udpPackets: 0,
      tlsConnections: 0,
      events: 0,
      reassemblyGaps: 0,
      budgetShed: 0,
    };
  }

  packet(rec: PacketRecord): void {
    const st = this.stats;
    st.packets++;
    st.bytes += rec.origLen;
    const p = this.pkt;
    const res = this.decoder.decode(rec.data, rec.offset, rec.caplen, rec.linkType, rec.tsSec, p);
    st.decode[res]++;
    if (res !== 'ok') return;
    const now = rec.tsSec + rec.tsNsec / 1e9;
    if (now > this.clock) this.clock = now;
    // Timeouts are seconds long: sweeping a few times per second of packet time is enough.
    if (this.clock >= this.nextSweep) {
      this.nextSweep = this.clock + 0.25;
      this.flows.expire(this.clock);
    }
    if (p.protocol === 17) {
      st.udpPackets++;
      const f = this.flows.lookup(p, rec.tsSec, rec.tsNsec, this.clock);
      this.count(f, p.payloadLength);
      if (!f.ignorePayload && p.payloadLength > 0) this.datagram(f, this.flows.lastDir, rec.tsSec, rec.tsNsec);
      return;
    }
    if (p.protocol !== 6) return;
    st.tcpPackets++;
    let f = this.flows.lookup(p, rec.tsSec, rec.tsNsec, this.clock);
    const flags = p.tcpFlags;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && f.list === 1) {
      // A new connection on the ports of one that closed: report the old one, start afresh.
      this.flows.remove(f, 'closed');
      f = this.flows.lookup(p, rec.tsSec, rec.tsNsec, this.clock);
    }
    const dir = this.flows.lastDir;
    this.count(f, p.payloadLength);
    if (flags & TCP_RST) {
      f.rst = true;
      this.flows.closing(f);
    }
    if (flags & TCP_FIN) {
      if (dir === 0) f.fin0 = true;
      else f.fin1 = true;
      f.tls?.closed(dir);
      if (f.fin0 && f.fin1) this.flows.closing(f);
    }
    if (flags & TCP_SYN) f.sawSyn = true;
    if (f.ignorePayload) return;
    if (f.tcp === null) {
      if (p.payloadLength === 0 && !(flags & TCP_SYN)) return;
      f.tcp = [
        new TcpReassembler(this.budget, this.opts.maxBufferedPerDirection),
        new TcpReassembler(this.budget, this.opts.maxBufferedPerDirection),
      ];
    }
    this.curFlow = f;
    this.curSec = rec.tsSec;
    this.curNsec = rec.tsNsec;
    if (flags & TCP_ACK) {
      this.curDir = dir === 0 ? 1 : 0;
      f.tcp[this.curDir].acked(p.tcpAck, this);
    }
    if (f.ignorePayload || f.tcp === null) return;
    this.curDir = dir;
    f.tcp[dir].segment(p.tcpSeq, (flags & TCP_SYN) !== 0, p.payload, p.payloadOffset, p.payloadLength, this);
  }

  /**
   * Wall-clock time (live capture): move the flow clock on when no packet does, so idle and
   * closed flows expire on a quiet link too. Never moves the clock back; call about once a
   * second. Not on the packet path.
   */
  tick(nowSec: number, nowNsec: number): void {
    const now = nowSec + nowNsec / 1e9;
    if (now > this.clock) this.clock = now;
    this.nextSweep = this.clock + 0.25;
    this.flows.expire(this.clock);
    this.stats.budgetShed = this.budget.shed;
  }

  /** End of input: every flow still open is finished and reported. */
  finish(): void {
    this.flows.drain();
    this.stats.budgetShed = this.budget.shed;
  }

  // StreamConsumer: in-order bytes of curFlow's direction curDir
  data(buf: Uint8Array, off: number, len: number): void {
    const f = this.curFlow!;
    if (f.ignorePayload) return;
    if (f.gsi !== null || (f.tls === null && FtpGsiUnwrapper.detect(buf, off, len))) return this.gsiData(f, buf, off, len);
    let conn = f.tls;
    if (conn === null) {
      if (!TlsConnection.mayStart(buf, off, len)) {
        if (++f.probes > this.opts.maxProbes) this.stopPayload(f);
        return;
      }
      conn = f.tls = new TlsConnection(this.budget, { maxHandshakeMessage: this.opts.maxHandshakeMessage });
    }
    const wasSynced = conn.synced;
    conn.data(this.curDir, buf, off, len, this.curSec, this.curNsec);
    if (!wasSynced) {
      if (conn.synced) this.stats.tlsConnections++;
      else if (++f.probes > this.opts.maxProbes) {
        this.stopPayload(f);
        return;
      }
    }
    if (conn.done) this.finishConnection(f, conn);
  }

  /** The handshake is over: report it, and keep nothing of it but the flow's counters. */
  private finishConnection(f: Flow, conn: TlsConnection): void {
    this.report(f);
    this.stopPayload(f);
    conn.close();
    f.tls = null;
    f.tcp = null;
    f.gsi = null;
  }

  /** FTP/GSSAPI: hand the TLS bytes unwrapped from ADAT lines to the connection. */
  private gsiData(f: Flow, buf: Uint8Array, off: number, len: number): void {
    f.gsi ??= new FtpGsiUnwrapper();
    f.gsi.push(this.curDir, buf, off, len, (dir, bytes) => {
      if (f.ignorePayload) return;
      if (f.tls === null) {
        f.tls = new TlsConnection(this.budget, { maxHandshakeMessage: this.opts.maxHandshakeMessage });
        this.stats.tlsConnections++;
      }
      f.tls.data(dir, bytes, 0, bytes.length, this.curSec, this.curNsec);
      if (f.tls.done) this.finishConnection(f, f.tls);
    });
    if (!f.tls && ++f.probes > this.opts.maxProbes) this.stopPayload(f);
  }

  /** A UDP datagram: DTLS is detected by content, like TLS over TCP. */
  private datagram(f: Flow, dir: 0 | 1, tsSec: number, tsNsec: number): void {
    const p = this.pkt;
    let conn = f.tls;
    if (conn === null) {
      if (!TlsConnection.detectDatagram(p.payload, p.payloadOffset, p.payloadLength)) {
        if (++f.probes > this.opts.maxProbes) f.ignorePayload = true;
        return;
      }
      conn = f.tls = new TlsConnection(this.budget, { maxHandshakeMessage: this.opts.maxHandshakeMessage });
      this.stats.tlsConnections++;
    }
    conn.datagram(dir, p.payload, p.payloadOffset, p.payloadLength, tsSec, tsNsec);
    if (conn.done) this.finishConnection(f, conn);
  }

  gap(_bytes: number): void {
    this.stats.reassemblyGaps++;
    this.curFlow!.tls?.gap(this.curDir);
  }

  private count(f: Flow, len: number): void {
    if (this.flows.lastDir === 0) {
      f.packets0++;
      f.bytes0 += len;
    } else {
      f.packets1++;
      f.bytes1 += len;
    }
  }

  private stopPayload(f: Flow): void {
    f.ignorePayload = true;
    if (f.tcp) {
      f.tcp[0].stop();
      f.tcp[1].stop();
    }
  }

  private removed(f: Flow, _reason: EvictReason): void {
    if (f.tcp && !f.ignorePayload) {
      // Hand over what is still buffered behind holes before judging the connection.
      this.curFlow = f;
      for (const d of [0, 1] as const) {
        if (f.tcp === null || f.ignorePayload) break; // the connection finished on what was flushed
        this.curDir = d;
        f.tcp[d].flush(this);
      }
    }
    if (f.tcp) this.stopPayload(f);
    this.report(f);
    f.tls?.close();
  }

  private report(f: Flow): void {
    const conn = f.tls;
    if (f.reported || conn === null) return;
    if (!conn.clientHello && !conn.serverHello && !conn.sslv2ServerHello) return;
    f.reported = true;
    this.stats.events++;
    this.onHandshake(f, conn);
  }
}
