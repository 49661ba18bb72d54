import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { trackChild } from './interrupt.js';
import { assertLocal, type LeanLoadResult, type LeanLoadSpec, type LeanRequest } from './lean-load.js';
import { builtBenchScript } from './workload.js';

// Drives the lean load client in a process of its own, so the bench process's
// own work (spawning servers, reading /proc) never slows the load and the load
// never shares an event loop with anything. One job at a time.

const CHILD = builtBenchScript('lean-load-child.js');

export class LeanLoadClient {
  private readonly pending: Array<{ resolve(r: LeanLoadResult): void; reject(e: Error): void }> = [];
  private exited: Error | undefined;

  private constructor(private readonly child: ChildProcess) {
    const out = createInterface({ input: child.stdout! });
    out.on('line', (line) => {
      const waiter = this.pending.shift();
      if (!waiter) return;
      const msg = JSON.parse(line) as { ok: true; result: LeanLoadResult } | { ok: false; error: string };
      if (msg.ok) waiter.resolve(msg.result);
      else waiter.reject(new Error(msg.error));
    });
    child.once('exit', (code, signal) => {
      this.exited = new Error(`the load client exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`);
      for (const w of this.pending.splice(0)) w.reject(this.exited);
    });
  }

  static start(): LeanLoadClient {
    const child = trackChild(spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'inherit'] }));
    return new LeanLoadClient(child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  run(spec: LeanLoadSpec, request: LeanRequest): Promise<LeanLoadResult> {
    assertLocal(spec);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin!.write(`${JSON.stringify({ spec, request })}\n`);
    });
  }

  /** Ends the child (end of stdin, then SIGKILL if it lingers). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(timer);
  }
}
