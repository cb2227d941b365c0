import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';
import { commandsOf, dockerfile, dockerfilePath, execForm, stagesOf } from './dockerfile.js';

/**
 * The Dockerfile rules we hold it to (hadolint's that matter here, and ours). hadolint is
 * neither a Debian nor an npm package, so these checks stand in for it; when a hadolint
 * binary is on PATH, it runs as well.
 */
describe('the Dockerfile', () => {
  const ins = dockerfile();
  const stages = stagesOf(ins);
  const runtime = stages[stages.length - 1];
  const build = stages[0];
  const final = (op: string) => runtime.instructions.filter((i) => i.op === op);

  it('is multi-stage: a named build stage, a runtime stage that only copies from it', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.name).toBe('build');
    expect(runtime.name).toBeUndefined();
    const fromBuild = final('COPY').filter((c) => c.args.startsWith('--from='));
    expect(fromBuild.map((c) => c.args.split(' ')[0])).toEqual(['--from=build', '--from=build']);
    expect(fromBuild.map((c) => c.args.split(' ')[1])).toEqual(['/app/node_modules', '/app/dist']);
  });

  it('pins its base images (an explicit tag or digest, never latest): Node 20, slim at run time', () => {
    for (const s of stages) {
      expect(s.from, s.from).toMatch(/^[a-z0-9./-]+(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$/);
      expect(s.from, s.from).toMatch(/[:@]/);
      expect(s.from, s.from).not.toMatch(/:latest\b/);
    }
    expect(build.from).toMatch(/^node:20[.-]/);
    expect(runtime.from).toMatch(/^node:20[.-].*-slim(@|$)/);
  });

  it('uses no ADD, no sudo, no apt-get upgrade, no curl or wget', () => {
    expect(ins.filter((i) => i.op === 'ADD')).toEqual([]);
    for (const r of ins.filter((i) => i.op === 'RUN')) {
      expect(r.args, `line ${r.line}`).not.toMatch(/\bsudo\b|apt-get (dist-)?upgrade|\bcurl\b|\bwget\b/);
    }
  });

  it('installs with apt-get update, -y and --no-install-recommends in the same RUN, and removes the lists', () => {
    const installs = ins.filter((i) => i.op === 'RUN' && /apt-get install/.test(i.args));
    expect(installs.length).toBeGreaterThanOrEqual(2);
    for (const r of installs) {
      const cmds = commandsOf(r.args);
      const install = cmds.findIndex((c) => c.startsWith('apt-get install'));
      expect(cmds.findIndex((c) => c === 'apt-get update'), `line ${r.line}`).toBeGreaterThanOrEqual(0);
      expect(cmds.findIndex((c) => c === 'apt-get update')).toBeLessThan(install);
      for (const c of cmds.filter((x) => x.startsWith('apt-get install'))) {
        expect(c, `line ${r.line}`).toMatch(/ -y /);
        expect(c, `line ${r.line}`).toMatch(/--no-install-recommends/);
      }
      expect(cmds, `line ${r.line}`).toContain('rm -rf /var/lib/apt/lists/*');
    }
  });

  it('runs with only the libpcap runtime: no headers, no compilers, and setcap removed again', () => {
    const runs = final('RUN').map((r) => r.args).join(' && ');
    expect(runs).toMatch(/apt-get install -y --no-install-recommends libpcap0\.8\b/);
    expect(runs).not.toMatch(/libpcap-dev|\bg\+\+|\bgcc\b|\bmake\b|python3/);
    expect(runs).toMatch(/setcap "\$\{TLSSCOPE_FILE_CAPS\}" \/usr\/local\/bin\/node/);
    expect(runs).toMatch(/apt-get purge -y --auto-remove libcap2-bin/);
    const arg = final('ARG').find((a) => a.args.startsWith('TLSSCOPE_FILE_CAPS='));
    expect(arg?.args).toBe('TLSSCOPE_FILE_CAPS=cap_net_raw+ep');
  });

  it('ends as a numeric non-root user that the image creates', () => {
    const users = ins.filter((i) => i.op === 'USER');
    const last = users[users.length - 1];
    expect(runtime.instructions).toContain(last);
    const [uid, gid] = last.args.split(':');
    expect(uid).toMatch(/^[1-9]\d*$/);
    expect(gid).toMatch(/^[1-9]\d*$/);
    const runs = final('RUN').map((r) => r.args).join(' && ');
    expect(runs).toContain(`useradd --system --uid ${uid} --gid ${gid} `);
    expect(runs).toMatch(new RegExp(`groupadd --system --gid ${gid} `));
    expect(runs).toMatch(/--shell \/usr\/sbin\/nologin/);
    // nothing runs as root after USER
    const after = runtime.instructions.slice(runtime.instructions.indexOf(last));
    expect(after.filter((i) => i.op === 'RUN')).toEqual([]);
  });

  it('has a HEALTHCHECK on /healthz with node itself, in exec form', () => {
    const hc = final('HEALTHCHECK');
    expect(hc).toHaveLength(1);
    const m = /^((?:--\S+ )*)CMD (.*)$/.exec(hc[0].args);
    expect(m).not.toBeNull();
    expect(m![1]).toMatch(/--interval=\d+s/);
    expect(m![1]).toMatch(/--timeout=\d+s/);
    const cmd = execForm(m![2]);
    expect(cmd).toEqual(['node', '/app/dist/src/metrics/healthcheck.js']);
    expect(existsSync(path.join(repoRoot, 'src/metrics/healthcheck.ts'))).toBe(true);
    const env = final('ENV').map((e) => e.args);
    expect(env).toContain('TLSSCOPE_METRICS_LISTEN=0.0.0.0:9100');
    expect(final('EXPOSE').map((e) => e.args)).toEqual(['9100']);
  });

  it('has ENTRYPOINT and CMD in exec form, the entrypoint being the package bin run with its shebang\'s node flags', () => {
    const ep = final('ENTRYPOINT');
    expect(ep).toHaveLength(1);
    const argv = execForm(ep[0].args);
    const bin = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.tlsscope;
    const shebang = readFileSync(path.join(repoRoot, 'src/cli/main.ts'), 'utf8').split('\n')[0];
    const flags = shebang.replace(/^#!\/usr\/bin\/env -S node ?/, '').split(' ').filter(Boolean);
    expect(flags).toContain('--max-semi-space-size=32');
    expect(argv).toEqual(['node', ...flags, `/app/${bin}`]);
    for (const c of final('CMD')) expect(execForm(c.args), c.args).toBeDefined();
  });

  it('has absolute WORKDIRs and no secrets in ENV or ARG', () => {
    for (const w of ins.filter((i) => i.op === 'WORKDIR')) expect(w.args).toMatch(/^\//);
    for (const e of ins.filter((i) => i.op === 'ENV' || i.op === 'ARG')) expect(e.args).not.toMatch(/PASSWORD|PASSPHRASE|SECRET|TOKEN/i);
  });

  const hadolint = spawnSync('hadolint', ['--version'], { encoding: 'utf8' });
  it.skipIf(hadolint.error !== undefined || hadolint.status !== 0)('passes hadolint (when installed) at error level', () => {
    // DL3008 (apt versions pinned) is left out: Debian's security updates move them.
    const r = spawnSync('hadolint', ['--failure-threshold', 'error', '--ignore', 'DL3008', dockerfilePath], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
