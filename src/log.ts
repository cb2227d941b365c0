import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type Pretty from 'pino-pretty';

export type { Logger };

/**
 * Paths of secrets anywhere in a logged object: passwords, private keys and passphrases of
 * the Kafka client configuration, whatever object they are nested in.
 */
export const REDACT_PATHS = [
  'password',
  'passphrase',
  'key',
  '*.password',
  '*.passphrase',
  '*.key',
  '*.*.password',
  '*.*.passphrase',
  '*.*.key',
  'sasl.password',
  'ssl.key',
  'kafka.sasl.password',
  'kafka.ssl.key',
  'kafka.ssl.passphrase',
];

/**
 * The sensor's own log on stderr (stdout carries events), secrets redacted: JSON lines, or
 * with `format` 'pretty' (or 'auto' on a terminal) one human-readable line per entry.
 * `destination` is for tests.
 */
export function createLogger(
  opts: { level?: string; destination?: NodeJS.WritableStream; format?: 'auto' | 'json' | 'pretty' } = {},
): Logger {
  const format = opts.format ?? (process.env.TLSSCOPE_LOG_FORMAT as 'auto' | 'json' | 'pretty' | undefined) ?? 'auto';
  const out = opts.destination ?? process.stderr;
  const human = format === 'pretty' || (format === 'auto' && opts.destination === undefined && process.stderr.isTTY === true);
  const options = {
    name: 'tlsscope',
    level: opts.level ?? process.env.TLSSCOPE_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  // Redaction happens before either rendering sees the entry.
  // pino-pretty (~25 ms to load) only for a terminal or when asked for.
  if (human) return pino(options, (createRequire(import.meta.url)('pino-pretty') as typeof Pretty)({ destination: out, sync: true, colorize: opts.destination === undefined && process.stderr.isTTY === true, translateTime: 'SYS:standard', ignore: 'pid,hostname' }));
  return pino(options, out as pino.DestinationStream);
}
