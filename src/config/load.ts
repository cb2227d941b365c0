import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, lineCounter, parseDocument, type LineCounter, type Node } from '../util/yaml.js';
import { SETTINGS, setProp, type PartialConfig, type Setting } from './model.js';
import { checkValue, describeKind, isListKind } from './values.js';

/** A configuration that does not say what it must; the message names the file, line and column (or the variable, or the flag). */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** `FILE:LINE:COL`, `TLSSCOPE_NAME` or `--flag`: where the offending value is. */
    readonly origin?: string,
  ) {
    super(origin ? `${origin}: ${message}` : message);
  }
}

/** One source of settings (a file, the environment, the flags, the defaults). */
export interface ConfigLayer {
  /** `tlsscope.yaml`, `environment`, `flags`, `defaults`. */
  source: string;
  /** The settings it gives (null: explicitly unset). */
  config: PartialConfig;
  /** Where each setting it gives is, by YAML key: `FILE:LINE:COL`, `TLSSCOPE_…` or `--flag`. */
  origins: Record<string, string>;
}

/** Section names and the keys within each, derived from the settings table. */
const CHILDREN = new Map<string, string[]>();
for (const s of SETTINGS) {
  const parts = s.key.split('.');
  for (let i = 0; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('.');
    const list = CHILDREN.get(parent) ?? [];
    if (!list.includes(parts[i])) list.push(parts[i]);
    CHILDREN.set(parent, list);
  }
}
const BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

function suggestion(key: string, known: string[]): string {
  const best = known.map((k) => [k, distance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean '${best[0]}'?)` : '';
}

class Walker {
  readonly config: Record<string, unknown> = {};
  readonly origins: Record<string, string> = {};
  private readonly baseDir: string;

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {
    this.baseDir = path.dirname(path.resolve(file));
  }

  at(node: Node | null | undefined): string {
    const pos = node?.range ? this.lines.linePos(node.range[0]) : undefined;
    return pos ? `${this.file}:${pos.line}:${pos.col}` : this.file;
  }

  fail(node: Node | null | undefined, msg: string): never {
    throw new ConfigError(msg, this.at(node));
  }

  section(node: Node | null | undefined, prefix: string): void {
    const what = prefix === '' ? 'the configuration' : `'${prefix}'`;
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return; // an empty section
    if (!isMap(node)) this.fail(node, `${what} must be a mapping of keys (${CHILDREN.get(prefix)!.join(', ')})`);
    const known = CHILDREN.get(prefix)!;
    for (const item of node.items) {
      const keyNode = item.key as Node;
      const k = isScalar(keyNode) ? String(keyNode.value) : '';
      if (!known.includes(k)) {
        const where = prefix === '' ? 'at the top level' : `in '${prefix}'`;
        this.fail(keyNode, `unknown key '${k}' ${where}${suggestion(k, known)}; expected one of: ${known.join(', ')}`);
      }
      const full = prefix === '' ? k : `${prefix}.${k}`;
      const setting = BY_KEY.get(full);
      if (setting) this.leaf(setting, item.value as Node | null, keyNode);
      else this.section(item.value as Node | null, full);
    }
  }

  private leaf(s: Setting, node: Node | null, keyNode: Node): void {
    const at = node ?? keyNode;
    let v: unknown;
    if (node === null || (isScalar(node) && node.value === null)) v = null;
    else if (isScalar(node)) v = node.value;
    else if (isSeq(node)) {
      v = node.items.map((n) => {
        if (!isScalar(n)) this.fail(n as Node, `${s.key}: each entry must be a single value (${describeKind(s.kind)})`);
        return n.value;
      });
    } else this.fail(node, `${s.key} must be ${describeKind(s.kind)}${isListKind(s.kind) ? '' : ', not a mapping'}`);
    const r = checkValue(s, v, { file: true, baseDir: this.baseDir });
    if ('error' in r) {
      const bad = r.index !== undefined && isSeq(node) ? (node.items[r.index] as Node) : at;
      this.fail(bad, `${s.key}: ${r.error}`);
    }
    setProp(this.config, s.prop, r.value);
    this.origins[s.key] = this.at(at);
    if (isSeq(node)) node.items.forEach((n, i) => (this.origins[`${s.key}[${i}]`] = this.at(n as Node)));
  }
}

/**
 * Parse and check a configuration text: unknown keys, wrong types and bad values are a
 * ConfigError naming `FILE:LINE:COL`. Relative paths are made absolute against the file's
 * directory. Settings that depend on each other are checked by mergeConfig.
 */
export function parseConfig(text: string, file = 'tlsscope.yaml'): ConfigLayer {
  const lines = lineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const at = lines.linePos(problem.pos[0]);
    throw new ConfigError(problem.message.split('\n')[0], `${file}:${at.line}:${at.col}`);
  }
  const w = new Walker(file, lines);
  w.section(doc.contents as Node | null, '');
  return { source: file, config: w.config as PartialConfig, origins: w.origins };
}

/** Read, parse and check a configuration file (see parseConfig). */
export function loadConfig(file: string): ConfigLayer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  return parseConfig(text, file);
}
