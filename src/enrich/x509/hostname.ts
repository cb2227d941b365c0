import { isIPv4, isIPv6 } from 'node:net';
import { isParsed, type CertificateInfo } from './types.js';

/**
 * Does the certificate cover `name` (the SNI, normally)? RFC 6125 §6, as browsers apply it:
 *
 * - DNS names are compared against the subjectAltName dNSName entries; the subject CN is used
 *   only when the certificate has no dNSName at all (§6.4.4).
 * - ASCII case-insensitive; one trailing dot ignored on either side; IDNA A-labels (`xn--…`)
 *   are compared as the plain ASCII they are, never converted.
 * - A wildcard counts only as the whole left-most label (`*.example.com`), matches exactly one
 *   non-empty label, and never sits above a 2-label name (`*.com`, `*.example` match nothing).
 *   Partial wildcards (`f*.example.com`, `*oo.example.com`) and wildcards in other labels
 *   match nothing (CA/Browser Forum BR 7.1.4.2; RFC 6125 allows them only optionally).
 *   Without a public-suffix list, `*.co.uk` is accepted like any 3-label pattern.
 * - An IP address (IPv4 dotted quad, IPv6 with or without brackets) is compared with the
 *   iPAddress entries only, by value; never with dNSName or CN.
 */
export function matchesHostname(name: string, cert: CertificateInfo): boolean {
  if (!isParsed(cert)) return false;
  let host = name;
  if (host.startsWith('[') && host.endsWith(']')) {
    // Brackets belong to IPv6 literals only: `[www.example.com]` is no host name at all.
    host = host.slice(1, -1);
    if (!isIPv6(host)) return false;
  }
  // Only text that could be an address goes to node:net's checks: its IPv6 pattern is a large
  // regular expression, compiled on first use (~6 ms) and slow to run on every host name.
  if (/^[\d.]+$/.test(host) ? isIPv4(host) : host.includes(':') && isIPv6(host)) {
    const want = ipBytes(host);
    return want !== undefined && cert.san.ip.some((ip) => sameBytes(ipBytes(ip), want));
  }
  host = dnsNormal(host);
  if (host === '' || host.startsWith('.') || host.includes('..')) return false;
  const ids = cert.san.dns.length > 0 ? cert.san.dns : cert.subject.common_name;
  return ids.some((id) => matchesPattern(id, host));
}

/** One presented identifier against one normalised host name (lower case, no trailing dot). */
export function matchesPattern(pattern: string, host: string): boolean {
  const p = dnsNormal(pattern);
  // A reference identifier never holds a wildcard: an SNI of `*.example.com` is not a host
  // name, and must not be "covered" by the certificate whose pattern it copies.
  if (p === '' || host === '' || host.includes('*')) return false;
  if (!p.includes('*')) return p === host;
  if (!p.startsWith('*.')) return false;
  const rest = p.slice(2);
  if (rest.includes('*') || !rest.includes('.') || rest.startsWith('.') || rest.includes('..')) return false;
  if (!host.endsWith('.' + rest)) return false;
  const label = host.slice(0, host.length - rest.length - 1);
  return label.length > 0 && !label.includes('.');
}

/** ASCII lower case (A-labels stay as they are; no Unicode folding), one trailing dot dropped. */
function dnsNormal(s: string): string {
  const t = s.endsWith('.') ? s.slice(0, -1) : s;
  return t.replace(/[A-Z]+/g, (c) => c.toLowerCase());
}

/** 4 or 16 octets of an IP address in text form, undefined if it is not one. */
export function ipBytes(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number));
  if (!isIPv6(text)) return undefined;
  let s = text;
  let tail: number[] = [];
  if (s.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
    const lastColon = s.lastIndexOf(':');
    const v4 = s.slice(lastColon + 1).split('.').map(Number);
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const hex = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const gapAt = s.indexOf('::');
  let groups: number[];
  if (gapAt < 0) groups = [...hex(s), ...tail];
  else {
    const head = hex(s.slice(0, gapAt));
    const rest = hex(s.slice(gapAt + 2));
    const fill = 8 - head.length - rest.length - tail.length;
    if (fill < 0) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest, ...tail];
  }
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
