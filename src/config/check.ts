import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from '../util/yaml.js';
import { parsePolicy, PolicyError } from '../enrich/policy.js';
import { TrustStore, TrustStoreError } from '../enrich/x509/validate.js';
import { DEFAULT_CONFIG, getProp, SETTINGS, type TlsscopeConfig } from './model.js';
import { ConfigError, loadConfig, type ConfigLayer } from './load.js';
import { resolveConfig, type ResolvedConfig } from './merge.js';
import { configFromEnv } from './sources.js';

export interface CheckOptions {
  /** Merge these TLSSCOPE_* variables over the file, as `tlsscope live` would. */
  env?: NodeJS.ProcessEnv;
  /** Also read the files the configuration names (policy, CA bundles, PEMs, secret files). Default true. */
  files?: boolean;
}

export interface CheckResult extends ResolvedConfig {
  file: string;
  summary: string;
}

/**
 * `tlsscope config check`: parse and check a file (with the environment if asked), then the
 * files it names: the policy is parsed (its mistakes name the policy's own line), CA bundles
 * are loaded, PEM and secret files must be readable, `env:` references set (with `env`).
 * Throws ConfigError (or PolicyError) with one line naming the file and line.
 */
export function checkConfigFile(file: string, opts: CheckOptions = {}): CheckResult {
  const layer = loadConfig(file);
  const envLayer = opts.env ? configFromEnv(opts.env) : undefined;
  const resolved = resolveConfig(DEFAULT_CONFIG, layer, envLayer);
  if (envLayer) resolved.warnings.unshift(...envLayer.warnings);
  if (opts.files !== false) checkReferencedFiles(resolved, layer, opts.env);
  return { ...resolved, file, summary: summarize(resolved.config) };
}

function checkReferencedFiles(r: ResolvedConfig, layer: ConfigLayer, env: NodeJS.ProcessEnv | undefined): void {
  const c = r.config;
  const origin = (key: string, index?: number): string | undefined => {
    const o = index !== undefined ? (layer.origins[`${key}[${index}]`] ?? r.origins[key]) : r.origins[key];
    return o === 'default' ? undefined : o;
  };
  const readable = (p: string, key: string, index?: number): string => {
    try {
      return readFileSync(p, 'utf8');
    } catch (err) {
      throw new ConfigError(`${key}: cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, origin(key, index));
    }
  };
  const reference = (ref: string | undefined, key: string, pem: boolean): void => {
    if (ref === undefined) return;
    if (ref.startsWith('env:')) {
      if (env && env[ref.slice(4)] === undefined) throw new ConfigError(`${key}: environment variable ${ref.slice(4)} is not set`, origin(key));
      return;
    }
    if (ref.startsWith('file:')) readable(ref.slice(5), key);
    else if (pem) {
      const text = readable(ref, key);
      if (!text.includes('-----BEGIN')) throw new ConfigError(`${key}: ${ref} is not a PEM file`, origin(key));
    }
  };

  if (c.enrich.enabled) {
    if (c.enrich.policy !== undefined) {
      const text = readable(c.enrich.policy, 'enrich.policy');
      try {
        parsePolicy(text, c.enrich.policy);
      } catch (err) {
        if (err instanceof PolicyError) throw new ConfigError(err.message);
        throw err;
      }
    }
    c.enrich.caFiles.forEach((p, i) => {
      readable(p, 'enrich.ca_files', i);
      try {
        TrustStore.fromFiles([p], { system: false });
      } catch (err) {
        if (err instanceof TrustStoreError) throw new ConfigError(`enrich.ca_files: ${err.message}`, origin('enrich.ca_files', i));
        throw err;
      }
    });
  }
  if (c.kafka.brokers.length > 0) {
    const t = c.kafka.tls;
    reference(t.ca, 'kafka.tls.ca', true);
    reference(t.cert, 'kafka.tls.cert', true);
    reference(t.key, 'kafka.tls.key', true);
    reference(t.keyPassphrase, 'kafka.tls.key_passphrase', false);
    const u = c.kafka.sasl.username;
    if (u !== undefined && (u.startsWith('file:') || u.startsWith('env:'))) reference(u, 'kafka.sasl.username', false);
    reference(c.kafka.sasl.password, 'kafka.sasl.password', false);
  }
  if (c.output.file !== undefined && !existsSync(path.dirname(c.output.file))) {
    r.warnings.push(`${origin('output.file') ?? 'output.file'}: the directory of ${c.output.file} does not exist (yet)`);
  }
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One line saying what a configuration does (no secret in it). */
export function summarize(c: TlsscopeConfig): string {
  const parts: string[] = [];
  const cap = c.capture;
  parts.push(
    `capture ${cap.interfaces.length > 0 ? cap.interfaces.join(',') : '(no interface yet)'}` +
      ` (snaplen ${cap.snaplen}${cap.bpf !== undefined ? `, bpf '${cap.bpf}'` : ''}${cap.promiscuous ? '' : ', not promiscuous'})`,
  );
  const outs: string[] = [];
  const o = c.output;
  if (o.file !== undefined) outs.push(`file ${o.file}${o.rotateMb > 0 ? ` (rotated at ${o.rotateMb} MiB, ${o.rotateKeep} kept)` : ''}`);
  const k = c.kafka;
  if (k.brokers.length > 0) {
    const tls = k.tls.enabled || k.tls.ca !== undefined || k.tls.cert !== undefined ? (k.tls.cert !== undefined ? 'mTLS' : 'TLS') : 'plaintext';
    const extra = [tls, k.sasl.mechanism ? `SASL ${k.sasl.mechanism}` : undefined, `spool ${k.spool.dir} ≤ ${k.spool.maxMb} MiB`].filter(Boolean);
    outs.push(`kafka ${k.brokers.join(',')} topics ${k.topicPrefix}.* ${k.format} (${extra.join(', ')})`);
  }
  if (o.stdout || outs.length === 0) outs.unshift('stdout');
  parts.push(`events ${o.events.join(',')} as ${o.format} to ${outs.join(' + ')}`);
  const e = c.enrich;
  parts.push(
    e.enabled
      ? `enrich (${e.systemRoots ? 'system roots' : 'no system roots'}${e.caFiles.length > 0 ? ` + ${plural(e.caFiles.length, 'CA file')}` : ''}${e.policy !== undefined ? `, policy ${e.policy}` : ', default policy'})`
      : 'no enrich',
  );
  parts.push(`flows ≤ ${c.limits.maxFlows}, memory ≤ ${c.limits.flowMemoryMb} MiB`);
  parts.push(c.metrics.listen !== undefined ? `metrics on ${c.metrics.listen}` : 'no metrics endpoint');
  parts.push(c.stats.intervalSeconds > 0 ? `stats every ${c.stats.intervalSeconds} s` : 'no stats events');
  parts.push(`log ${c.log.level} ${c.log.format}`);
  return parts.join('; ');
}

const REDACTED = '[redacted]';

/**
 * The effective configuration as YAML, each setting with where it came from; literal
 * secrets (possible from the environment and flags only) are redacted.
 */
export function showConfig(r: ResolvedConfig): string {
  const lines: string[] = [];
  let open: string[] = [];
  for (const s of SETTINGS) {
    const parts = s.key.split('.');
    const sections = parts.slice(0, -1);
    let common = 0;
    while (common < sections.length && common < open.length && sections[common] === open[common]) common++;
    for (let i = common; i < sections.length; i++) lines.push(`${'  '.repeat(i)}${sections[i]}:`);
    open = sections;
    const indent = '  '.repeat(sections.length);
    let v = getProp(r.config, s.prop);
    if (s.kind.t === 'secret' && typeof v === 'string' && !v.startsWith('file:') && !v.startsWith('env:')) v = REDACTED;
    const origin = r.origins[s.key];
    if (v === undefined) lines.push(`${indent}# ${parts[parts.length - 1]}: (unset)`);
    else lines.push(`${indent}${parts[parts.length - 1]}: ${stringify(v, { collectionStyle: 'flow', lineWidth: 0 }).trim()}  # ${origin}`);
  }
  return lines.join('\n') + '\n';
}
