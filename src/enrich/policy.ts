import { readFileSync } from 'node:fs';
import { lineCounter, parseDocument, isMap, isSeq, isScalar, type LineCounter, type Node, type YAMLMap } from '../util/yaml.js';
import { cidrContains, parseCidr, addressBytes, type Cidr } from './cidr.js';
import { FINDING_IDS, SEVERITIES, type FindingId, type Severity } from './finding-catalog.js';
import { globToRegExp } from './glob.js';

/** A service that must authenticate its clients with certificates. */
export interface MtlsService {
  name: string;
  cidrs: Cidr[];
  ports: number[];
  sni: RegExp[];
}

/** An exception: this finding is not raised where the selectors match. */
export interface Allow {
  finding: FindingId | '*';
  cidrs: Cidr[];
  ports: number[];
  sni: RegExp[];
  issuer: RegExp[];
  subject: RegExp[];
}

export interface Policy {
  expiringSoonDays: number;
  requireMtls: MtlsService[];
  disabled: Set<FindingId>;
  severity: Map<FindingId, Severity>;
  allow: Allow[];
}

export const DEFAULT_POLICY: Policy = {
  expiringSoonDays: 30,
  requireMtls: [],
  disabled: new Set(),
  severity: new Map(),
  allow: [],
};

/** A policy file that does not say what it must; the message names the file and line. */
export class PolicyError extends Error {}

/** What a connection looks like to the policy's selectors. */
export interface PolicySubject {
  serverIp: string;
  serverPort: number;
  sni?: string;
}

class Reader {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  fail(node: Node | null | undefined, msg: string): never {
    const at = node?.range ? this.lines.linePos(node.range[0]) : undefined;
    throw new PolicyError(`${this.file}${at ? `:${at.line}:${at.col}` : ''}: ${msg}`);
  }

  map(node: Node | null | undefined, what: string, keys: string[]): YAMLMap {
    if (!isMap(node)) this.fail(node, `${what} must be a mapping`);
    for (const item of node.items) {
      const k = isScalar(item.key) ? String(item.key.value) : '';
      if (!keys.includes(k)) this.fail(item.key as Node, `unknown key '${k}' in ${what} (expected one of: ${keys.join(', ')})`);
    }
    return node;
  }

  list(node: Node | null | undefined, what: string): Node[] {
    if (node === undefined || node === null) return [];
    if (!isSeq(node)) this.fail(node, `${what} must be a list`);
    return node.items as Node[];
  }

  string(node: Node | null | undefined, what: string): string {
    if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') this.fail(node, `${what} must be a non-empty string`);
    return node.value;
  }

  finding(node: Node | null | undefined, what: string, wildcard = false): FindingId | '*' {
    const v = this.string(node, what);
    if (wildcard && v === '*') return '*';
    if (!(FINDING_IDS as readonly string[]).includes(v)) this.fail(node, `unknown finding id '${v}' in ${what} (known: ${FINDING_IDS.join(', ')})`);
    return v as FindingId;
  }

  cidrs(node: Node | null | undefined, what: string): Cidr[] {
    return this.list(node, what).map((n) => {
      const s = this.string(n, what);
      const c = parseCidr(s);
      if (!c) this.fail(n, `'${s}' in ${what} is not an IP address or CIDR block`);
      return c;
    });
  }

  ports(node: Node | null | undefined, what: string): number[] {
    return this.list(node, what).map((n) => {
      const v = isScalar(n) ? n.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) this.fail(n, `${what} entries must be port numbers (1-65535)`);
      return v;
    });
  }

  globs(node: Node | null | undefined, what: string): RegExp[] {
    return this.list(node, what).map((n) => globToRegExp(this.string(n, what)));
  }
}

/** Parse and check a policy; every mistake is a PolicyError naming `file:line:col`. */
export function parsePolicy(text: string, file = 'policy'): Policy {
  const lines = lineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = lines.linePos(e.pos[0]);
    throw new PolicyError(`${file}:${at.line}:${at.col}: ${e.message.split('\n')[0]}`);
  }
  const r = new Reader(file, lines);
  if (doc.contents === null) return { ...DEFAULT_POLICY, disabled: new Set(), severity: new Map() };
  const top = r.map(doc.contents as Node, 'the policy', ['expiring_soon_days', 'require_mtls', 'findings', 'allow']);
  const policy: Policy = { expiringSoonDays: 30, requireMtls: [], disabled: new Set(), severity: new Map(), allow: [] };

  const days = top.get('expiring_soon_days', true) as Node | undefined;
  if (days !== undefined) {
    const v = isScalar(days) ? days.value : undefined;
    if (typeof v !== 'number' || !(v >= 0)) r.fail(days, 'expiring_soon_days must be a number of days (0 or more)');
    policy.expiringSoonDays = v as number;
  }

  for (const svc of r.list(top.get('require_mtls', true) as Node, 'require_mtls')) {
    const m = r.map(svc, 'a require_mtls entry', ['name', 'cidrs', 'ports', 'sni']);
    const entry: MtlsService = {
      name: m.has('name') ? r.string(m.get('name', true) as Node, 'name') : 'mtls',
      cidrs: r.cidrs(m.get('cidrs', true) as Node, 'cidrs'),
      ports: r.ports(m.get('ports', true) as Node, 'ports'),
      sni: r.globs(m.get('sni', true) as Node, 'sni'),
    };
    if (entry.cidrs.length === 0 && entry.ports.length === 0 && entry.sni.length === 0) {
      r.fail(svc, 'a require_mtls entry needs at least one of cidrs, ports, sni');
    }
    policy.requireMtls.push(entry);
  }

  const findings = top.get('findings', true) as Node | undefined;
  if (findings !== undefined) {
    const f = r.map(findings, 'findings', ['disable', 'severity']);
    for (const n of r.list(f.get('disable', true) as Node, 'findings.disable')) policy.disabled.add(r.finding(n, 'findings.disable') as FindingId);
    const sev = f.get('severity', true) as Node | undefined;
    if (sev !== undefined) {
      if (!isMap(sev)) r.fail(sev, 'findings.severity must be a mapping of finding id to severity');
      for (const item of (sev as YAMLMap).items) {
        const id = r.finding(item.key as Node, 'findings.severity') as FindingId;
        const level = r.string(item.value as Node, `findings.severity.${id}`);
        if (!(SEVERITIES as readonly string[]).includes(level)) r.fail(item.value as Node, `severity '${level}' is not one of ${SEVERITIES.join(', ')}`);
        policy.severity.set(id, level as Severity);
      }
    }
  }

  for (const a of r.list(top.get('allow', true) as Node, 'allow')) {
    const m = r.map(a, 'an allow entry', ['finding', 'cidrs', 'ports', 'sni', 'issuer', 'subject']);
    if (!m.has('finding')) r.fail(a, "an allow entry needs 'finding' (an id, or '*')");
    policy.allow.push({
      finding: r.finding(m.get('finding', true) as Node, 'allow.finding', true),
      cidrs: r.cidrs(m.get('cidrs', true) as Node, 'cidrs'),
      ports: r.ports(m.get('ports', true) as Node, 'ports'),
      sni: r.globs(m.get('sni', true) as Node, 'sni'),
      issuer: r.globs(m.get('issuer', true) as Node, 'issuer'),
      subject: r.globs(m.get('subject', true) as Node, 'subject'),
    });
  }
  return policy;
}

export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parsePolicy(text, file);
}

function selectorsMatch(cidrs: Cidr[], ports: number[], sni: RegExp[], s: PolicySubject): boolean {
  if (cidrs.length > 0) {
    const ip = addressBytes(s.serverIp);
    if (!ip || !cidrs.some((c) => cidrContains(c, ip))) return false;
  }
  if (ports.length > 0 && !ports.includes(s.serverPort)) return false;
  if (sni.length > 0 && (s.sni === undefined || !sni.some((g) => g.test(s.sni!)))) return false;
  return true;
}

/** The mTLS-required service this connection belongs to, if any. */
export function mtlsServiceFor(policy: Policy, s: PolicySubject): MtlsService | undefined {
  return policy.requireMtls.find((m) => selectorsMatch(m.cidrs, m.ports, m.sni, s));
}

/** Whether an allow entry exempts this finding here (issuer/subject: of the certificate concerned). */
export function isAllowed(policy: Policy, id: FindingId, s: PolicySubject, cert?: { issuer?: string; subject?: string }): boolean {
  return policy.allow.some(
    (a) =>
      (a.finding === '*' || a.finding === id) &&
      selectorsMatch(a.cidrs, a.ports, a.sni, s) &&
      (a.issuer.length === 0 || (cert?.issuer !== undefined && a.issuer.some((g) => g.test(cert.issuer!)))) &&
      (a.subject.length === 0 || (cert?.subject !== undefined && a.subject.some((g) => g.test(cert.subject!)))),
  );
}
