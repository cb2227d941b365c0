import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { repoRoot } from '../support/paths.js';

/**
 * The rendering schemas of schemas/ (GELF, OCSF and the ECS finding event), compiled once.
 * test/support/schemas.ts covers the ECS handshake and certificate events; this loader adds
 * the shared files the rendering schemas refer to (rules.gelf, objects.ocsf).
 */
const load = (name: string): object => JSON.parse(readFileSync(path.join(repoRoot, 'schemas', name), 'utf8'));

export const formatAjv = new Ajv({ allErrors: true, strict: false });
addFormats.default(formatAjv);
for (const shared of ['common.schema.json', 'rules.gelf.schema.json', 'objects.ocsf.schema.json']) formatAjv.addSchema(load(shared));

export type SchemaFormat = 'ecs' | 'gelf' | 'ocsf';
const TYPES = ['handshake', 'certificate', 'finding'] as const;

const validators = new Map<string, ValidateFunction>();
function validator(type: string, format: SchemaFormat): ValidateFunction | undefined {
  const key = `${type}.${format}`;
  let v = validators.get(key);
  if (!v) {
    v = formatAjv.compile(load(`${key}.schema.json`));
    validators.set(key, v);
  }
  return v;
}

/** The schema file names of one format, for every event type. */
export function schemaFiles(format: SchemaFormat): string[] {
  return TYPES.map((t) => `${t}.${format}.schema.json`);
}

/** Undefined when `doc` (the `format` rendering of a `dataset` event) is valid, else the errors. */
export function formatSchemaErrors(dataset: string, format: SchemaFormat, doc: unknown): string | undefined {
  const type = dataset.replace(/^tlsscope\./, '');
  if (!(TYPES as readonly string[]).includes(type)) return `no schema for ${dataset}`;
  const v = validator(type, format)!;
  return v(doc) ? undefined : formatAjv.errorsText(v.errors, { separator: '\n' });
}
