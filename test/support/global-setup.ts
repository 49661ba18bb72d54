// Global setup and teardown of `npm test`: the run leaves nothing behind, or fails.
//
// setup() marks the run: every process a test starts inherits
// LLM_PRICING_TEST_RUN=<id> through its environment (vitest's workers get it,
// and everything they spawn with process.env, detached daemons included), and
// TMPDIR points at a directory of the run's own. teardown() then looks for
// processes that still carry the mark and
// for files left in that directory: it names them with their listening
// sockets, stops them (so the machine is clean either way) and fails the run.
// Other runs on the same machine (other worktrees) carry other marks and are
// never touched.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'LLM_PRICING_TEST_RUN';
/** How long leftovers get to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 3000;

let runTmp: string | undefined;
let originalTmp: string | undefined;

export function setup(): void {
  process.env[MARK] = randomUUID();
  originalTmp = process.env.TMPDIR;
  runTmp = mkdtempSync(join(tmpdir(), 'llm-pricing-test-run-'));
  process.env.TMPDIR = runTmp;
}

export async function teardown(): Promise<void> {
  const mark = process.env[MARK];
  const problems: string[] = [];
  if (mark) {
    const left = await leftoverProcesses(mark);
    for (const p of left)
      problems.push(`process ${p.pid} still running: ${p.cmdline}${p.ports.length ? ` (listening on ${p.ports.join(', ')})` : ''}`);
    await stopAll(left.map((p) => p.pid));
  }
  if (runTmp) {
    for (const e of safeReaddir(runTmp)) problems.push(`left in the temp directory: ${join(runTmp, e)}`);
    rmSync(runTmp, { recursive: true, force: true });
    if (originalTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = originalTmp;
  }
  if (problems.length > 0) {
    // vitest reports an error thrown here but keeps its exit code: set ours.
    process.exitCode = 1;
    throw new Error(`tests left things behind (now stopped and removed):\n  ${problems.join('\n  ')}`);
  }
}

interface Leftover {
  pid: number;
  cmdline: string;
  ports: string[];
}

/** Processes that carry this run's mark, other than this one, its ancestors and vitest's own workers. */
async function leftoverProcesses(mark: string): Promise<Leftover[]> {
  const self = process.pid;
  const ancestors = ancestorsOf(self);
  const needle = `${MARK}=${mark}`;
  const byInode = listeningInodes();
  const out: Leftover[] = [];
  for (const name of safeReaddir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === self || ancestors.has(pid)) continue;
    const stat = statOf(pid);
    if (!stat || stat.state === 'Z') continue;
    if (!(readText(`/proc/${pid}/environ`)?.split('\0').includes(needle) ?? false)) continue;
    const cmdline = readText(`/proc/${pid}/cmdline`)?.replace(/\0/g, ' ').trim() ?? '';
    // vitest's own workers carry the mark too; they end with the run.
    if (cmdline.includes('node_modules/vitest/') || cmdline.includes('node_modules/tinypool/')) continue;
    out.push({ pid, cmdline, ports: portsOf(pid, byInode) });
  }
  return out;
}

async function stopAll(pids: number[]): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids) if (alive(pid)) signal(pid, 'SIGKILL');
}

function alive(pid: number): boolean {
  const s = statOf(pid);
  return s !== undefined && s.state !== 'Z';
}

interface Stat {
  state: string;
  ppid: number;
}

function statOf(pid: number): Stat | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (!text) return undefined;
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: f[0]!, ppid: Number(f[1]) };
}

function ancestorsOf(pid: number): Set<number> {
  const out = new Set<number>();
  let p = statOf(pid)?.ppid;
  while (p !== undefined && p > 1 && !out.has(p)) {
    out.add(p);
    p = statOf(p)?.ppid;
  }
  return out;
}

/** inode -> "127.0.0.1:port" of every listening TCP socket on the machine. */
function listeningInodes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = readText(file)?.split('\n').slice(1) ?? [];
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A') continue; // LISTEN
      const port = parseInt(f[1]!.split(':')[1]!, 16);
      out.set(f[9]!, `port ${port}`);
    }
  }
  return out;
}

function portsOf(pid: number, byInode: Map<string, string>): string[] {
  const ports: string[] = [];
  for (const fd of safeReaddir(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    const port = m ? byInode.get(m[1]!) : undefined;
    if (port) ports.push(port);
  }
  return ports;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
