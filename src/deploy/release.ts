import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Colour } from './defaults.js';
import type { ReleaseSpec } from './state.js';
import type { LaunchSpec } from './supervisor.js';

/** What the deploy verb asked for; exactly one source, or none (then the git tag vVERSION). */
export interface ReleaseRequest {
  version: string;
  from?: string;
  gitRef?: string;
  command?: string;
  specFile?: string;
  /** The CLI's working directory: relative paths and the git repository are taken from it. */
  cwd: string;
}

export class ReleaseError extends Error {
  override name = 'ReleaseError';
}

const VERSION_RE = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;

/** Checks a request without side effects (bad flags must change nothing). */
export function checkReleaseRequest(req: ReleaseRequest): void {
  if (!VERSION_RE.test(req.version)) throw new ReleaseError(`--version must look like 1.2.3, got "${req.version}"`);
  const sources = [req.from, req.gitRef, req.command].filter((s) => s !== undefined);
  if (sources.length > 1) throw new ReleaseError('choose one of --from, --git-ref and --command');
  if (req.from !== undefined) {
    const dir = resolve(req.cwd, req.from);
    if (!existsSync(join(dir, 'dist', 'cli', 'main.js'))) {
      throw new ReleaseError(`release not found: ${join(dir, 'dist', 'cli', 'main.js')} does not exist (build it with npm run build)`);
    }
    const declared = packageVersion(dir);
    if (declared !== undefined && declared !== req.version) {
      throw new ReleaseError(`release at ${dir} is version ${declared}, not ${req.version}`);
    }
  }
  if (req.command !== undefined && req.command.trim() === '') throw new ReleaseError('--command is empty');
  if (req.specFile !== undefined && !existsSync(resolve(req.cwd, req.specFile))) {
    throw new ReleaseError(`--spec file not found: ${resolve(req.cwd, req.specFile)}`);
  }
}

/**
 * Turns a request into a startable release. A git ref is checked out with `git worktree`
 * into D/releases/VERSION, installed and built (progress goes to onLine); a directory or a
 * command is used as it is.
 */
export async function prepareRelease(req: ReleaseRequest, deployDir: string, onLine: (line: string) => void): Promise<ReleaseSpec> {
  checkReleaseRequest(req);
  const specFile = req.specFile !== undefined ? resolve(req.cwd, req.specFile) : undefined;
  if (req.command !== undefined) {
    return { kind: 'command', version: req.version, command: req.command, cwd: req.cwd, specFile };
  }
  if (req.from !== undefined) {
    return { kind: 'dir', version: req.version, dir: resolve(req.cwd, req.from), specFile };
  }
  const ref = req.gitRef ?? `v${req.version}`;
  const repo = (await run('git', ['rev-parse', '--show-toplevel'], req.cwd, () => {}).catch(() => '')).trim();
  if (!repo)
    throw new ReleaseError(
      `--version ${req.version} without --from or --command needs a git repository (run from one, or pass --from DIR)`,
    );
  const commit = (await run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], repo, () => {}).catch(() => '')).trim();
  if (!commit) throw new ReleaseError(`release not found: no git tag or ref "${ref}" in ${repo}`);
  const dir = join(resolve(deployDir), 'releases', req.version);
  if (existsSync(join(dir, 'dist', 'cli', 'main.js'))) {
    onLine(`  [INFO] Reusing the release built in ${dir}`);
  } else {
    if (!existsSync(dir)) {
      onLine(`  [INFO] Checking out ${ref} (${commit.slice(0, 12)}) into ${dir}`);
      await run('git', ['worktree', 'add', '--detach', dir, commit], repo, onLine);
    }
    onLine('  [INFO] Installing dependencies (npm ci)...');
    await run('npm', ['ci', '--no-audit', '--no-fund'], dir, onLine);
    onLine('  [INFO] Building (npm run build)...');
    await run('npm', ['run', 'build'], dir, onLine);
  }
  return { kind: 'git', version: req.version, gitRef: ref, dir, specFile };
}

/** The command line of one colour running this release on `port`. */
export function launchSpec(
  release: ReleaseSpec,
  colour: Colour,
  port: number,
  opts: { host: string; publicHost: string; publicPort: number; deployDir: string; drainTimeoutMs: number },
): LaunchSpec {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.DEPLOYMENT_COLOR = colour;
  env.PORT = String(port);
  env.MCP_PORT = String(port);
  env.DEPLOYMENT_VERSION = release.version;
  env.LLM_PRICING_TELEMETRY_DIR ??= join(resolve(opts.deployDir), 'telemetry');
  if (release.kind === 'command') {
    return {
      command: '/bin/sh',
      args: ['-c', release.command!],
      cwd: release.cwd ?? process.cwd(),
      env,
      describe: `PORT=${port} ${release.command}`,
    };
  }
  const dir = release.dir!;
  const main = join(dir, 'dist', 'cli', 'main.js');
  // The environment checks Host/Origin against its own port; requests through the router carry the
  // public one. A router bound beyond loopback needs its public names: DEPLOY_ALLOWED_HOSTS/ORIGINS.
  const pub = opts.publicPort;
  const hosts = [`127.0.0.1:${pub}`, `localhost:${pub}`, `[::1]:${pub}`];
  const origins = [`http://127.0.0.1:${pub}`, `http://localhost:${pub}`];
  const wildcard = opts.publicHost === '0.0.0.0' || opts.publicHost === '::';
  if (!wildcard && !['127.0.0.1', 'localhost', '::1'].includes(opts.publicHost)) {
    hosts.push(`${opts.publicHost}:${pub}`);
    origins.push(`http://${opts.publicHost}:${pub}`);
  }
  hosts.push(...splitEnv('DEPLOY_ALLOWED_HOSTS'));
  origins.push(...splitEnv('DEPLOY_ALLOWED_ORIGINS'));
  const args = [
    main,
    'serve',
    '--http',
    '--port',
    String(port),
    '--host',
    opts.host,
    '--drain-timeout',
    String(opts.drainTimeoutMs),
    '--allowed-hosts',
    hosts.join(','),
    '--allowed-origins',
    origins.join(','),
  ];
  return { command: process.execPath, args, cwd: dir, env, describe: `node ${main} serve --http --port ${port}` };
}

function splitEnv(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

export function packageVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export function describeRelease(r: ReleaseSpec): string {
  if (r.kind === 'command') return `command: ${r.command}`;
  if (r.kind === 'git') return `git ${r.gitRef} in ${r.dir}`;
  return `directory ${r.dir}`;
}

function run(cmd: string, args: string[], cwd: string, onLine: (line: string) => void): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: isAbsolute(cwd) ? cwd : resolve(cwd), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let tail = '';
    const onData = (c: Buffer) => {
      const text = c.toString();
      out += text;
      tail = (tail + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) onLine(`    ${line.trimEnd()}`);
    };
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', onData);
    child.once('error', (err) => reject(new ReleaseError(`${cmd} ${args.join(' ')}: ${err.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolvePromise(out);
      else reject(new ReleaseError(`${cmd} ${args.join(' ')} failed (exit ${code}): ${tail.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
