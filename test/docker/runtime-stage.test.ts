import { execFile, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, startMetricsServer, type HealthStatus } from '../../src/metrics/index.js';
import { repoRoot } from '../support/paths.js';
import { commandsOf, dockerfile, execForm, stagesOf } from './dockerfile.js';

/**
 * No Docker engine runs here, so the runtime stage's steps are replayed on this machine:
 * its groupadd/useradd (with a throw-away name and ids, removed afterwards), its setcap on a
 * copy of this node binary, then — as that user, under the capability bounding sets Docker
 * gives — its ENTRYPOINT and HEALTHCHECK, and a real capture: an AF_PACKET socket and a
 * libpcap handle (promiscuous) opened from inside the copied node by a tiny addon.
 */

const tools = ['setcap', 'getcap', 'setpriv', 'useradd', 'groupadd', 'userdel', 'groupdel', 'getent'];
const have = (t: string): boolean => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0;
const isRoot = process.getuid?.() === 0;
const missing = tools.filter((t) => !have(t));
const canRun = isRoot && missing.length === 0 && process.platform === 'linux';

/** Docker's default capability set (moby's defaults), as setpriv bounding-set arguments. */
const DOCKER_DEFAULT = ['chown', 'dac_override', 'fsetid', 'fowner', 'mknod', 'net_raw', 'setgid', 'setuid', 'setfcap', 'setpcap', 'net_bind_service', 'sys_chroot', 'kill', 'audit_write'];
const bounding = (caps: string[]): string => `--bounding-set=-all${caps.map((c) => `,+${c}`).join('')}`;

const CAP_NET_ADMIN = 12n;
const CAP_NET_RAW = 13n;

// The runtime stage, as the Dockerfile says it.
const stages = stagesOf(dockerfile());
const runtime = stages[stages.length - 1];
const runs = runtime.instructions.filter((i) => i.op === 'RUN').flatMap((r) => commandsOf(r.args));
const fileCaps = runtime.instructions.find((i) => i.op === 'ARG' && i.args.startsWith('TLSSCOPE_FILE_CAPS='))!.args.split('=')[1];
const [imageUid, imageGid] = runtime.instructions.filter((i) => i.op === 'USER').pop()!.args.split(':');
const entrypoint = execForm(runtime.instructions.find((i) => i.op === 'ENTRYPOINT')!.args)!;
const healthcheck = execForm(/CMD (.*)$/.exec(runtime.instructions.find((i) => i.op === 'HEALTHCHECK')!.args)![1])!;

const PROBE_C = String.raw`
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <dlfcn.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

/* N-API, declared here: node resolves these when it loads the addon (no headers needed). */
typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);
extern napi_status napi_create_string_utf8(napi_env, const char *, size_t, napi_value *);
extern napi_status napi_create_function(napi_env, const char *, size_t, napi_callback, void *, napi_value *);
extern napi_status napi_set_named_property(napi_env, napi_value, const char *, napi_value);
extern napi_status napi_get_cb_info(napi_env, napi_callback_info, size_t *, napi_value *, napi_value *, void **);
extern napi_status napi_get_value_string_utf8(napi_env, napi_value, char *, size_t, size_t *);

/* check(ifname): open an AF_PACKET raw socket, then a promiscuous libpcap capture on ifname. */
static napi_value check(napi_env env, napi_callback_info info) {
  size_t argc = 1, n = 0;
  napi_value argv[1];
  char ifname[64] = "lo", out[1024];
  int len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1) napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &n);
  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd >= 0) { len += snprintf(out + len, sizeof out - len, "packet_socket=ok"); close(fd); }
  else len += snprintf(out + len, sizeof out - len, "packet_socket=%s", strerror(errno));
  void *lib = dlopen("libpcap.so.0.8", RTLD_NOW);
  if (!lib) {
    len += snprintf(out + len, sizeof out - len, " pcap=unavailable");
  } else {
    void *(*create)(const char *, char *) = (void *(*)(const char *, char *))dlsym(lib, "pcap_create");
    int (*promisc)(void *, int) = (int (*)(void *, int))dlsym(lib, "pcap_set_promisc");
    int (*activate)(void *) = (int (*)(void *))dlsym(lib, "pcap_activate");
    char *(*geterr)(void *) = (char *(*)(void *))dlsym(lib, "pcap_geterr");
    void (*pclose)(void *) = (void (*)(void *))dlsym(lib, "pcap_close");
    char errbuf[512] = "";
    void *p = create(ifname, errbuf);
    if (!p) len += snprintf(out + len, sizeof out - len, " pcap=%s", errbuf);
    else {
      promisc(p, 1);
      int rc = activate(p);
      if (rc >= 0) len += snprintf(out + len, sizeof out - len, " pcap=ok");
      else len += snprintf(out + len, sizeof out - len, " pcap=%d %s", rc, geterr(p));
      pclose(p);
    }
  }
  napi_value r;
  napi_create_string_utf8(env, out, (size_t)len, &r);
  return r;
}

__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "check", 5, check, NULL, &fn);
  napi_set_named_property(env, exports, "check", fn);
  return exports;
}
`;

describe.skipIf(!canRun)(`the runtime stage's steps, replayed here (as root${missing.length ? `; missing: ${missing.join(', ')}` : ''})`, () => {
  const tag = `${process.pid}`.slice(-5);
  const user = `tlsscope-t${tag}`;
  let uid = 0;
  let gid = 0;
  let dir = '';
  let node = '';
  let app = repoRoot;
  let probe: string | undefined;

  /** Run argv as the image's user (a copy of it), under a capability bounding set. */
  const asUser = (caps: string[] | 'all', argv: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
    spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=-all', ...(caps === 'all' ? [] : [bounding(caps)]), ...argv], {
      encoding: 'utf8',
      timeout: 30_000,
      cwd: dir,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env },
    });

  const capsOf = (r: SpawnSyncReturns<string>): bigint => BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(r.stdout)?.[1] ?? '0'}`);
  const PRINT_CAPS = ['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/status','utf8'))"];
  const probeArgs = (ifname = 'lo'): string[] => ['-e', `const m={exports:{}};process.dlopen(m,${JSON.stringify(probe)});process.stdout.write(m.exports.check(${JSON.stringify(ifname)}))`];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tlsscope-runtime-'));
    chmodSync(dir, 0o755);
    // a free uid/gid pair, like 10001 in the image but not taken here
    for (uid = 61000 + (process.pid % 3000); spawnSync('getent', ['passwd', String(uid)]).status === 0 || spawnSync('getent', ['group', String(uid)]).status === 0; uid++);
    gid = uid;
    // the Dockerfile's own groupadd/useradd, with the throw-away name and ids
    const accounts = runs.filter((c) => /^(groupadd|useradd) /.test(c));
    expect(accounts).toHaveLength(2);
    for (const c of accounts) {
      const cmd = c.replaceAll(imageUid, String(uid)).replaceAll(imageGid, String(gid)).replace(/ tlsscope$/, ` ${user}`);
      const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
      expect(r.status, `${cmd}: ${r.stderr}`).toBe(0);
    }
    // its state directories, under this directory
    for (const c of runs.filter((x) => x.startsWith('install -d '))) {
      const cmd = c.replaceAll(imageUid, String(uid)).replaceAll(imageGid, String(gid)).replaceAll(' /var/lib/', ` ${dir}/var/lib/`);
      const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
      expect(r.status, `${cmd}: ${r.stderr}`).toBe(0);
    }
    // the Dockerfile's setcap, on a copy of this node binary
    mkdirSync(path.join(dir, 'bin'));
    node = path.join(dir, 'bin/node');
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
    const setcap = runs.find((c) => c.startsWith('setcap '))!;
    const r = spawnSync('sh', ['-c', setcap.replace('/usr/local/bin/node', node)], { encoding: 'utf8', env: { ...process.env, TLSSCOPE_FILE_CAPS: fileCaps } });
    expect(r.status, r.stderr).toBe(0);
    // /app: the repository itself when the user can read it, else a copy of what the image holds
    if (asUser('all', ['test', '-r', path.join(repoRoot, 'dist/src/cli/main.js')]).status !== 0) {
      app = path.join(dir, 'app');
      for (const p of ['dist', 'node_modules', 'package.json']) cpSync(path.join(repoRoot, p), path.join(app, p), { recursive: true });
      spawnSync('chmod', ['-R', 'a+rX', app]);
    }
    // the capture probe (skipped where there is no C compiler)
    if (have('cc')) {
      writeFileSync(path.join(dir, 'probe.c'), PROBE_C);
      const cc = spawnSync('cc', ['-shared', '-fPIC', '-O1', '-o', path.join(dir, 'probe.node'), path.join(dir, 'probe.c'), '-ldl'], { encoding: 'utf8' });
      if (cc.status === 0) probe = path.join(dir, 'probe.node');
      else console.warn(`probe not built: ${cc.stderr}`);
    }
  });

  afterAll(() => {
    if (uid !== 0) {
      spawnSync('userdel', [user]);
      spawnSync('groupdel', [user]);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('setcap gives the copied node exactly the capabilities of the ARG', () => {
    expect(fileCaps).toBe('cap_net_raw+ep');
    const r = spawnSync('getcap', [node], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(`${node} cap_net_raw=ep`);
    const id = spawnSync('id', [user], { encoding: 'utf8' });
    expect(id.stdout).toContain(`uid=${uid}(${user}) gid=${gid}(${user})`);
  });

  it('as the non-root user, with Docker default capabilities, the process has CAP_NET_RAW and nothing else', () => {
    const r = asUser(DOCKER_DEFAULT, [node, ...PRINT_CAPS]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Uid:\\s+${uid}\\s`));
    expect(capsOf(r)).toBe(1n << CAP_NET_RAW);
    // the same user with the plain node binary has none
    const plain = asUser(DOCKER_DEFAULT, [process.execPath, ...PRINT_CAPS]);
    expect(capsOf(plain)).toBe(0n);
  });

  it.skipIf(!have('cc'))('opens a raw packet socket and a promiscuous libpcap capture on lo, which the plain binary cannot', () => {
    expect(probe).toBeDefined();
    const r = asUser(DOCKER_DEFAULT, [node, ...probeArgs()]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^packet_socket=ok pcap=(ok|unavailable)$/);
    if (existsSync('/usr/lib/x86_64-linux-gnu/libpcap.so.0.8') || existsSync('/usr/lib/aarch64-linux-gnu/libpcap.so.0.8')) expect(r.stdout).toBe('packet_socket=ok pcap=ok');
    const plain = asUser(DOCKER_DEFAULT, [process.execPath, ...probeArgs()]);
    expect(plain.stdout).toMatch(/^packet_socket=Operation not permitted pcap=(-8 .*not permitted.*|unavailable)$/i);
  });

  it('works with --cap-drop ALL --cap-add NET_RAW, and refuses to start without NET_RAW', () => {
    const r = asUser(['net_raw'], [node, ...(probe ? probeArgs() : PRINT_CAPS)]);
    expect(r.status, r.stderr).toBe(0);
    if (probe) expect(r.stdout).toMatch(/^packet_socket=ok/);
    // --cap-drop ALL alone: the kernel will not exec a binary whose file capabilities exceed the bounding set
    const none = asUser([], [node, '-e', '0']);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/Operation not permitted/);
  });

  it('with cap_net_admin in the file capabilities too, starting needs --cap-add NET_ADMIN (why the image leaves it out)', () => {
    const both = path.join(dir, 'bin/node-admin');
    copyFileSync(process.execPath, both);
    chmodSync(both, 0o755);
    expect(spawnSync('setcap', ['cap_net_raw,cap_net_admin+ep', both]).status).toBe(0);
    const plainDocker = asUser(DOCKER_DEFAULT, [both, '-e', '0']);
    expect(plainDocker.status).not.toBe(0);
    expect(plainDocker.stderr).toMatch(/Operation not permitted/);
    const withAdmin = asUser([...DOCKER_DEFAULT, 'net_admin'], [both, ...PRINT_CAPS]);
    expect(withAdmin.status, withAdmin.stderr).toBe(0);
    expect(capsOf(withAdmin)).toBe((1n << CAP_NET_RAW) | (1n << CAP_NET_ADMIN));
  });

  it('the file capabilities make node ignore NODE_OPTIONS (secure-execution mode): node flags go on the command line', () => {
    const r = asUser(DOCKER_DEFAULT, [node, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit / 1048576 | 0))'], { NODE_OPTIONS: '--max-old-space-size=100' });
    expect(Number(r.stdout)).toBeGreaterThan(200);
    const flag = asUser(DOCKER_DEFAULT, [node, '--max-old-space-size=100', '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit / 1048576 | 0))']);
    expect(Number(flag.stdout)).toBeLessThan(200);
  });

  it('runs the ENTRYPOINT as that user: tlsscope --help exits 0', () => {
    const argv = entrypoint.map((a) => (a === 'node' ? node : a.replace(/^\/app\//, `${app}/`)));
    expect(argv[argv.length - 1]).toBe(path.join(app, 'dist/src/cli/main.js'));
    // the same V8 flags as the bin's shebang (npx tlsscope, npm install -g)
    const shebang = readFileSync(path.join(repoRoot, 'dist/src/cli/main.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${argv.slice(1, -1).join(' ')}`);
    const r = asUser(DOCKER_DEFAULT, [...argv, '--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tlsscope /);
  });

  it('the HEALTHCHECK command, as that user, is healthy while /healthz answers 200 and not otherwise', async () => {
    let health: HealthStatus = { live: true, ready: false };
    const server = await startMetricsServer('127.0.0.1:0', new Registry(), () => health);
    const argv = healthcheck.map((a) => (a === 'node' ? node : a.replace(/^\/app\//, `${app}/`)));
    // async: the server answers from this process's event loop
    const check = (): Promise<{ code: number; out: string }> =>
      new Promise((resolve) => {
        execFile('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', bounding(DOCKER_DEFAULT), ...argv], { env: { PATH: process.env.PATH, TLSSCOPE_METRICS_LISTEN: `0.0.0.0:${server.port}` }, timeout: 20_000 }, (err, stdout) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout }),
        );
      });
    try {
      const ok = await check();
      expect(ok.out).toMatch(/^healthy: /);
      expect(ok.code).toBe(0);
      health = { live: false, ready: false };
      const bad = await check();
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/^unhealthy: .*503/);
    } finally {
      await server.close();
    }
    const gone = await check();
    expect(gone.code).toBe(1);
    expect(gone.out).toMatch(/ECONNREFUSED/);
  });

  const liveReady = existsSync(path.join(repoRoot, 'node_modules/pcap/build/Release/pcap_binding.node')) && existsSync(path.join(repoRoot, 'dist/src/cli/live.js'));
  it.skipIf(!liveReady)('tlsscope live -i lo captures as that user and stops cleanly on SIGTERM', async () => {
    const argv = entrypoint.map((a) => (a === 'node' ? node : a.replace(/^\/app\//, `${app}/`)));
    const child = execFile('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', bounding(DOCKER_DEFAULT), ...argv, 'live', '-i', 'lo', '--stats-interval', '0'], { env: { PATH: process.env.PATH }, timeout: 20_000 });
    let stderr = '';
    child.stderr?.on('data', (d: string) => (stderr += d));
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(stderr).not.toMatch(/permission|not permitted/i);
    expect(stderr).toMatch(/capturing/);
    expect(code).toBe(0);
  });
});
