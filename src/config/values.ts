import path from 'node:path';
import { parseListen } from '../metrics/listen.js';
import type { Setting, ValueKind } from './model.js';

/** Where a value came from, which decides what it may be and how paths are read. */
export interface ValueContext {
  /** A configuration file: secrets must be references, relative paths are relative to `baseDir`. */
  file: boolean;
  baseDir?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BROKER = /^(\[[0-9a-fA-F:.]+\]|[^:\s,[\]]+):(\d{1,5})$/;

/** A human name of what a kind expects, for messages. */
export function describeKind(k: ValueKind): string {
  switch (k.t) {
    case 'string':
      return 'a non-empty string';
    case 'strings':
      return `a list of ${k.what}s`;
    case 'path':
      return 'a file path';
    case 'paths':
      return 'a list of file paths';
    case 'pem':
      return 'a PEM file: a path, file:PATH or env:NAME';
    case 'secret':
      return 'a secret reference: file:PATH or env:NAME';
    case 'int':
      return `a whole number from ${k.min} to ${k.max}${k.unit ? ` (${k.unit})` : ''}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${k.values.join(', ')}`;
    case 'enums':
      return `a list of ${k.values.join(', ')}`;
    case 'brokers':
      return 'a list of host:port';
    case 'listen':
      return 'host:port, [v6]:port or :port';
  }
}

function isList(k: ValueKind): boolean {
  return k.t === 'strings' || k.t === 'paths' || k.t === 'enums' || k.t === 'brokers';
}

export function isListKind(k: ValueKind): boolean {
  return isList(k);
}

function resolvePath(p: string, ctx: ValueContext): string {
  return ctx.file && ctx.baseDir && !path.isAbsolute(p) ? path.resolve(ctx.baseDir, p) : p;
}

/** A `file:PATH` / `env:NAME` reference, checked, with a relative file path made absolute. */
function reference(v: string, ctx: ValueContext): string | { error: string } {
  if (v.startsWith('env:')) {
    if (!ENV_NAME.test(v.slice(4))) return { error: `'${v}': '${v.slice(4)}' is not an environment variable name` };
    return v;
  }
  if (v.startsWith('file:')) {
    if (v.length === 5) return { error: "'file:' needs a path" };
    return `file:${resolvePath(v.slice(5), ctx)}`;
  }
  return { error: 'not a reference' };
}

/**
 * Check and normalise one element (a string, number or boolean, already of the kind's JS
 * type) of a setting's value. Returns the value or `{error}`.
 */
function element(s: Setting, v: unknown, ctx: ValueContext): unknown {
  const k = s.kind;
  switch (k.t) {
    case 'string':
    case 'strings': {
      if (typeof v !== 'string' || v.trim() === '') return { error: `must be ${describeKind(k)}` };
      if (k.t === 'strings' && /[\s,]/.test(v)) return { error: `'${v}' is not a valid ${k.what} (no spaces or commas)` };
      return v;
    }
    case 'path':
    case 'paths':
      if (typeof v !== 'string' || v === '') return { error: `must be ${describeKind(k)}` };
      return resolvePath(v, ctx);
    case 'pem': {
      if (typeof v !== 'string' || v === '') return { error: `must be ${describeKind(k)}` };
      if (v.includes('-----BEGIN')) return { error: 'give a path, file:PATH or env:NAME, not the PEM text itself' };
      if (v.startsWith('env:') || v.startsWith('file:')) {
        const r = reference(v, ctx);
        return r;
      }
      return resolvePath(v, ctx);
    }
    case 'secret': {
      if (typeof v !== 'string' || v === '') return { error: `must be ${describeKind(k)}` };
      if (v.startsWith('env:') || v.startsWith('file:')) return reference(v, ctx);
      if (ctx.file) return { error: 'a secret in the configuration file must be a reference (file:PATH or env:NAME), not the secret itself' };
      return v;
    }
    case 'int': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return { error: `${shown(v)} is not ${describeKind(k)}` };
      if (v < k.min || v > k.max) return { error: `${v} is out of range: must be ${describeKind(k)}` };
      return v;
    }
    case 'bool':
      if (typeof v !== 'boolean') return { error: `${shown(v)} is not true or false` };
      return v;
    case 'enum':
    case 'enums': {
      const text = typeof v === 'number' ? String(v) : v;
      if (typeof text !== 'string') return { error: `must be ${describeKind(k)}` };
      const t = (k.t === 'enum' && k.aliases?.[text]) || text;
      if (!k.values.includes(t)) return { error: `'${text}' is not ${k.t === 'enum' ? `one of ${k.values.join(', ')}` : `an event kind (${k.values.join(', ')})`}` };
      return t;
    }
    case 'brokers': {
      const m = typeof v === 'string' ? BROKER.exec(v.trim()) : null;
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return { error: `'${String(v)}' is not host:port` };
      return v as string;
    }
    case 'listen': {
      if (typeof v !== 'string') return { error: `must be ${describeKind(k)}` };
      const l = parseListen(v);
      return typeof l === 'string' ? { error: l } : v.trim();
    }
  }
}

/** A value as the user wrote it, for messages. */
function shown(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
}

function isError(x: unknown): x is { error: string } {
  return typeof x === 'object' && x !== null && 'error' in x;
}

/**
 * A setting's value from JS values as YAML gives them (scalars, arrays of scalars); `null`
 * is an explicit "unset", allowed for optional settings only.
 */
export function checkValue(s: Setting, v: unknown, ctx: ValueContext): { value: unknown } | { error: string; index?: number } {
  if (v === null) return s.optional ? { value: null } : { error: `must be ${describeKind(s.kind)} (it has no "unset")` };
  if (isList(s.kind)) {
    if (!Array.isArray(v)) return { error: `must be ${describeKind(s.kind)}, e.g. [${exampleOf(s.kind)}]` };
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const e = element(s, v[i], ctx);
      if (isError(e)) return { error: e.error, index: i };
      if (out.includes(e)) return { error: `'${String(v[i])}' is listed twice`, index: i };
      out.push(e);
    }
    return { value: out };
  }
  if (Array.isArray(v)) return { error: `must be ${describeKind(s.kind)}, not a list` };
  const e = element(s, v, ctx);
  return isError(e) ? e : { value: e };
}

function exampleOf(k: ValueKind): string {
  if (k.t === 'strings') return 'eth0';
  if (k.t === 'enums') return k.values.slice(0, 2).join(', ');
  if (k.t === 'brokers') return 'kafka1:9092';
  return '/etc/tlsscope/ca.pem';
}

/**
 * A setting's value from a string (an environment variable or a flag's argument): numbers
 * and booleans are parsed, lists are comma-separated. An empty string unsets an optional
 * setting and empties a list.
 */
export function valueFromText(s: Setting, text: string | string[], ctx: ValueContext): { value: unknown } | { error: string } {
  const k = s.kind;
  if (isList(k)) {
    const parts = (Array.isArray(text) ? text : [text]).flatMap((t) => (k.t === 'paths' && Array.isArray(text) ? [t] : t.split(','))).map((t) => t.trim()).filter((t) => t !== '');
    const r = checkValue(s, parts, ctx);
    return 'error' in r ? { error: r.error } : r;
  }
  const t = Array.isArray(text) ? text[text.length - 1] : text;
  if (t === '' && s.optional) return { value: null };
  let v: unknown = t;
  if (k.t === 'int') {
    v = /^-?\d+$/.test(t.trim()) ? Number(t.trim()) : NaN;
    if (Number.isNaN(v)) return { error: `'${t}' is not ${describeKind(k)}` };
  } else if (k.t === 'bool') {
    const b = BOOL_TEXT[t.trim().toLowerCase()];
    if (b === undefined) return { error: `'${t}' is not true or false` };
    v = b;
  }
  const r = checkValue(s, v, ctx);
  return 'error' in r ? { error: r.error } : r;
}

const BOOL_TEXT: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };
