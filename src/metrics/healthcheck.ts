#!/usr/bin/env node
/**
 * The container's HEALTHCHECK: `node dist/src/metrics/healthcheck.js [host:port]` asks
 * /healthz of the metrics endpoint (TLSSCOPE_METRICS_LISTEN when no argument; every
 * interface means loopback). Exit 0 when it answers 200, 1 otherwise, with one line saying
 * why (Docker keeps it in the health log). Node itself, since the slim image has no curl.
 */
import { DEFAULT_PROBE_LISTEN, probe } from './probe.js';

const listen = process.argv[2] ?? process.env.TLSSCOPE_METRICS_LISTEN ?? DEFAULT_PROBE_LISTEN;
const r = await probe(listen, '/healthz', 3000);
process.stdout.write(`${r.ok ? 'healthy' : 'unhealthy'}: ${listen}${r.message}\n`);
process.exitCode = r.ok ? 0 : 1;
