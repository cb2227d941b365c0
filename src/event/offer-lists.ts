import { isGrease, SCSV_RENEGOTIATION } from '../../parsers/tls/constants.js';
import type { ClientHello } from '../../parsers/tls/hello.js';
import { cipherName } from '../registry/names.js';
import { ListMemo, Memo } from '../util/memo.js';
import { markShared } from '../util/shared-json.js';

/**
 * The lists of a ClientHello as events carry them, one shared instance per distinct set of
 * lists: a client stack sends the same lists on every connection, so their event form (and
 * its allocation) is paid once per stack. Shared: never mutate what these return (not
 * frozen: JSON.stringify is 1.8x slower on frozen arrays, measured on Node 20). Marked shared,
 * so event-json.ts serialises each once.
 */

const noGrease = (v: number): boolean => !isGrease(v);

export interface ClientOffer {
  /** Offered suites, GREASE removed. */
  suites: readonly number[];
  /** Their IANA names (ECS `tls.client.supported_ciphers`). */
  names: readonly string[];
  /** TLS_EMPTY_RENEGOTIATION_INFO_SCSV offered. */
  renegotiationScsv: boolean;
  /** supported_versions without GREASE, or the legacy version alone when the extension is absent. */
  versions: readonly number[];
  supportedGroups: readonly number[];
  signatureAlgorithms: readonly number[];
  keyShareGroups: readonly number[];
  /** Point formats and PSK modes as sent (bytes, never GREASE). */
  ecPointFormats: readonly number[];
  pskKeyExchangeModes: readonly number[];
}

const offers = new Memo((ch: ClientHello): ClientOffer => {
  const e = ch.ext;
  const suites = markShared(ch.cipherSuites.filter(noGrease));
  return {
    suites,
    names: markShared(suites.map(cipherName)),
    renegotiationScsv: ch.cipherSuites.includes(SCSV_RENEGOTIATION),
    versions: markShared(e.supportedVersions.length > 0 ? e.supportedVersions.filter(noGrease) : [ch.version]),
    supportedGroups: markShared(e.supportedGroups.filter(noGrease)),
    signatureAlgorithms: markShared(e.signatureAlgorithms.filter(noGrease)),
    keyShareGroups: markShared(e.keyShareGroups.filter(noGrease)),
    ecPointFormats: markShared(e.ecPointFormats.slice()),
    pskKeyExchangeModes: markShared(e.pskKeyExchangeModes.slice()),
  };
}, { greaseBlind: true });

/** What a hello offers, in event form (every list but the extension types, which some stacks permute). */
export function clientOffer(ch: ClientHello): ClientOffer {
  const e = ch.ext;
  const version = ch.version;
  // Without supported_versions the legacy version is the list, kept as sent (GREASE or not):
  // keyed with bit 16 set, a value no real list holds and the GREASE-blind key never folds.
  return offers.get(ch, ch.cipherSuites, e.supportedVersions.length > 0 ? e.supportedVersions : [0x10000 | version], e.supportedGroups, e.signatureAlgorithms, e.keyShareGroups, e.ecPointFormats, e.pskKeyExchangeModes);
}

const types = new ListMemo((list): readonly number[] => markShared(list.filter(noGrease)), { greaseBlind: true });

/** Extension types in wire order, GREASE removed. */
export function offeredExtensions(list: readonly number[]): readonly number[] {
  return types.get(list);
}
