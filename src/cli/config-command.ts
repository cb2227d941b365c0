import type { Command } from 'commander';
import { checkConfigFile, ConfigError, configFromEnv, DEFAULT_CONFIG, loadConfig, resolveConfig, showConfig } from '../config/index.js';
import { PolicyError } from '../enrich/policy.js';
import { ExitCode } from './exit-codes.js';

/** A configuration problem: one line on stderr, exit 2. Anything else is a bug and goes on up. */
function fail(err: unknown): number {
  if (err instanceof ConfigError || err instanceof PolicyError) {
    process.stderr.write(`tlsscope: ${err.message}\n`);
    return ExitCode.Usage;
  }
  throw err;
}

function warn(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`tlsscope: warning: ${w}\n`);
}

/**
 * `tlsscope config check FILE` and `tlsscope config show [FILE]`. check: exit 0 and
 * `ok: FILE: <summary>` on stdout (warnings on stderr), or exit 2 and one line
 * `tlsscope: FILE:LINE:COL: message` on stderr.
 */
export function registerConfigCommand(program: Command): Command {
  const config = program.command('config').description('check and show configuration files (docs/configuration.md)');
  config
    .command('check')
    .description('validate a configuration file and the files it names (policy, CA bundles, PEMs, secret files); exit 0, or 2 with the offending line')
    .argument('<file>', 'YAML configuration file')
    .option('--env', 'merge the TLSSCOPE_* environment variables over the file, as tlsscope live does, and require env: references to be set')
    .option('--syntax-only', 'do not read the files the configuration names')
    .action((file: string, o: { env?: boolean; syntaxOnly?: boolean }) => {
      try {
        const r = checkConfigFile(file, { env: o.env ? process.env : undefined, files: !o.syntaxOnly });
        warn(r.warnings);
        process.stdout.write(`ok: ${file}: ${r.summary}\n`);
        process.exitCode = ExitCode.Ok;
      } catch (err) {
        process.exitCode = fail(err);
      }
    });
  config
    .command('show')
    .description('print the effective configuration (defaults < file < TLSSCOPE_* environment), each setting with where it came from; literal secrets redacted')
    .argument('[file]', 'YAML configuration file (default: TLSSCOPE_CONFIG)')
    .option('--no-env', 'leave the environment out')
    .action((file: string | undefined, o: { env: boolean }) => {
      try {
        const f = file ?? process.env.TLSSCOPE_CONFIG;
        const envLayer = o.env ? configFromEnv(process.env) : undefined;
        const r = resolveConfig(DEFAULT_CONFIG, f ? loadConfig(f) : undefined, envLayer);
        warn([...(envLayer?.warnings ?? []), ...r.warnings]);
        process.stdout.write(showConfig(r));
        process.exitCode = ExitCode.Ok;
      } catch (err) {
        process.exitCode = fail(err);
      }
    });
  return config;
}
