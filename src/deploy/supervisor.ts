import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Colour } from './defaults.js';

/** How to start one environment: a program, its arguments, where, with what environment. */
export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** A one-line description for logs and status. */
  describe: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** true when we asked it to stop. */
  expected: boolean;
  uptimeMs: number;
}

/**
 * One colour's process. Children run in their own process group (detached) so that Ctrl-C on
 * the controller reaches only the controller, which stops them in order, and so a child
 * outlives a killed controller and can be adopted by the next one. Output goes to
 * D/logs/<colour>.log through a file descriptor the child owns.
 * Events: 'exit' (ExitInfo).
 */
export class ColourProcess extends EventEmitter {
  pid: number | null = null;
  /** Adopted from a previous controller: not our child, so exit is seen by polling. */
  adopted = false;
  private child: ChildProcess | null = null;
  private startedAt = 0;
  private stopping = false;
  private exitWaiters: Array<() => void> = [];
  private poller: NodeJS.Timeout | undefined;

  constructor(
    readonly colour: Colour,
    private readonly logDir: string,
  ) {
    super();
  }

  get logFile(): string {
    return join(this.logDir, `${this.colour}.log`);
  }

  get running(): boolean {
    return this.pid !== null;
  }

  start(spec: LaunchSpec): number {
    if (this.pid !== null) throw new Error(`${this.colour} is already running (pid ${this.pid})`);
    const fd = openSync(this.logFile, 'a', 0o600);
    writeSync(fd, `\n--- ${new Date().toISOString()} starting ${this.colour}: ${spec.describe}\n`);
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) {
      throw new Error(`could not start ${spec.command}: ${spec.describe}`);
    }
    this.child = child;
    this.pid = child.pid;
    this.adopted = false;
    this.stopping = false;
    this.startedAt = Date.now();
    child.once('error', () => {
      /* reported through exit */
    });
    child.once('exit', (code, signal) => this.onExit(code, signal));
    return child.pid;
  }

  /** Takes over a process a previous controller started; its exit is detected by polling. */
  adopt(pid: number, startedAt: number): void {
    this.pid = pid;
    this.adopted = true;
    this.stopping = false;
    this.startedAt = startedAt;
    this.poller = setInterval(() => {
      if (this.pid !== null && !isAlive(this.pid)) this.onExit(null, null);
    }, 250);
    this.poller.unref();
  }

  /** Lets go of the process without stopping it (the controller detaches; the next one adopts it). */
  release(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    this.child?.removeAllListeners('exit');
    this.child?.unref();
  }

  /** SIGTERM to the process group, SIGKILL after `timeoutMs`; resolves once it has exited. */
  async stop(timeoutMs: number): Promise<ExitInfo | null> {
    const pid = this.pid;
    if (pid === null) return null;
    this.stopping = true;
    const exited = this.waitExit();
    // An adopted process is watched by an unref'd poller: while a stop waits on it, the poller must keep
    // the event loop alive (else a controller whose sockets are closed exits before its colours have).
    this.poller?.ref();
    signalGroup(pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
      signalGroup(pid, 'SIGKILL');
      await exited;
    }
    return this.lastExit;
  }

  lastExit: ExitInfo | null = null;

  waitExit(): Promise<void> {
    if (this.pid === null) return Promise.resolve();
    return new Promise((r) => this.exitWaiters.push(r));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.pid === null) return;
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    // The group may hold more processes (a --command shell's children): make sure they go too.
    signalGroup(this.pid, 'SIGKILL');
    const info: ExitInfo = { code, signal, expected: this.stopping, uptimeMs: Date.now() - this.startedAt };
    this.lastExit = info;
    this.pid = null;
    this.child = null;
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const w of waiters) w();
    this.emit('exit', info);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Resolves when nothing answers on the Unix socket `path` (a file left by a dead process is removed); rejects otherwise. */
export function assertSocketFree(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path);
    c.once('connect', () => {
      c.destroy();
      reject(new Error(`the socket ${path} is in use by another server`));
    });
    c.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') rmSync(path, { force: true });
      resolve();
    });
  });
}

/** Resolves when nothing listens on host:port (so a child can bind it); rejects with a clear message otherwise. */
export function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${port} is in use on ${host}` : `cannot use port ${port}: ${err.message}`)),
    );
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

/** Restart delay after the n-th consecutive crash: base, 2×base, 4×base… capped. */
export function backoffMs(base: number, attempt: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}
