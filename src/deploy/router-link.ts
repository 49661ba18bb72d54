import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../version.js';
import { RouterSocketName } from './defaults.js';
import type { RouteTable, RouterAnswers, RouterArgs, RouterHello, RouterOp } from './router-protocol.js';
import { RouterProtocolVersion } from './router-protocol.js';
import { isAlive } from './supervisor.js';
import { callRpc, socketPathIn } from './unix-rpc.js';

const helloTimeoutMs = 15_000;
const watchMs = 1_000;

export class RouterDownError extends Error {
  override name = 'RouterDownError';
}

/** One typed call to the router in `dir`. */
export async function routerCall<K extends RouterOp>(dir: string, op: K, args: RouterArgs<K>): Promise<RouterAnswers[K]> {
  let r;
  try {
    r = await callRpc(socketPathIn(dir, RouterSocketName), { op, args });
  } catch (err) {
    throw new RouterDownError(`the router is not answering on ${join(dir, RouterSocketName)}: ${(err as Error).message}`, { cause: err });
  }
  if (!r.ok) throw new Error(`router ${op}: ${r.error ?? 'failed'}`);
  return r.data as RouterAnswers[K];
}

export interface RouterLinkOptions {
  dir: string;
  host: string;
  port: number;
  /** Notes for the operator (status and the controller log). */
  note: (text: string) => void;
}

/**
 * The controller's hold on the router process: it finds the router running in the deploy
 * directory (a previous controller started it, or systemd did) or starts one, detached so that
 * it outlives this controller; it pushes route tables in order; and it watches the router, giving
 * a restarted router the current table (and starting it again if this controller manages it).
 */
export class RouterLink {
  hello: RouterHello | null = null;
  private pushing: Promise<unknown> = Promise.resolve();
  private checking = false;
  private watcher: NodeJS.Timeout | undefined;
  private wasDown = false;

  constructor(private readonly o: RouterLinkOptions) {}

  get pid(): number | null {
    return this.hello?.pid ?? null;
  }

  /** Attaches to the running router, or starts one; resolves with its hello. */
  async attach(): Promise<{ hello: RouterHello; started: boolean }> {
    const running = await this.tryHello();
    if (running !== null) {
      if (running.listen.port !== this.o.port && this.o.port !== 0) {
        this.o.note(
          `the router already running (pid ${running.pid}) listens on port ${running.listen.port}, not ${this.o.port}: it keeps its port until it is restarted`,
        );
      }
      return { hello: running, started: false };
    }
    return { hello: await this.spawnRouter(), started: true };
  }

  call<K extends RouterOp>(op: K, args: RouterArgs<K>): Promise<RouterAnswers[K]> {
    return routerCall(this.o.dir, op, args);
  }

  /** Sends a route table; tables go out in the order they were made. */
  push(table: RouteTable): Promise<{ switchMs: number }> {
    const next = this.pushing.then(async () => {
      return this.call('apply', { routes: table });
    });
    this.pushing = next.catch(() => undefined);
    return next;
  }

  /** Every second: a router that lost the current table (restarted) gets it again; a managed router that died is started again. */
  watch(current: () => RouteTable): void {
    this.watcher = setInterval(() => void this.check(current), watchMs);
    this.watcher.unref();
  }

  stopWatching(): void {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = undefined;
  }

  /** Asks the router to stop, and waits for its process to be gone. */
  async stopRouter(timeoutMs: number): Promise<void> {
    const pid = this.hello?.pid ?? null;
    this.stopWatching();
    await this.call('stop', {}).catch(() => undefined);
    const until = Date.now() + timeoutMs;
    while (pid !== null && isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }

  private async check(current: () => RouteTable): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.repair(current);
    } catch (err) {
      this.o.note(`router check failed: ${(err as Error).message}`);
    } finally {
      this.checking = false;
    }
  }

  private async repair(current: () => RouteTable): Promise<void> {
    const hello = await this.tryHello();
    if (hello === null) {
      if (!this.wasDown) this.o.note('the router is not answering');
      this.wasDown = true;
      if (this.hello?.managed)
        await this.spawnRouter().catch((err: Error) => this.o.note(`could not start the router again: ${err.message}`));
      else return;
    }
    const table = current();
    const now = this.hello!;
    if (this.wasDown) this.o.note(`the router answers again (pid ${now.pid})`);
    this.wasDown = false;
    if (now.routes.generation !== table.generation) await this.push(table);
  }

  private async tryHello(): Promise<RouterHello | null> {
    try {
      const hello = await this.call('hello', {});
      if (hello.protocol !== RouterProtocolVersion) {
        throw new Error(
          `the router (pid ${hello.pid}, v${hello.version}) speaks protocol ${hello.protocol}, this controller ${RouterProtocolVersion}`,
        );
      }
      this.hello = hello;
      return hello;
    } catch (err) {
      if (err instanceof RouterDownError) return null;
      throw err;
    }
  }

  /** Starts `llm-pricing-mcp router` of this build, detached (its own process group: it outlives us), logging to D/logs/router.log. */
  private async spawnRouter(): Promise<RouterHello> {
    const logFile = join(this.o.dir, 'logs', 'router.log');
    const fd = openSync(logFile, 'a', 0o600);
    writeSync(fd, `\n--- ${new Date().toISOString()} starting the router on ${this.o.host}:${this.o.port}\n`);
    const main = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');
    const args = [main, 'router', '--dir', this.o.dir, '--host', this.o.host, '--port', String(this.o.port), '--managed'];
    let child;
    try {
      child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], detached: true, env: process.env });
    } finally {
      closeSync(fd);
    }
    child.unref();
    let exited: number | null | undefined;
    child.once('exit', (code) => (exited = code));
    child.once('error', () => (exited = -1));
    const until = Date.now() + helloTimeoutMs;
    for (;;) {
      const hello = await this.tryHello();
      if (hello !== null) return hello;
      if (exited !== undefined || Date.now() > until) {
        const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
        throw new Error(`the router did not start (${exited !== undefined ? `exit ${exited}` : 'no answer'}): ${tail}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
