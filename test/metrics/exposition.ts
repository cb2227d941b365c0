/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: it refuses
 * anything a scraper could misread (bad names, bad escapes, samples before their TYPE, a
 * family split in two, duplicate series, counters without _total).
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseValue(s: string, where: string): number {
  if (s === 'NaN') return NaN;
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (!FLOAT.test(s)) throw new Error(`${where}: '${s}' is not a sample value`);
  return Number(s);
}

function unescapeHelp(s: string, where: string): string {
  return s.replace(/\\(.)?/g, (_, c: string | undefined) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`${where}: bad escape in HELP`);
  });
}

/** Labels `{a="x",b="y"}` starting at s[i] === '{'; returns them and the index after '}'. */
function parseLabels(s: string, i: number, where: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  i++;
  for (;;) {
    if (s[i] === '}') return [labels, i + 1];
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without '='`);
    const name = s.slice(i, eq);
    if (!LABEL.test(name) || name.startsWith('__')) throw new Error(`${where}: bad label name '${name}'`);
    if (name in labels) throw new Error(`${where}: label '${name}' twice`);
    if (s[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let j = eq + 2;
    let v = '';
    for (;;) {
      const c = s[j];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === '\n') throw new Error(`${where}: raw line feed in a label value`);
      if (c === '"') break;
      if (c === '\\') {
        const e = s[j + 1];
        if (e === '\\') v += '\\';
        else if (e === '"') v += '"';
        else if (e === 'n') v += '\n';
        else throw new Error(`${where}: bad escape '\\${e}' in a label value`);
        j += 2;
        continue;
      }
      v += c;
      j++;
    }
    labels[name] = v;
    i = j + 1;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`${where}: expected ',' or '}' after a label`);
  }
}

/** Parse an exposition text; throws on the first violation, naming the line. */
export function parseExposition(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the text must end with a line feed');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: string | undefined;
  const lines = text.split('\n').slice(0, -1);
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const enter = (name: string, where: string): void => {
    if (current !== name) {
      if (current !== undefined) closed.add(current);
      if (closed.has(name)) throw new Error(`${where}: family ${name} is split`);
      current = name;
    }
  };
  lines.forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line === '') throw new Error(`${where}: empty line`);
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name '${name}'`);
      enter(name, where);
      const f = family(name);
      if (kind === 'HELP') {
        if (f.help !== '') throw new Error(`${where}: second HELP for ${name}`);
        f.help = unescapeHelp(rest, where);
        if (f.help === '') throw new Error(`${where}: empty HELP for ${name}`);
      } else {
        if (f.samples.length > 0) throw new Error(`${where}: TYPE of ${name} after its samples`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type '${rest}'`);
        if (f.type !== 'untyped') throw new Error(`${where}: second TYPE for ${name}`);
        f.type = rest;
        if (rest === 'counter' && !name.endsWith('_total')) throw new Error(`${where}: counter ${name} does not end in _total`);
      }
      return;
    }
    const nm = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nm) throw new Error(`${where}: bad sample line '${line}'`);
    const name = nm[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') [labels, i] = parseLabels(line, i, where);
    if (line[i] !== ' ') throw new Error(`${where}: expected a space before the value`);
    const parts = line.slice(i + 1).split(' ');
    if (parts.length > 2 || (parts.length === 2 && !/^-?\d+$/.test(parts[1]))) throw new Error(`${where}: bad value or timestamp '${line.slice(i + 1)}'`);
    const value = parseValue(parts[0], where);
    enter(name, where);
    const f = family(name);
    if (f.type === 'untyped' && !families.get(name)?.help) throw new Error(`${where}: sample of ${name} before its HELP/TYPE`);
    if (f.type === 'counter' && value < 0) throw new Error(`${where}: negative counter`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`${where}: duplicate series ${name}${JSON.stringify(labels)}`);
    series.add(key);
    f.samples.push({ name, labels, value });
  });
  return families;
}

/** The value of one series, undefined when absent. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.get(name);
  const want = JSON.stringify(Object.entries(labels).sort());
  return f?.samples.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}
