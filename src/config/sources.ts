import type { Command } from 'commander';
import { CONFIG_ENV, flagName, SETTINGS, setProp, type PartialConfig, type Setting } from './model.js';
import { ConfigError, type ConfigLayer } from './load.js';
import { valueFromText } from './values.js';

/** Variables that are not settings but belong to tlsscope (not reported as unknown). */
const OTHER_VARIABLES = new Set([CONFIG_ENV]);

/**
 * The settings given by `TLSSCOPE_*` environment variables (names in SETTINGS[].env and
 * docs/configuration.md): numbers and booleans (true/false, 1/0, yes/no, on/off) parsed,
 * lists comma-separated, an empty value unsets an optional setting or empties a list.
 * Secrets may be literal here (or `file:`/`env:` references). A bad value is a ConfigError
 * naming the variable; unknown TLSSCOPE_ variables are warnings.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigLayer & { warnings: string[] } {
  const config: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const s of SETTINGS) {
    const text = env[s.env];
    if (text === undefined) continue;
    const r = valueFromText(s, text, { file: false });
    if ('error' in r) throw new ConfigError(`${s.key}: ${r.error}`, s.env);
    setProp(config, s.prop, r.value);
    origins[s.key] = s.env;
  }
  const known = new Set(SETTINGS.map((s) => s.env));
  const warnings = Object.keys(env)
    .filter((k) => k.startsWith('TLSSCOPE_') && !known.has(k) && !OTHER_VARIABLES.has(k))
    .sort()
    .map((k) => `${k}: not a tlsscope setting (ignored)`);
  return { source: 'environment', config: config as PartialConfig, origins, warnings };
}

/** Commander's attribute name of a setting's flag: `--no-kafka-create-topics` → `kafkaCreateTopics`. */
export function flagAttribute(s: Setting): string {
  return flagName(s.flag).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * Add every setting's flag to a command, with no default values (a default would hide the
 * environment and the file: precedence is flags > environment > file > defaults), plus
 * `-c, --config <file>`. Read them back with configFromCommand.
 */
export function addConfigFlags(cmd: Command): Command {
  cmd.option('-c, --config <file>', `YAML configuration file (or ${CONFIG_ENV}); see docs/configuration.md`);
  for (const s of SETTINGS) {
    const flags = s.short ? `${s.short}, ${s.flag}` : s.flag;
    const help = `${s.help} [${s.env}]`;
    if (s.repeatable) cmd.option(flags, help, collect);
    else cmd.option(flags, help);
  }
  return cmd;
}

/**
 * The settings given as flags. `values` is commander's opts(); `given(attr)` says whether
 * the user typed that flag (commander: `getOptionValueSource(attr) === 'cli'`). Without
 * `given`, every defined value counts. A bad value is a ConfigError naming the flag.
 */
export function configFromFlags(values: Record<string, unknown>, given: (attr: string) => boolean = (a) => values[a] !== undefined): ConfigLayer {
  const config: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const s of SETTINGS) {
    const attr = flagAttribute(s);
    const v = values[attr];
    if (v === undefined || !given(attr)) continue;
    const flag = s.flag.split(' ')[0];
    let r: { value: unknown } | { error: string };
    if (typeof v === 'boolean') {
      r = s.kind.t === 'bool' ? { value: v } : { error: 'needs a value' };
    } else if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      r = valueFromText(s, v as string | string[], { file: false });
    } else if (typeof v === 'number') {
      r = valueFromText(s, String(v), { file: false });
    } else {
      r = { error: `unexpected value ${JSON.stringify(v)}` };
    }
    if ('error' in r) throw new ConfigError(`${r.error}`, flag);
    setProp(config, s.prop, r.value);
    origins[s.key] = flag;
  }
  return { source: 'flags', config: config as PartialConfig, origins };
}

/** configFromFlags for a commander command whose flags came from addConfigFlags. */
export function configFromCommand(cmd: Command): ConfigLayer {
  return configFromFlags(cmd.opts(), (attr) => cmd.getOptionValueSource(attr) === 'cli');
}

/** The configuration file a command line names: `--config`, else TLSSCOPE_CONFIG. */
export function configFileFrom(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const f = values.config;
  if (typeof f === 'string' && f !== '') return f;
  const e = env[CONFIG_ENV];
  return e ? e : undefined;
}
