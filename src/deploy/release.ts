import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { formatDuration } from '../duration.js';
import type { Colour } from './defaults.js';
import { EnvironmentHost } from './defaults.js';
import type { Address } from './router-protocol.js';
import type { DataFile, ReleaseData, ReleaseSpec } from './state.js';
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
  /** Price data files, already checked and copied into the deploy directory (price-data.ts). */
  data?: ReleaseData;
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
    if (req.data && !speaksPriceData(dir)) {
      throw new ReleaseError(`release at ${dir} cannot serve other price data: its serve has no --prices (a build from before them)`);
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
export async function prepareRelease(
  req: ReleaseRequest,
  deployDir: string,
  onLine: (line: string) => void,
  signal?: AbortSignal,
): Promise<ReleaseSpec> {
  checkReleaseRequest(req);
  const specFile = req.specFile !== undefined ? resolve(req.cwd, req.specFile) : undefined;
  const data = req.data ? { data: req.data } : {};
  if (req.command !== undefined) {
    return { kind: 'command', version: req.version, command: req.command, cwd: req.cwd, specFile, ...data };
  }
  if (req.from !== undefined) {
    return { kind: 'dir', version: req.version, dir: resolve(req.cwd, req.from), specFile, ...data };
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
      await run('git', ['worktree', 'add', '--detach', dir, commit], repo, onLine, signal);
    }
    onLine('  [INFO] Installing dependencies (npm ci)...');
    await run('npm', ['ci', '--no-audit', '--no-fund'], dir, onLine, signal);
    onLine('  [INFO] Building (npm run build)...');
    await run('npm', ['run', 'build'], dir, onLine, signal);
  }
  if (req.data && !speaksPriceData(dir)) {
    throw new ReleaseError(`the build of ${ref} cannot serve other price data: its serve has no --prices (a build from before them)`);
  }
  return { kind: 'git', version: req.version, gitRef: ref, dir, specFile, ...data };
}

/** Where and how one colour runs a release. */
export interface Placement {
  /** The Unix socket our own builds listen on. */
  socketPath: string;
  /** The TCP port (127.0.0.1) of releases that only speak TCP. */
  port: number;
  deployDir: string;
  drainTimeoutMs: number;
  allowedHosts: string[];
  allowedOrigins: string[];
}

/**
 * The command line of one colour running `release`, and where it will listen: a build of this
 * project that has `serve --socket` listens on a Unix socket in the deploy directory; an older
 * build, or any --command server, on 127.0.0.1 and its TCP port ($PORT).
 */
export function launchSpec(release: ReleaseSpec, colour: Colour, where: Placement): { spec: LaunchSpec; listen: Address } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.DEPLOYMENT_COLOR = colour;
  env.PORT = String(where.port);
  env.MCP_PORT = String(where.port);
  env.DEPLOYMENT_VERSION = release.version;
  env.LLM_PRICING_TELEMETRY_DIR ??= join(resolve(where.deployDir), 'telemetry');
  delete env.MCP_SOCKET;
  // A release serves its build's bundled price data unless it carries data files of its own (status says which).
  delete env.LLM_PRICING_PRICES;
  delete env.LLM_PRICING_OVERLAY;
  if (release.data?.prices) env.LLM_PRICING_PRICES = release.data.prices.file;
  if (release.data?.overlay) env.LLM_PRICING_OVERLAY = release.data.overlay.file;
  const tcp = { host: EnvironmentHost, port: where.port };
  if (release.kind === 'command') {
    const spec = {
      command: '/bin/sh',
      args: ['-c', release.command!],
      cwd: release.cwd ?? process.cwd(),
      env,
      describe: `PORT=${where.port} ${release.command}`,
    };
    return { spec, listen: tcp };
  }
  const dir = release.dir!;
  const main = join(dir, 'dist', 'cli', 'main.js');
  // The environment checks Host and Origin: requests through the router carry the names clients use for the router.
  const common = [
    '--allowed-hosts',
    where.allowedHosts.join(','),
    '--allowed-origins',
    where.allowedOrigins.join(','),
    ...(release.data?.prices ? ['--prices', release.data.prices.file] : []),
    ...(release.data?.overlay ? ['--overlay', release.data.overlay.file] : []),
  ];
  if (speaksSocket(dir)) {
    const args = [
      main,
      'serve',
      '--http',
      '--socket',
      where.socketPath,
      '--drain-timeout',
      formatDuration(where.drainTimeoutMs),
      ...common,
    ];
    return {
      spec: {
        command: process.execPath,
        args,
        cwd: dir,
        env,
        describe: `node ${main} serve --http --socket ${where.socketPath}${dataFlags(release)}`,
      },
      listen: { socketPath: where.socketPath },
    };
  }
  // A build from before `serve --socket` (and before durations in seconds): TCP, drain timeout in ms.
  const args = [
    main,
    'serve',
    '--http',
    '--port',
    String(where.port),
    '--host',
    EnvironmentHost,
    '--drain-timeout',
    String(where.drainTimeoutMs),
    ...common,
  ];
  return {
    spec: {
      command: process.execPath,
      args,
      cwd: dir,
      env,
      describe: `node ${main} serve --http --port ${where.port}${dataFlags(release)}`,
    },
    listen: tcp,
  };
}

function dataFlags(r: ReleaseSpec): string {
  return `${r.data?.prices ? ` --prices ${r.data.prices.file}` : ''}${r.data?.overlay ? ` --overlay ${r.data.overlay.file}` : ''}`;
}

/** Whether a build's `serve` takes --prices and --overlay (builds of this project before them cannot serve other data). */
export function speaksPriceData(dir: string): boolean {
  try {
    return readFileSync(join(dir, 'dist', 'cli', 'serve.js'), 'utf8').includes("'--prices <file>'");
  } catch {
    return false;
  }
}

/** Whether a build's `serve` has --socket (builds of this project before it only listen on TCP). */
export function speaksSocket(dir: string): boolean {
  try {
    return readFileSync(join(dir, 'dist', 'cli', 'serve.js'), 'utf8').includes("'--socket <path>'");
  } catch {
    return false;
  }
}

export function packageVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Where a release's code is (its data: describeData). */
export function describeRelease(r: ReleaseSpec): string {
  if (r.kind === 'command') return `command: ${r.command}`;
  if (r.kind === 'git') return `git ${r.gitRef} in ${r.dir}`;
  return `directory ${r.dir}`;
}

/** Which price data a release serves, in words: "prices from URL (sha256 ab12cd34ef56), bundled overlay". */
export function describeData(d: ReleaseData | undefined): string {
  const one = (what: string, f: DataFile | undefined) =>
    f ? `${what} from ${f.source} (sha256 ${f.sha256.slice(0, 12)}, ${f.file})` : `bundled ${what}`;
  return `${one('prices', d?.prices)}, ${one('overlay', d?.overlay)}`;
}

/** What tells two releases apart: the version, and the data files when the release carries its own. */
export function releaseIdentity(r: Pick<ReleaseSpec, 'version' | 'data'>): string {
  const p = r.data?.prices?.sha256.slice(0, 12);
  const o = r.data?.overlay?.sha256.slice(0, 12);
  return `${r.version}${p ? ` prices ${p}` : ''}${o ? ` overlay ${o}` : ''}`;
}

function run(cmd: string, args: string[], cwd: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: isAbsolute(cwd) ? cwd : resolve(cwd), stdio: ['ignore', 'pipe', 'pipe'], signal });
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
