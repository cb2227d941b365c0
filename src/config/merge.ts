import { DEFAULT_CONFIG, getProp, SETTINGS, setProp, type TlsscopeConfig } from './model.js';
import { ConfigError, loadConfig, type ConfigLayer } from './load.js';
import { configFileFrom, configFromEnv, configFromFlags } from './sources.js';

export interface ResolvedConfig {
  config: TlsscopeConfig;
  /** Where each setting's value came from, by YAML key: `FILE:LINE:COL`, `TLSSCOPE_…`, `--flag` or `default`. */
  origins: Record<string, string>;
  /** Settings that are legal but probably not what was meant. */
  warnings: string[];
}

function clone<T>(x: T): T {
  return structuredClone(x);
}

/**
 * Layer the sources, later ones winning: call it as (defaults, file, env, flags) for the
 * documented precedence flags > environment > file > defaults. Each setting is taken whole
 * from the last layer that gives it (a list given by the environment replaces the file's
 * list); null in a layer unsets an optional setting. Settings that depend on each other are
 * then checked; a conflict is a ConfigError naming where the offending value came from.
 */
export function resolveConfig(defaults: TlsscopeConfig, ...layers: (ConfigLayer | undefined)[]): ResolvedConfig {
  const config = clone(defaults) as unknown as Record<string, unknown>;
  const origins: Record<string, string> = {};
  for (const s of SETTINGS) {
    origins[s.key] = 'default';
    for (const layer of layers) {
      if (!layer) continue;
      const v = getProp(layer.config, s.prop);
      if (v === undefined) continue;
      setProp(config, s.prop, v === null ? undefined : clone(v));
      origins[s.key] = layer.origins[s.key] ?? layer.source;
    }
  }
  const c = config as unknown as TlsscopeConfig;
  const warnings = validate(c, origins);
  return { config: c, origins, warnings };
}

/** resolveConfig's configuration alone (the warnings are dropped). */
export function mergeConfig(defaults: TlsscopeConfig, ...layers: (ConfigLayer | undefined)[]): TlsscopeConfig {
  return resolveConfig(defaults, ...layers).config;
}

/**
 * Everything a command line says, resolved: the file named by `--config` or
 * TLSSCOPE_CONFIG, the TLSSCOPE_* variables, then the flags (commander's opts; `given`
 * tells which the user typed, see configFromCommand).
 */
export function configFromCommandLine(flagValues: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env, given?: (attr: string) => boolean): ResolvedConfig & { file?: string } {
  const file = configFileFrom(flagValues, env);
  const envLayer = configFromEnv(env);
  const r = resolveConfig(DEFAULT_CONFIG, file ? loadConfig(file) : undefined, envLayer, configFromFlags(flagValues, given));
  return { ...r, warnings: [...envLayer.warnings, ...r.warnings], file };
}

function validate(c: TlsscopeConfig, origins: Record<string, string>): string[] {
  const warnings: string[] = [];
  const at = (key: string): string | undefined => (origins[key] === 'default' ? undefined : origins[key]);
  const given = (key: string): boolean => origins[key] !== 'default';
  const fail = (key: string, msg: string): never => {
    throw new ConfigError(msg, at(key));
  };
  const warn = (key: string, msg: string): void => {
    warnings.push(at(key) ? `${at(key)}: ${msg}` : msg);
  };

  const tls = c.kafka.tls;
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    const k = tls.cert !== undefined ? 'kafka.tls.cert' : 'kafka.tls.key';
    fail(k, `${k} needs ${k === 'kafka.tls.cert' ? 'kafka.tls.key' : 'kafka.tls.cert'} too (mutual TLS takes both)`);
  }
  if (tls.keyPassphrase !== undefined && tls.key === undefined) fail('kafka.tls.key_passphrase', 'kafka.tls.key_passphrase is set but kafka.tls.key is not');
  const sasl = c.kafka.sasl;
  if (sasl.mechanism !== undefined) {
    if (sasl.username === undefined) fail('kafka.sasl.mechanism', `SASL ${sasl.mechanism} needs kafka.sasl.username`);
    if (sasl.password === undefined) fail('kafka.sasl.mechanism', `SASL ${sasl.mechanism} needs kafka.sasl.password`);
  } else {
    for (const k of ['kafka.sasl.username', 'kafka.sasl.password'] as const) {
      if (getProp(c, k.split('.')) !== undefined) fail(k, `${k} is set but kafka.sasl.mechanism is not`);
    }
  }
  const tlsOn = tls.enabled || tls.ca !== undefined || tls.cert !== undefined || tls.key !== undefined;
  if (c.kafka.brokers.length === 0) {
    const kafkaKeys = SETTINGS.filter((s) => s.key.startsWith('kafka.') && given(s.key)).map((s) => s.key);
    if (kafkaKeys.length > 0) warn(kafkaKeys[0], `Kafka settings (${kafkaKeys.join(', ')}) have no effect without kafka.brokers`);
  } else {
    if (sasl.mechanism === 'plain' && !tlsOn) warn('kafka.sasl.mechanism', 'SASL PLAIN without TLS sends the password in clear text: set kafka.tls.enabled');
    if (tls.insecure && !tlsOn) warn('kafka.tls.insecure', 'kafka.tls.insecure has no effect without TLS (kafka.tls.enabled)');
    if (tlsOn && tls.insecure) warn('kafka.tls.insecure', "the brokers' certificates are not verified");
  }
  if (c.output.file === undefined && (given('output.rotate_mb') || given('output.rotate_keep'))) {
    warn(given('output.rotate_mb') ? 'output.rotate_mb' : 'output.rotate_keep', 'rotation settings have no effect without output.file');
  }
  if (!c.enrich.enabled && (c.enrich.policy !== undefined || c.enrich.caFiles.length > 0)) {
    warn('enrich.enabled', 'enrich is disabled: enrich.policy and enrich.ca_files are not used');
  }
  if (!c.enrich.systemRoots && c.enrich.caFiles.length === 0 && c.enrich.enabled) {
    warn('enrich.system_roots', 'no trust anchors at all (system_roots false and no ca_files): every chain is untrusted');
  }
  if (c.stats.intervalSeconds === 0 && given('output.events') && c.output.events.includes('stats')) {
    warn('output.events', 'output.events lists stats but stats.interval_seconds is 0 (no stats events)');
  }
  if (c.capture.snaplen < 1600) warn('capture.snaplen', `snaplen ${c.capture.snaplen} truncates full-size packets: TLS handshakes will have gaps`);
  return warnings;
}
