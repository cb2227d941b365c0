#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ExitCode } from './exit-codes.js';
import { replay } from './replay.js';

const program = new Command();
program
  .name('tlsscope')
  .description('Passive TLS sensor: one structured event per TLS handshake')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `tlsscope: ${s}` : s) });

program
  .command('replay')
  .description('read pcap/pcapng captures (or - for stdin) and write one NDJSON event per TLS connection')
  .argument('<files...>', 'capture files; - reads standard input')
  .option('--format <format>', 'event rendering', 'ecs')
  .option('-o, --output <file>', 'write events to a file instead of stdout')
  .option('--no-progress', 'no progress bar, even on a terminal')
  .option('-q, --quiet', 'no run summary on stderr')
  .option('--ca-file <file>', 'trust the CA certificates of this PEM bundle too (repeatable)', collect, [] as string[])
  .option('--no-system-roots', "do not trust Node's bundled root certificates (only --ca-file)")
  .option('--policy <file>', 'YAML policy: mTLS services, disabled or re-graded findings, allow-lists (docs/policy.example.yaml)')
  .option('--no-certificates', 'no certificate inventory events (tlsscope.certificate), only handshakes')
  .option('--certificate-reemit <seconds>', 'report a certificate again when seen after this long (packet time)', positiveInt, 86_400)
  .action(async (files: string[], o: ReplayFlags) => {
    process.exitCode = await replay(files, {
      format: o.format,
      output: o.output,
      progress: o.progress,
      summary: !o.quiet,
      caFiles: o.caFile,
      systemRoots: o.systemRoots,
      policyFile: o.policy,
      certificates: o.certificates,
      certificateReemitSec: o.certificateReemit,
    });
  });

interface ReplayFlags {
  format: string;
  output?: string;
  progress: boolean;
  quiet?: boolean;
  caFile: string[];
  systemRoots: boolean;
  policy?: string;
  certificates: boolean;
  certificateReemit: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive whole number, got '${value}'`);
  return n;
}

// A closed stdout (`tlsscope replay x | head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : ExitCode.Usage;
  } else {
    process.stderr.write(`tlsscope: internal error: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = ExitCode.Internal;
  }
}
