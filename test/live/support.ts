/**
 * Live-capture test support: preflight (root, ip netns, tools, a current build), network
 * namespaces joined by a veth pair with private addresses, and bounded child processes that
 * are all killed, and the namespaces deleted, in `cleanup()` (afterAll) and at exit.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths.js';

export const cli = path.join(repoRoot, 'dist/src/cli/main.js');
export const liveTestDir = path.join(repoRoot, 'scripts/live-test');

/** Throws one clear message when the live tests cannot run here (they never skip). */
export function preflight(tools: string[] = []): void {
  if (process.getuid?.() !== 0) throw new Error('test/live needs root (network namespaces, packet capture): run the tests as root');
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) throw new Error(`test/live needs 'ip netns' (iproute2): ${r.error?.message ?? r.stderr.trim()}`);
  for (const t of ['ethtool', 'timeout', ...tools]) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) throw new Error(`test/live needs '${t}' (scripts/install-deps.sh installs it)`);
  }
  // The tests run the built CLI: it must be there and not older than the sources it tests.
  const pairs = [
    ['src/cli/live.ts', 'dist/src/cli/live.js'],
    ['src/cli/main.ts', 'dist/src/cli/main.js'],
    ['src/sensor.ts', 'dist/src/sensor.js'],
    ['src/source/live-pcap.ts', 'dist/src/source/live-pcap.js'],
    ['src/source/live-source.ts', 'dist/src/source/live-source.js'],
    ['src/source/live-clock.ts', 'dist/src/source/live-clock.js'],
  ];
  for (const [src, out] of pairs) {
    const o = path.join(repoRoot, out);
    if (!existsSync(o)) throw new Error(`${out} is missing: build first (npm run build)`);
    if (statSync(path.join(repoRoot, src)).mtimeMs > statSync(o).mtimeMs) throw new Error(`${out} is older than ${src}: build first (npm run build)`);
  }
  if (!existsSync(path.join(repoRoot, 'node_modules/pcap/build/Release/pcap_binding.node'))) {
    throw new Error("the 'pcap' module is not built (needs libpcap-dev): npm rebuild pcap");
  }
}

export interface Ns {
  name: string;
  ifname: string;
  ip: string;
}

export interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/**
 * Two namespaces, client and server, joined by one veth pair (10.97.<n>.1 and .2): nothing
 * but the test's own traffic crosses it (IPv6 is off, offloads are off so the capture sees
 * the frames as sent).
 */
export class NetPair {
  readonly client: Ns;
  readonly server: Ns;
  private readonly procs = new Set<ChildProcess>();
  private destroyed = false;

  constructor(tag: string, subnet: number) {
    const id = `${tag}${process.pid}`;
    this.client = { name: `tlsscope-lv-${id}-c`, ifname: `lv${id}c`.slice(0, 15), ip: `10.97.${subnet}.1` };
    this.server = { name: `tlsscope-lv-${id}-s`, ifname: `lv${id}s`.slice(0, 15), ip: `10.97.${subnet}.2` };
    process.once('exit', () => this.cleanup());
  }

  setup(): void {
    sweepStale();
    const ip = (...a: string[]): void => {
      execFileSync('ip', a, { stdio: 'pipe', timeout: 10_000 });
    };
    const { client: c, server: s } = this;
    ip('netns', 'add', c.name);
    ip('netns', 'add', s.name);
    for (const ns of [c, s]) {
      execFileSync('ip', ['netns', 'exec', ns.name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'], { stdio: 'pipe', timeout: 10_000 });
    }
    ip('link', 'add', c.ifname, 'netns', c.name, 'type', 'veth', 'peer', 'name', s.ifname, 'netns', s.name);
    for (const ns of [c, s]) {
      ip('-n', ns.name, 'addr', 'add', `${ns.ip}/24`, 'dev', ns.ifname);
      execFileSync('ip', ['netns', 'exec', ns.name, 'ethtool', '-K', ns.ifname, 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off'], { stdio: 'pipe', timeout: 10_000 });
      ip('-n', ns.name, 'link', 'set', 'lo', 'up');
      ip('-n', ns.name, 'link', 'set', ns.ifname, 'up');
    }
    waitUp([c, s]);
  }

  /**
   * A second veth pair between the same namespaces (10.97.<subnet>.1 and .2), for captures on
   * several interfaces; returns the client and server ends.
   */
  addLink(suffix: string, subnet: number): { client: Ns; server: Ns } {
    const c: Ns = { name: this.client.name, ifname: `${this.client.ifname}${suffix}`.slice(0, 15), ip: `10.97.${subnet}.1` };
    const s: Ns = { name: this.server.name, ifname: `${this.server.ifname}${suffix}`.slice(0, 15), ip: `10.97.${subnet}.2` };
    const ip = (...a: string[]): void => {
      execFileSync('ip', a, { stdio: 'pipe', timeout: 10_000 });
    };
    ip('link', 'add', c.ifname, 'netns', c.name, 'type', 'veth', 'peer', 'name', s.ifname, 'netns', s.name);
    for (const ns of [c, s]) {
      ip('-n', ns.name, 'addr', 'add', `${ns.ip}/24`, 'dev', ns.ifname);
      execFileSync('ip', ['netns', 'exec', ns.name, 'ethtool', '-K', ns.ifname, 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off'], { stdio: 'pipe', timeout: 10_000 });
      ip('-n', ns.name, 'link', 'set', ns.ifname, 'up');
    }
    waitUp([c, s]);
    return { client: c, server: s };
  }

  /** Start `cmd` in a namespace, killed (SIGKILL) after `timeoutMs` whatever happens. */
  start(ns: Ns, cmd: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Run {
    const proc = spawn('ip', ['netns', 'exec', ns.name, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      env: env ?? process.env,
    });
    this.procs.add(proc);
    let out = '';
    let err = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | string>((resolve) => {
      proc.on('close', (code, signal) => {
        this.procs.delete(proc);
        resolve(code ?? signal ?? 'unknown');
      });
      proc.on('error', (e) => {
        this.procs.delete(proc);
        err += String(e);
        resolve('spawn-error');
      });
    });
    return { proc, stdout: () => out, stderr: () => err, exited };
  }

  /** Run `cmd` in a namespace to its end (bounded); stdin from `input`. */
  run(ns: Ns, cmd: string, args: string[], timeoutMs: number, input?: string): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', ns.name, cmd, ...args], { input, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
    return { code: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
  }

  /** Kill every process we started (by its pid), then delete both namespaces. */
  cleanup(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const p of this.procs) {
      try {
        p.kill('SIGKILL');
      } catch {
        // gone already
      }
    }
    for (const ns of [this.client, this.server]) {
      // processes still inside (grandchildren) would keep the namespace's interfaces alive
      const pids = spawnSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';
      for (const pid of pids.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone already
        }
      }
      spawnSync('ip', ['netns', 'del', ns.name], { timeout: 10_000 });
    }
  }
}

function waitUp(ends: Ns[]): void {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (ends.every((ns) => /state UP/.test(execFileSync('ip', ['-n', ns.name, 'link', 'show', ns.ifname], { encoding: 'utf8' })))) return;
    spawnSync('sleep', ['0.05']);
  }
  throw new Error('the veth pair did not come up');
}

/** Namespaces an earlier, killed run of these tests left behind (its pid is in the name). */
function sweepStale(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  for (const line of list.split('\n')) {
    const m = /^(tlsscope-lv-[a-z](\d+)-[cs])\b/.exec(line);
    if (!m) continue;
    try {
      process.kill(Number(m[2]), 0);
      continue; // its test run is still going
    } catch {
      // the run is gone
    }
    const pids = spawnSync('ip', ['netns', 'pids', m[1]], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    spawnSync('ip', ['netns', 'del', m[1]], { timeout: 10_000 });
  }
}

/** Wait until `cond()` holds, polling; throws with `what` after `ms`. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The pino lines of a tlsscope stderr, parsed (other lines are skipped). */
export function logLines(stderr: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const l of stderr.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l));
    } catch {
      // a partial line
    }
  }
  return out;
}
