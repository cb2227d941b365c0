import { Cursor, wireString } from './cursor.js';
import { Ext } from './constants.js';

/** The fields of a hello's extension block that tlsscope reports or fingerprints. */
export interface HelloExtensions {
  /** Extension types in wire order, GREASE included (fingerprints decide what to drop). */
  types: number[];
  serverNames: string[];
  alpn: string[];
  /** ALPN protocol names as sent (copied bytes, same order as `alpn`): JA4 reads the first one's raw bytes. */
  alpnRaw: Uint8Array[];
  supportedVersions: number[];
  supportedGroups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  signatureAlgorithmsCert: number[];
  keyShareGroups: number[];
  pskKeyExchangeModes: number[];
  pskIdentities: number;
  /** Length of the session_ticket extension's data; undefined when the extension is absent. */
  sessionTicketLength: number | undefined;
  renegotiationInfo: boolean;
  extendedMasterSecret: boolean;
  encryptThenMac: boolean;
  statusRequest: boolean;
  signedCertificateTimestamp: boolean;
  earlyData: boolean;
  paddingLength: number;
  recordSizeLimit: number | undefined;
  compressCertificate: number[];
  ech: EchOuter | undefined;
  /** Extensions whose body did not parse; the rest are still reported. */
  malformed: number[];
}

export interface EchOuter {
  /** 0 = outer, 1 = inner (RFC 9849 ECHClientHelloType). */
  type: number;
  kdfId: number;
  aeadId: number;
  configId: number;
  encLength: number;
  payloadLength: number;
}

/**
 * The lists a parser only ever replaces (never appends to) start as this one empty list: a
 * hello without those extensions allocates nothing for them. Frozen, so a push is an error.
 */
const NONE = Object.freeze([]) as unknown as number[];

export function emptyExtensions(): HelloExtensions {
  return {
    types: [],
    serverNames: [],
    alpn: [],
    alpnRaw: [],
    supportedVersions: NONE,
    supportedGroups: NONE,
    ecPointFormats: NONE,
    signatureAlgorithms: NONE,
    signatureAlgorithmsCert: NONE,
    keyShareGroups: [],
    pskKeyExchangeModes: NONE,
    pskIdentities: 0,
    sessionTicketLength: undefined,
    renegotiationInfo: false,
    extendedMasterSecret: false,
    encryptThenMac: false,
    statusRequest: false,
    signedCertificateTimestamp: false,
    earlyData: false,
    paddingLength: 0,
    recordSizeLimit: undefined,
    compressCertificate: NONE,
    ech: undefined,
    malformed: [],
  };
}

export type HelloSide = 'client' | 'server' | 'hrr';

/**
 * Walk an extension block (the cursor covers the bytes after the 2-byte block length).
 * The body of each extension is parsed by what it means on `side`, since several
 * (supported_versions, key_share, pre_shared_key) have a different shape in each hello.
 */
export function parseExtensions(c: Cursor, side: HelloSide, out: HelloExtensions): void {
  const body = new Cursor(c.buf, c.pos, c.pos, c.owned);
  while (c.remaining >= 4) {
    const type = c.u16();
    c.window(2, body);
    if (!c.ok) {
      out.malformed.push(type);
      return;
    }
    out.types.push(type);
    if (!parseOne(type, body, side, out) || !body.ok) out.malformed.push(type);
  }
  if (c.remaining !== 0) out.malformed.push(-1);
}

function parseOne(type: number, b: Cursor, side: HelloSide, out: HelloExtensions): boolean {
  switch (type) {
    case Ext.ServerName: {
      if (b.remaining === 0) return true; // the server's acknowledgement is empty
      const list = b.vec(2);
      while (list.remaining > 0) {
        const nameType = list.u8();
        const name = list.vec(2);
        if (nameType === 0) out.serverNames.push(wireString(name.bytes(name.remaining)));
      }
      return list.ok;
    }
    case Ext.Alpn: {
      const list = b.vec(2);
      while (list.remaining > 0) {
        const p = list.vec(1);
        const view = p.bytes(p.remaining);
        // Copied again: on a Node Buffer, Cursor.bytes (Buffer#slice) returns a view into a
        // packet buffer that is reused; these bytes are kept past the packet.
        out.alpnRaw.push(new Uint8Array(view));
        out.alpn.push(wireString(view));
      }
      return list.ok;
    }
    case Ext.SupportedVersions:
      if (side === 'client') out.supportedVersions = b.u16List(1);
      else out.supportedVersions = [b.u16()];
      return true;
    case Ext.SupportedGroups:
      out.supportedGroups = b.u16List(2);
      return true;
    case Ext.EcPointFormats:
      out.ecPointFormats = b.u8List(1);
      return true;
    case Ext.SignatureAlgorithms:
      out.signatureAlgorithms = b.u16List(2);
      return true;
    case Ext.SignatureAlgorithmsCert:
      out.signatureAlgorithmsCert = b.u16List(2);
      return true;
    case Ext.KeyShare:
    case Ext.KeyShareDraft:
      if (type === Ext.KeyShareDraft && out.keyShareGroups.length > 0) {
        b.skip(b.remaining);
        return true;
      }
      if (side === 'client') {
        const list = b.vec(2);
        while (list.remaining > 0) {
          out.keyShareGroups.push(list.u16());
          list.skipVec(2);
        }
        return list.ok;
      }
      out.keyShareGroups.push(b.u16());
      if (side === 'server') b.skipVec(2);
      return true;
    case Ext.PskKeyExchangeModes:
      out.pskKeyExchangeModes = b.u8List(1);
      return true;
    case Ext.PreSharedKey:
      if (side === 'client') {
        const ids = b.vec(2);
        while (ids.remaining > 0) {
          ids.skipVec(2);
          ids.u32();
          out.pskIdentities++;
        }
        b.skipVec(2); // binders
        return ids.ok;
      }
      b.u16(); // selected_identity
      out.pskIdentities = 1;
      return true;
    case Ext.SessionTicket:
      out.sessionTicketLength = b.remaining;
      b.skip(b.remaining);
      return true;
    case Ext.RenegotiationInfo:
      out.renegotiationInfo = true;
      b.skipVec(1);
      return true;
    case Ext.ExtendedMasterSecret:
      out.extendedMasterSecret = true;
      return true;
    case Ext.EncryptThenMac:
      out.encryptThenMac = true;
      return true;
    case Ext.StatusRequest:
      out.statusRequest = true;
      b.skip(b.remaining);
      return true;
    case Ext.SignedCertificateTimestamp:
      out.signedCertificateTimestamp = true;
      b.skip(b.remaining);
      return true;
    case Ext.EarlyData:
      out.earlyData = true;
      b.skip(b.remaining);
      return true;
    case Ext.Padding:
      out.paddingLength = b.remaining;
      b.skip(b.remaining);
      return true;
    case Ext.RecordSizeLimit:
      out.recordSizeLimit = b.u16();
      return true;
    case Ext.CompressCertificate:
      out.compressCertificate = b.u16List(1);
      return true;
    case Ext.EncryptedClientHello: {
      if (side !== 'client') {
        b.skip(b.remaining); // retry configs (EncryptedExtensions) or confirmation (HRR)
        return true;
      }
      const echType = b.u8();
      if (echType === 0) {
        const kdfId = b.u16();
        const aeadId = b.u16();
        const configId = b.u8();
        const enc = b.vec(2);
        const payload = b.vec(2);
        out.ech = { type: 0, kdfId, aeadId, configId, encLength: enc.end - enc.pos, payloadLength: payload.end - payload.pos };
      } else {
        out.ech = { type: echType, kdfId: 0, aeadId: 0, configId: 0, encLength: 0, payloadLength: 0 };
      }
      return true;
    }
    default:
      b.skip(b.remaining);
      return true;
  }
}
