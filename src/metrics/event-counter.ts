import type { EventTotals } from './sources.js';

/**
 * Counts the events the sensor emits, by `event.dataset`, and findings by id and severity
 * (from the `tlsscope.finding` events, after the policy re-graded them). Put it in front of
 * the sinks: `const write = counter.wrap((ev) => sink.write(ev))`.
 */
export class EventCounter implements EventTotals {
  readonly byDataset: Record<string, number> = {};
  readonly findings: Record<string, Record<string, number>> = {};

  count(event: Record<string, unknown>): void {
    const dataset = (event.event as { dataset?: unknown } | undefined)?.dataset;
    const ds = typeof dataset === 'string' ? dataset : 'unknown';
    this.byDataset[ds] = (this.byDataset[ds] ?? 0) + 1;
    if (ds !== 'tlsscope.finding') return;
    const f = (event.tlsscope as { finding?: { id?: unknown; severity?: unknown } } | undefined)?.finding;
    const id = typeof f?.id === 'string' ? f.id : 'unknown';
    const sev = typeof f?.severity === 'string' ? f.severity : 'unknown';
    const byId = (this.findings[id] ??= {});
    byId[sev] = (byId[sev] ?? 0) + 1;
  }

  /** The same writer, counting each event first. */
  wrap<E extends Record<string, unknown>, R>(write: (event: E) => R): (event: E) => R {
    return (event) => {
      this.count(event);
      return write(event);
    };
  }
}
