/**
 * tlsscope's configuration: one YAML file, TLSSCOPE_* environment variables and flags, with
 * the precedence flags > environment > file > defaults (docs/configuration.md).
 */
export * from './model.js';
export { ConfigError, loadConfig, parseConfig, type ConfigLayer } from './load.js';
export { addConfigFlags, configFileFrom, configFromCommand, configFromEnv, configFromFlags, flagAttribute } from './sources.js';
export { configFromCommandLine, mergeConfig, resolveConfig, type ResolvedConfig } from './merge.js';
export { checkConfigFile, showConfig, summarize, type CheckOptions, type CheckResult } from './check.js';
export { enrichOptionsFrom, liveConfigProblem, sensorOptionsFrom, sinkFlagsFrom } from './adapt.js';
