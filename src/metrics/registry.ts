/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text
 * exposition format 0.0.4 (`# HELP`, `# TYPE`, one sample a line, label values and help
 * text escaped). No dependency; values are set at scrape time by collect callbacks.
 */

export type MetricType = 'counter' | 'gauge';
export type Labels = Readonly<Record<string, string>>;

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value in the exposition format: backslash, double quote and line feed escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and line feed escaped. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value: integers as such, +Inf, -Inf, NaN. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

interface Series {
  labels: string[];
  value: number;
}

abstract class Metric {
  protected readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`metric name '${name}' is not valid`);
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new Error(`label name '${l}' of ${name} is not valid`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`${name}: duplicate label names`);
    if (labelNames.length === 0) this.series.set('', { labels: [], value: 0 });
  }

  private entry(labels: Labels | undefined): Series {
    const given = labels ?? {};
    const keys = Object.keys(given);
    if (keys.length !== this.labelNames.length || !keys.every((k) => this.labelNames.includes(k))) {
      throw new Error(`${this.name}: labels {${keys.join(',')}} given, {${this.labelNames.join(',')}} expected`);
    }
    const values = this.labelNames.map((l) => {
      const v = given[l];
      if (typeof v !== 'string') throw new Error(`${this.name}: label ${l} must be a string`);
      return v;
    });
    const key = values.length === 0 ? '' : JSON.stringify(values);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: values, value: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  protected add(labels: Labels | undefined, n: number): void {
    this.entry(labels).value += n;
  }

  protected put(labels: Labels | undefined, v: number): void {
    this.entry(labels).value = v;
  }

  /** The current value of one series (0 when it does not exist yet). */
  get(labels?: Labels): number {
    return this.entry(labels).value;
  }

  /** Forget every labelled series (an unlabelled metric goes back to 0). */
  reset(): void {
    this.series.clear();
    if (this.labelNames.length === 0) this.series.set('', { labels: [], value: 0 });
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`);
    out.push(`# TYPE ${this.name} ${this.type}`);
    for (const s of this.series.values()) {
      const labels = s.labels.length > 0 ? `{${this.labelNames.map((l, i) => `${l}="${escapeLabelValue(s.labels[i])}"`).join(',')}}` : '';
      out.push(`${this.name}${labels} ${formatValue(s.value)}`);
    }
  }
}

/** A running total. `set` mirrors a total kept elsewhere (the sensor's counters). */
export class Counter extends Metric {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, 'counter', labelNames);
  }

  inc(labels?: Labels, n = 1): void {
    if (!(n >= 0)) throw new Error(`${this.name}: a counter only goes up (inc by ${n})`);
    this.add(labels, n);
  }

  set(labels: Labels | undefined, total: number): void {
    this.put(labels, total);
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, 'gauge', labelNames);
  }

  set(labels: Labels | undefined, v: number): void {
    this.put(labels, v);
  }

  inc(labels?: Labels, n = 1): void {
    this.add(labels, n);
  }

  dec(labels?: Labels, n = 1): void {
    this.add(labels, -n);
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: (() => void)[] = [];

  private register<M extends Metric>(make: () => M, name: string, type: MetricType, labelNames: readonly string[]): M {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type || existing.labelNames.join() !== labelNames.join()) {
        throw new Error(`metric ${name} is already registered as a ${existing.type} with labels {${existing.labelNames.join(',')}}`);
      }
      return existing as M;
    }
    const m = make();
    this.metrics.set(name, m);
    return m;
  }

  /** The counter of that name, created on first use (same type and labels required after). */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    return this.register(() => new Counter(name, help, labelNames), name, 'counter', labelNames);
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(() => new Gauge(name, help, labelNames), name, 'gauge', labelNames);
  }

  /** Run before every render: set values from their sources. */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  get(name: string): Counter | Gauge | undefined {
    return this.metrics.get(name) as Counter | Gauge | undefined;
  }

  /** The exposition text: collectors run first, then every metric in registration order. */
  render(): string {
    for (const c of this.collectors) c();
    const out: string[] = [];
    for (const m of this.metrics.values()) m.render(out);
    return out.length > 0 ? out.join('\n') + '\n' : '';
  }
}
