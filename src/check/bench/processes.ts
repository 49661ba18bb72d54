import { spawn } from 'node:child_process';
import { trackChild } from './interrupt.js';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

// Child servers of the bench: start on a free loopback port, wait until they
// answer, read their memory, stop them. Every wait is bounded.

export interface ChildServer {
  child: ChildProcess;
  pid: number;
  /** The last lines of stderr, for error messages. */
  stderrTail(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function spawnServer(
  argv: string[],
  env: Record<string, string> = {},
  stdio: 'pipe-all' | 'stderr-only' = 'stderr-only',
): ChildServer {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty server command');
  const child = trackChild(
    spawn(file, args, {
      stdio: stdio === 'pipe-all' ? ['pipe', 'pipe', 'pipe'] : ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-2000);
  });
  return { child, pid: child.pid ?? -1, stderrTail: () => stderr.trim(), stop: () => stopChild(child) };
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the child is gone. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Polls url until it answers 200 (or any status when anyStatus), the child exits, or the time runs out. */
export async function waitForHttp(url: string, server: ChildServer, timeoutMs: number, anyStatus = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`server exited with code ${server.child.exitCode}: ${server.stderrTail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (anyStatus || res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not answer ${url} within ${timeoutMs} ms: ${server.stderrTail()}`);
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (Linux). */
export async function readRssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
