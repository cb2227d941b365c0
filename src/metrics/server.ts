import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatListen, parseListen } from './listen.js';
import { CONTENT_TYPE, type Registry } from './registry.js';

/** What /healthz and /readyz report. */
export interface HealthStatus {
  /** The process loop runs (a blocked loop answers nothing at all, which also fails the probe). */
  live: boolean;
  /** Capture and sinks are up. */
  ready: boolean;
  /** Shown in the JSON body: which part is not ready, counters, … */
  detail?: Record<string, unknown>;
}

export interface MetricsServer {
  /** The bound address, `host:port` (IPv6 in brackets); the real port when 0 was asked for. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export class MetricsListenError extends Error {}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...extra });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function healthBody(ok: boolean, h: HealthStatus | undefined, error?: string): string {
  return JSON.stringify({ status: ok ? 'ok' : 'unavailable', live: h?.live ?? false, ready: h?.ready ?? false, ...(error ? { error } : {}), ...(h?.detail ?? {}) }) + '\n';
}

/**
 * Serve `/metrics` (Prometheus text format), `/healthz` (200 while `health().live`),
 * `/readyz` (200 once `health().ready`, 503 before) on `listen` (`host:port`, `[v6]:port`,
 * `:port` for every interface; port 0 picks a free port: see `address`). Resolves once
 * bound; a bad address or a port in use rejects with a one-line MetricsListenError.
 */
export async function startMetricsServer(listen: string, registry: Registry, health: () => HealthStatus): Promise<MetricsServer> {
  const where = parseListen(listen);
  if (typeof where === 'string') throw new MetricsListenError(`metrics listen address: ${where}`);

  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, req, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (url === '/metrics') {
      let text: string;
      try {
        text = registry.render();
      } catch (err) {
        send(res, req, 500, 'text/plain; charset=utf-8', `collecting metrics failed: ${(err as Error).message}\n`);
        return;
      }
      send(res, req, 200, CONTENT_TYPE, text);
      return;
    }
    if (url === '/healthz' || url === '/readyz') {
      let h: HealthStatus | undefined;
      let error: string | undefined;
      try {
        h = health();
      } catch (err) {
        error = (err as Error).message;
      }
      const ok = h !== undefined && (url === '/healthz' ? h.live : h.live && h.ready);
      send(res, req, ok ? 200 : 503, 'application/json', healthBody(ok, h, error));
      return;
    }
    if (url === '/') {
      send(res, req, 200, 'text/plain; charset=utf-8', 'tlsscope: /metrics /healthz /readyz\n');
      return;
    }
    send(res, req, 404, 'text/plain; charset=utf-8', 'not found\n');
  });
  // A scrape is one small request: keep slow or idle clients from holding sockets.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 64;
  server.maxConnections = 64;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new MetricsListenError(`cannot listen on ${listen} for metrics: ${err.code ?? err.message}`));
    };
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      resolve();
    };
    if (where.host === '') server.listen(where.port, done);
    else server.listen(where.port, where.host, done);
  });
  server.on('error', () => {}); // after binding, errors are per connection
  const a = server.address() as AddressInfo;
  return {
    address: formatListen(a.address, a.port),
    host: a.address,
    port: a.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
