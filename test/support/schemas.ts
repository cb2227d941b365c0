import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { repoRoot } from './paths.js';

const load = (name: string): object => JSON.parse(readFileSync(path.join(repoRoot, 'schemas', name), 'utf8'));

/** The event schemas of schemas/, compiled once, by event.dataset. */
export const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(load('common.schema.json'));
const byDataset: Record<string, ValidateFunction> = {
  'tlsscope.handshake': ajv.compile(load('handshake.ecs.schema.json')),
  'tlsscope.certificate': ajv.compile(load('certificate.ecs.schema.json')),
};

/** Undefined when the event is valid against its dataset's schema, else the errors as text. */
export function schemaErrors(ev: { event?: { dataset?: string } }): string | undefined {
  const v = byDataset[ev.event?.dataset ?? ''];
  if (!v) return `no schema for event.dataset ${JSON.stringify(ev.event?.dataset)}`;
  return v(ev) ? undefined : ajv.errorsText(v.errors);
}
