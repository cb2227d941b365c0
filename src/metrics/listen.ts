import { isIP } from 'node:net';

/** A listen address: `host:port`, `[v6]:port`, `:port` or `port` (every interface); port 0: any free port. */
export interface ListenAddress {
  /** '' for every interface. */
  host: string;
  port: number;
}

/** Parse a listen address; a string is the reason it is not one. */
export function parseListen(text: string): ListenAddress | string {
  const s = text.trim();
  let host: string;
  let port: string;
  const v6 = /^\[([^\]]*)\]:(\d+)$/.exec(s);
  if (v6) {
    host = v6[1];
    port = v6[2];
    if (isIP(host) !== 6) return `'${host}' in '${text}' is not an IPv6 address`;
  } else if (/^\d+$/.test(s)) {
    host = '';
    port = s;
  } else {
    const i = s.lastIndexOf(':');
    if (i < 0) return `'${text}' is not host:port`;
    host = s.slice(0, i);
    port = s.slice(i + 1);
    if (host.includes(':')) return `'${text}': put an IPv6 address in brackets, e.g. [::1]:9100`;
    if (host !== '' && isIP(host) !== 4 && !/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host)) {
      return `'${host}' in '${text}' is not an IP address or host name`;
    }
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return `'${port}' in '${text}' is not a port number (0-65535)`;
  return { host, port: Number(port) };
}

/** `host:port` with IPv6 in brackets. */
export function formatListen(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
