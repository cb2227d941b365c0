import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';

const unitPath = path.join(repoRoot, 'docs/tlsscope.service');
const text = readFileSync(unitPath, 'utf8');

/** Directives by section, values of repeated directives in order. */
function parseUnit(t: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of t.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) {
      current = new Map();
      sections.set(s[1], current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`tlsscope.service: cannot parse '${line}'`);
    current.set(kv[1], [...(current.get(kv[1]) ?? []), kv[2]]);
  }
  return sections;
}

const unit = parseUnit(text);
const service = unit.get('Service')!;
const one = (k: string): string | undefined => service.get(k)?.at(-1);

/** The unit with its ExecStart binary pointed at one that exists here (verify checks it). */
function verifiable(body = text): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-unit-'));
  const f = path.join(dir, 'tlsscope.service');
  writeFileSync(f, body.replaceAll('/usr/local/bin/tlsscope', process.execPath));
  return f;
}

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const haveAnalyze = analyze.error === undefined && analyze.status === 0;

describe('docs/tlsscope.service', () => {
  it('has the sections and the commands: start, config check first, reload by SIGHUP, restart on failure', () => {
    expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(one('ExecStart')).toBe('/usr/local/bin/tlsscope live --config /etc/tlsscope/tlsscope.yaml');
    expect(one('ExecStartPre')).toBe('/usr/local/bin/tlsscope config check --env /etc/tlsscope/tlsscope.yaml');
    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(one('Restart')).toBe('on-failure');
    expect(unit.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('is hardened: a transient user with only the capture capabilities, a read-only system, restricted sockets and system calls', () => {
    const want: Record<string, string> = {
      DynamicUser: 'yes',
      AmbientCapabilities: 'CAP_NET_RAW CAP_NET_ADMIN',
      CapabilityBoundingSet: 'CAP_NET_RAW CAP_NET_ADMIN',
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      StateDirectory: 'tlsscope',
      ReadWritePaths: '/var/lib/tlsscope /var/log/tlsscope',
      RestrictAddressFamilies: 'AF_PACKET AF_INET AF_INET6 AF_UNIX AF_NETLINK',
      SystemCallFilter: '@system-service',
      SystemCallArchitectures: 'native',
      RestrictNamespaces: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectControlGroups: 'yes',
      MemoryMax: '2G',
    };
    for (const [k, v] of Object.entries(want)) expect(one(k), k).toBe(v);
    // what would break capture on the host's interfaces, or V8
    for (const k of ['PrivateNetwork', 'PrivateUsers', 'MemoryDenyWriteExecute', 'User=root']) expect(service.has(k), k).toBe(false);
    // the spool is where live puts it by default, and the configuration's example too
    expect(readFileSync(path.join(repoRoot, 'docs/tlsscope.example.yaml'), 'utf8')).toContain('dir: /var/lib/tlsscope/spool');
  });

  it.skipIf(!haveAnalyze)('passes systemd-analyze verify without a word', () => {
    const r = spawnSync('systemd-analyze', ['verify', verifiable()], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!haveAnalyze)('(and verify does catch mistakes: a misspelt directive, a bad address family)', () => {
    const broken = text.replace('ProtectHome=yes', 'ProtectHome=yes\nProtectHomee=yes\nRestrictAddressFamilies=AF_BOGUS');
    const r = spawnSync('systemd-analyze', ['verify', verifiable(broken)], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/Unknown key 'ProtectHomee'/);
    expect(r.stderr).toMatch(/AF_BOGUS/);
  });

  it.skipIf(!haveAnalyze)('scores at most 3.0 in systemd-analyze security (exposure, offline)', () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--threshold=30', '--no-pager', verifiable()], { encoding: 'utf8' });
    const m = /Overall exposure level for tlsscope\.service: (\d+\.\d)/.exec(r.stdout + r.stderr);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(3.0);
    expect(r.status).toBe(0);
  });
});
