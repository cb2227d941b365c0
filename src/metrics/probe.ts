import { request } from 'node:http';
import { parseListen } from './listen.js';

/** The metrics endpoint's default when TLSSCOPE_METRICS_LISTEN is not set (the container image sets it). */
export const DEFAULT_PROBE_LISTEN = '127.0.0.1:9100';

/** Where to reach a server listening on `listen`: every interface means loopback. */
export function probeTarget(listen: string): { host: string; port: number } | string {
  const l = parseListen(listen);
  if (typeof l === 'string') return l;
  let host = l.host;
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  if (l.port === 0) return `port 0 in '${listen}': the probe needs the real port`;
  return { host, port: l.port };
}

/** GET `path` on the metrics endpoint; ok when it answers 200 within `timeoutMs`. */
export function probe(listen: string, path = '/healthz', timeoutMs = 3000): Promise<{ ok: boolean; message: string }> {
  const t = probeTarget(listen);
  if (typeof t === 'string') return Promise.resolve({ ok: false, message: t });
  return new Promise((resolve) => {
    const req = request({ host: t.host, port: t.port, path, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c.length + body.length <= 4096 ? c : ''));
      res.on('end', () => resolve({ ok: res.statusCode === 200, message: `${path}: ${res.statusCode} ${body.trim()}` }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, message: `${path}: ${err.code ?? err.message}` }));
    req.end();
  });
}
