// Shared by the MCP tests: start the built CLI (`node dist/cli/main.js serve
// --stdio`) with a private telemetry directory, either speaking raw
// newline-delimited JSON-RPC over the child's pipes or through the SDK client.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.build.json\` (npm test does it)`);
}

const tempDirs: string[] = [];

/** A fresh directory under the OS temp dir, removed by cleanupTempDirs(). */
export async function tempDir(prefix = 'llm-pricing-telemetry-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export async function cleanupTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Environment for a server child: telemetry flushed fast so tests need not wait long. */
export function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.DEPLOYMENT_COLOR;
  return { ...env, LLM_PRICING_TELEMETRY_FLUSH_MS: '100', ...extra };
}

export const INIT_PARAMS = {
  protocolVersion: LATEST_PROTOCOL_VERSION,
  capabilities: {},
  clientInfo: { name: 'llm-pricing-mcp-tests', version: '0' },
};

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The server as a child process, spoken to line by line. */
export class RawServer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  stderr = '';
  private waiters: Array<() => void> = [];
  private cursor = 0;
  private buffer = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: Record<string, string>) {
    requireBuild();
    this.child = spawn(process.execPath, [CLI, 'serve', '--stdio', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  sendLine(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  send(message: Json): void {
    this.sendLine(JSON.stringify(message));
  }

  /** The next stdout line not yet consumed, parsed. */
  async next(timeoutMs = 10_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.lines.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms; stderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return JSON.parse(this.lines[this.cursor++]!) as Json;
  }

  /** The next message answering `id` (skipping notifications and other replies). */
  async reply(id: number | string, timeoutMs = 10_000): Promise<Json> {
    for (;;) {
      const m = await this.next(timeoutMs);
      if (m.id === id) return m;
    }
  }

  async request(id: number, method: string, params: Json = {}): Promise<Json> {
    this.send({ jsonrpc: '2.0', id, method, params });
    return this.reply(id);
  }

  async initialize(): Promise<Json> {
    const r = await this.request(0, 'initialize', INIT_PARAMS);
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return r;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.stdin.end();
    await this.exited;
  }
}

export interface SdkServer {
  client: Client;
  transport: StdioClientTransport;
  stderr(): string;
  close(): Promise<void>;
}

/** The server through the official SDK client over stdio. */
export async function connectSdk(opts: { telemetryDir: string; args?: string[]; env?: Record<string, string> }): Promise<SdkServer> {
  requireBuild();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', '--stdio', '--telemetry-dir', opts.telemetryDir, ...(opts.args ?? [])],
    env: serverEnv(opts.env),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: 'llm-pricing-mcp-tests', version: '0' });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, close: () => client.close() };
}

export type ToolResult = {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Json;
};

export async function callTool(client: Client, name: string, args: Json): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

export function textOf(r: ToolResult): string {
  return r.content.map((c) => c.text ?? '').join('\n');
}
