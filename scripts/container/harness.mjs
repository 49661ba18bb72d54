// What every step of the container test (scripts/test-container.mjs) shares: the engine, the image under
// test, a record of everything made (removed by cleanup(), also on failure), and small bounded helpers.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const ENGINE = process.env.CONTAINER_ENGINE ?? 'podman';
export const BASE = 'docker.io/library/node:20-bookworm-slim';
// TEST_CONTAINER_IMAGE=<built image> skips the build (and leaves that image alone): for working on the test.
export const GIVEN_IMAGE = process.env.TEST_CONTAINER_IMAGE;
export const TAG = GIVEN_IMAGE ?? `localhost/llm-pricing-mcp:test-${process.pid}`;
export const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
export const MAIN = join(ROOT, 'dist/cli/main.js');

/** Everything this run made; cleanup() removes it. Containers by id or name, volumes and images by id. */
export const made = { containers: [], images: [], processes: [], dirs: [], volumes: [] };
/** Figures measured on the way, printed at the end. */
export const figures = {};
export const work = mkdtempSync(join(tmpdir(), 'test-container-'));
made.dirs.push(work);

export function log(line) {
  process.stdout.write(`${line}\n`);
}

export function run(cmd, args, { timeoutMs = 120_000, allowFail = false, env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 2 ** 20, env: env ?? process.env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      if (err && !allowFail) reject(new Error(`${cmd} ${args.join(' ')} failed (${err.message.split('\n')[0]}):\n${stderr || stdout}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

export const engine = (args, opts) => run(ENGINE, args, opts);

export function check(ok, what) {
  if (!ok) throw new Error(`FAILED: ${what}`);
  log(`[PASS] ${what}`);
}

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** GET or POST on loopback with full control of the headers; resolves on any HTTP answer. */
export function http(port, path, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The container's state and its last log lines. */
async function exitedWith(containerId) {
  const state = JSON.parse((await engine(['inspect', containerId])).stdout)[0].State;
  if (state.Running) return undefined;
  const logs = await engine(['logs', containerId], { allowFail: true });
  return { code: state.ExitCode, logs: (logs.stdout + logs.stderr).slice(-3000) };
}

/** Waits until the port answers /health/ready with 200, or the container exits (bounded); returns the ms it took. */
export async function waitReady(port, limitMs = 60_000, containerId) {
  const started = Date.now();
  for (let i = 0; ; i++) {
    const r = await http(port, '/health/ready').catch(() => undefined);
    if (r?.status === 200) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`port ${port} not ready after ${limitMs} ms`);
    if (containerId && i % 10 === 9) {
      const exited = await exitedWith(containerId);
      if (exited) throw new Error(`the container exited (${exited.code}) before port ${port} was ready:\n${exited.logs}`);
    }
    await sleep(50);
  }
}

/** Starts one replica of the image on the host network, read-only like the Kubernetes pod. */
export async function startContainer(name, port, env = {}, extra = []) {
  const envArgs = Object.entries({ MCP_PORT: String(port), ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const { stdout } = await engine([
    'run',
    '-d',
    '--name',
    `${name}-${process.pid}`,
    '--network',
    'host',
    '--read-only',
    '--tmpfs',
    '/tmp',
    ...envArgs,
    ...extra,
    TAG,
  ]);
  const id = stdout.trim();
  made.containers.push(id);
  return id;
}

/**
 * Runs the image in the foreground to its exit (bounded), as `podman run --rm`; named so that cleanup() can remove
 * it if this run is cut short. Returns its exit code and output.
 */
export async function runToExit(name, args, timeoutMs = 120_000) {
  const full = `${name}-${process.pid}`;
  made.containers.push(full);
  try {
    return await engine(['run', '--rm', '--name', full, ...args], { allowFail: true, timeoutMs });
  } finally {
    await engine(['rm', '-f', '-t', '0', full], { allowFail: true, timeoutMs: 60_000 });
    made.containers.splice(made.containers.indexOf(full), 1);
  }
}

/** Removes containers a step is done with (cleanup() removes them anyway; this frees the machine sooner). */
export async function removeContainers(ids) {
  for (const id of ids) {
    await engine(['rm', '-f', '-t', '0', id], { allowFail: true, timeoutMs: 60_000 });
    made.containers.splice(made.containers.indexOf(id), 1);
  }
}

/** The calculator page at / and every asset it names, as a browser would fetch them; returns a line for check(). */
export async function pageServed(port) {
  const page = await http(port, '/');
  const assets = [...page.text.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const loaded = await Promise.all(assets.map((a) => http(port, a).then((r) => r.status)));
  const ok =
    page.status === 200 &&
    /^text\/html/.test(page.headers['content-type'] ?? '') &&
    page.text.includes('<title>LLM API prices') &&
    assets.length >= 2 &&
    loaded.every((s) => s === 200);
  return { ok, what: `/ ${page.status} ${page.headers['content-type']}, ${assets.length} assets: ${loaded.join(', ')}` };
}

/** An MCP session (the official SDK client) with the server at 127.0.0.1:port/mcp. */
export async function mcpClient(port, name = 'container-test') {
  const client = new Client({ name, version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`));
  await client.connect(transport);
  return { client, transport };
}

/** One tool call's structured result; a tool error throws with its text. */
export async function callTool(client, name, args) {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name}: ${r.content?.[0]?.text ?? 'isError'}`);
  return r.structuredContent;
}

export async function metric(port, name) {
  const r = await http(port, '/metrics');
  const line = r.text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

/** Removes everything this run made, in an order that lets each removal succeed. */
export async function cleanup() {
  await Promise.all(made.processes.splice(0).map(stopProcess));
  for (const id of made.containers.splice(0)) await engine(['rm', '-f', '-t', '0', id], { allowFail: true, timeoutMs: 60_000 });
  for (const v of made.volumes.splice(0)) await engine(['volume', 'rm', '-f', v], { allowFail: true });
  if (!GIVEN_IMAGE) await engine(['rmi', '-f', TAG], { allowFail: true });
  // Stage images depend on one another: remove what can be removed, again, until nothing is left or nothing moves.
  let images = made.images.splice(0);
  for (let pass = 0; images.length > 0 && pass < 5; pass++) {
    const left = [];
    for (const id of images) if ((await engine(['rmi', id], { allowFail: true })).code !== 0) left.push(id);
    if (left.length === images.length) break;
    images = left;
  }
  // Removing an image also removes the untagged stages under it, so an id whose rmi failed may be gone already.
  const stillThere = [];
  for (const id of images) if ((await engine(['image', 'exists', id], { allowFail: true })).code === 0) stillThere.push(id);
  if (stillThere.length > 0) log(`[WARN] images left behind (in use elsewhere?): ${stillThere.join(' ')}`);
  for (const d of made.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
export function stopProcess(p) {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.kill('SIGTERM');
  });
}
