import { pino, type Logger } from 'pino';

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
 * The sensor's own log: JSON lines on stderr (stdout carries events), secrets redacted.
 * `destination` is for tests.
 */
export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      name: 'tlsscope',
      level: opts.level ?? process.env.TLSSCOPE_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    (opts.destination ?? process.stderr) as pino.DestinationStream,
  );
}
