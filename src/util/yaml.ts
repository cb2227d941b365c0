import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

/**
 * The `yaml` package, loaded on first use: only a policy or configuration file needs it, and
 * loading it costs ~30 ms of every start (a replay of a small capture takes ~250 ms).
 */
let loaded: typeof Yaml | undefined;
const load = (): typeof Yaml => (loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml);

export type { Node, YAMLMap } from 'yaml';

export const isMap = <K = unknown, V = unknown>(node: unknown): node is Yaml.YAMLMap<K, V> => load().isMap<K, V>(node);
export const isSeq = <T = unknown>(node: unknown): node is Yaml.YAMLSeq<T> => load().isSeq<T>(node);
export const isScalar = <T = unknown>(node: unknown): node is Yaml.Scalar<T> => load().isScalar<T>(node);
export const parseDocument = ((...args: Parameters<typeof Yaml.parseDocument>) => load().parseDocument(...args)) as typeof Yaml.parseDocument;
export const stringify = ((...args: Parameters<typeof Yaml.stringify>) => load().stringify(...args)) as typeof Yaml.stringify;
/** A new line counter (the class itself stays unloaded until one is needed). */
export function lineCounter(): Yaml.LineCounter {
  return new (load().LineCounter)();
}
export type LineCounter = Yaml.LineCounter;
