/**
 * Renderings of tlsscope events, chosen per sink. The events are built in ECS (their native
 * form, src/event/*); GELF (Graylog) and OCSF 1.1 are derived from them by pure functions.
 * docs/formats.md has the field mappings and the choices behind them.
 */
import { toGelf } from './gelf.js';
import { toOcsf } from './ocsf.js';

export type FormatName = 'ecs' | 'gelf' | 'ocsf';

export const FORMAT_NAMES: readonly FormatName[] = ['ecs', 'gelf', 'ocsf'];

export interface FormatContext {
  /** Name of the sensor's host (GELF `host`, OCSF `metadata.loggers[0].name`). */
  host: string;
  /** tlsscope's version (GELF `_sensor_version`, OCSF `metadata.product.version`). */
  productVersion: string;
}

export function isFormatName(s: unknown): s is FormatName {
  return typeof s === 'string' && (FORMAT_NAMES as readonly string[]).includes(s);
}

/**
 * The event in `format`; `ecs` returns the event itself. Never mutates the event. The result
 * may share sub-objects with the event (OCSF `unmapped`): treat both as read-only.
 */
export function render(format: FormatName, event: Record<string, unknown>, ctx: FormatContext): Record<string, unknown> {
  switch (format) {
    case 'ecs':
      return event;
    case 'gelf':
      return toGelf(event, ctx);
    case 'ocsf':
      return toOcsf(event, ctx);
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

export { toGelf, GELF_LEVEL, gelfFieldName } from './gelf.js';
export { toOcsf, OCSF_VERSION, OCSF_SEVERITY } from './ocsf.js';
