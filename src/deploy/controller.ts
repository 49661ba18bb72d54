import type net from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { startAdminServer } from './admin.js';
import type { AdminOutput, AdminRequest, AdminResult } from './admin.js';
import type { Analysis } from './analysis.js';
import type { Colour, DeployDefaults } from './defaults.js';
import { Colours, DefaultRestartBackoffMaxMs, EnvironmentHost, deployDefaults } from './defaults.js';
import { appendEvent } from './deployment-log.js';
import { waitReady } from './probe.js';
import { launchSpec } from './release.js';
import { Router } from './router.js';
import type { ColourStatus, DeployState, ReleaseSpec } from './state.js';
import { emptyState, ensureDir, readState, writeState } from './state.js';
import { ColourProcess, assertPortFree, backoffMs } from './supervisor.js';
import { handleAdmin } from './admin-handlers.js';
import { recover } from './recovery.js';

export interface ControllerOptions {
  dir: string;
  host: string;
  port: number;
  bluePort: number;
  greenPort: number;
  logger: Logger;
  defaults?: Partial<DeployDefaults>;
}

/** What a pending manual-promote deploy needs to continue. */
export interface PendingPromotion {
  colour: Colour;
  version: string;
  opts: Record<string, unknown>;
}

/**
 * The long-running controller: owns the router on the public port, the two colours as
 * supervised child processes, the admin socket and the state on disk. All behaviour of the
 * CLI verbs lives here (and in the flows it calls); the verbs only talk to the socket.
 */
export class Controller {
  readonly dir: string;
  readonly router: Router;
  readonly procs: Record<Colour, ColourProcess>;
  readonly defaults: DeployDefaults;
  readonly log: Logger;
  state: DeployState;
  /** Operations under way (deploy, rollback, cleanup:<colour>): one deploy or rollback at a time. */
  readonly locks = new Map<string, string>();
  pending: PendingPromotion | null = null;
  analysis: Analysis | null = null;
  private readonly keepTimers: Partial<Record<Colour, NodeJS.Timeout>> = {};
  private readonly crashes: Record<Colour, number> = { blue: 0, green: 0 };
  private readonly restartTimers: Partial<Record<Colour, NodeJS.Timeout>> = {};
  private admin: net.Server | null = null;
  private closing = false;
  readonly startedAt = new Date();
  /** Admin requests wait for recovery, so nobody sees a half-recovered state. */
  private ready!: Promise<void>;
  private markReady!: () => void;

  constructor(readonly opts: ControllerOptions) {
    this.dir = resolve(opts.dir);
    this.log = opts.logger;
    this.defaults = { ...deployDefaults(), ...opts.defaults };
    this.router = new Router({ host: opts.host, port: opts.port, bluePort: opts.bluePort, greenPort: opts.greenPort });
    this.procs = { blue: new ColourProcess('blue', `${this.dir}/logs`), green: new ColourProcess('green', `${this.dir}/logs`) };
    this.state = emptyState(opts.bluePort, opts.greenPort);
    this.ready = new Promise((r) => (this.markReady = r));
    for (const c of Colours) this.procs[c].on('exit', (info) => this.onExit(c, info));
  }

  /** Where the environments listen and are probed: always loopback, whatever the router binds. */
  get host(): string {
    return EnvironmentHost;
  }

  get publicUrl(): string {
    const h = this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
    return `http://${h.includes(':') ? `[${h}]` : h}:${this.router.port}/mcp`;
  }

  /** Reads state, takes the public port, recovers environments, opens the admin socket. */
  async start(): Promise<void> {
    ensureDir(this.dir);
    const saved = readState(this.dir);
    if (saved) {
      this.state = saved;
      // Ports on the command line win over saved ones (a colour restarts on its new port).
      this.state.colours.blue.port = this.opts.bluePort;
      this.state.colours.green.port = this.opts.greenPort;
    }
    this.admin = await startAdminServer(this.dir, (req, out) => this.dispatch(req, out));
    try {
      await this.router.listen();
    } catch (err) {
      this.admin.close();
      throw new Error(`cannot listen on ${this.opts.host}:${this.opts.port}: ${(err as Error).message}`, { cause: err });
    }
    this.state.controller = { pid: process.pid, startedAt: this.startedAt.toISOString(), host: this.opts.host, port: this.router.port };
    this.event({ event: 'controller', action: 'start', pid: process.pid, port: this.router.port });
    try {
      await recover(this);
      this.save();
    } finally {
      this.markReady();
    }
  }

  /** Graceful stop: the router stops taking requests, colours drain and stop, state says so. */
  async shutdown(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.analysis?.cancel();
    for (const t of [...Object.values(this.keepTimers), ...Object.values(this.restartTimers)]) clearTimeout(t);
    this.admin?.close();
    await this.router.close();
    await Promise.all(
      Colours.map(async (c) => {
        if (!this.procs[c].running) return;
        await this.procs[c].stop(this.defaults.stopTimeoutMs);
        this.state.colours[c].pid = null;
        this.event({ event: 'stop', colour: c, reason: 'controller shutdown' });
      }),
    );
    this.state.controller = null;
    this.save();
    this.event({ event: 'controller', action: 'stop', pid: process.pid });
  }

  private async dispatch(req: AdminRequest, out: AdminOutput): Promise<AdminResult> {
    await this.ready;
    if (this.closing) return { type: 'result', ok: false, exitCode: 1, error: 'the controller is shutting down' };
    return handleAdmin(this, req, out);
  }

  save(): void {
    writeState(this.dir, this.state);
  }

  event(e: { event: string; [key: string]: unknown }): void {
    const full = appendEvent(this.dir, e);
    this.log.info(full, e.event);
  }

  note(colour: Colour | null, text: string): void {
    if (colour) this.state.colours[colour].note = text;
    else this.state.notes = [...this.state.notes.slice(-9), `${new Date().toISOString()} ${text}`];
  }

  setStatus(colour: Colour, status: ColourStatus): void {
    this.state.colours[colour].status = status;
  }

  /**
   * Starts `colour` on its port from `release` and waits until it is ready.
   * Throws (after cleaning up) when the port is taken, the process dies, or it never gets ready.
   */
  async startColour(colour: Colour, release: ReleaseSpec, readyTimeoutMs: number): Promise<{ pid: number; readyMs: number }> {
    const cs = this.state.colours[colour];
    const proc = this.procs[colour];
    if (proc.running) throw new Error(`${colour} is already running (pid ${proc.pid})`);
    await assertPortFree(this.host, cs.port);
    this.cancelRestart(colour);
    this.router.prepare(colour, cs.port);
    const spec = launchSpec(release, colour, cs.port, {
      host: this.host,
      publicHost: this.opts.host,
      publicPort: this.router.port,
      deployDir: this.dir,
      drainTimeoutMs: Math.max(1000, this.defaults.stopTimeoutMs - 1000),
    });
    const pid = proc.start(spec);
    Object.assign(cs, {
      status: 'starting',
      version: release.version,
      release,
      pid,
      startedAt: new Date().toISOString(),
      keepUntil: null,
      note: null,
    });
    this.save();
    this.event({ event: 'start', colour, version: release.version, pid, port: cs.port, command: spec.describe, release });
    try {
      const readyMs = await waitReady(this.host, cs.port, proc, readyTimeoutMs);
      this.router.targets[colour].setState('ready');
      cs.status = 'ready';
      this.save();
      return { pid, readyMs };
    } catch (err) {
      await this.stopColour(colour, `did not become ready: ${(err as Error).message}`, 'failed');
      throw err;
    }
  }

  /**
   * Takes `colour` out of the router (requests already sent finish first), stops its process
   * (SIGTERM, SIGKILL after the stop timeout) and records why.
   */
  async stopColour(colour: Colour, reason: string, status: ColourStatus = 'stopped'): Promise<void> {
    this.cancelKeep(colour);
    this.cancelRestart(colour);
    const t0 = Date.now();
    const detached = await this.router.detach(colour, this.defaults.drainTimeoutMs);
    const exit = await this.procs[colour].stop(this.defaults.stopTimeoutMs);
    const cs = this.state.colours[colour];
    Object.assign(cs, { status, pid: null, keepUntil: null, note: reason });
    if (this.state.active === colour) this.state.active = null;
    if (this.state.previous === colour) this.state.previous = null;
    this.save();
    this.event({ event: 'stop', colour, version: cs.version, reason, aborted: detached.aborted, exit, durationMs: Date.now() - t0 });
  }

  /** Keeps a previous colour warm for an instant rollback, then stops it. */
  keepWarm(colour: Colour, ms: number): void {
    this.cancelKeep(colour);
    const until = new Date(Date.now() + ms);
    this.state.colours[colour].keepUntil = until.toISOString();
    this.keepTimers[colour] = setTimeout(() => {
      delete this.keepTimers[colour];
      if (this.state.active === colour || !this.procs[colour].running) return;
      if (this.locks.size > 0) {
        // A deploy or rollback is deciding about this colour right now: look again shortly.
        this.keepWarm(colour, 5_000);
        return;
      }
      this.stopColour(colour, `keep-previous time passed`).catch((err: unknown) => this.log.error({ err }, 'stop failed'));
    }, ms);
    this.keepTimers[colour].unref();
  }

  cancelKeep(colour: Colour): void {
    const t = this.keepTimers[colour];
    if (t) clearTimeout(t);
    delete this.keepTimers[colour];
  }

  private cancelRestart(colour: Colour): void {
    const t = this.restartTimers[colour];
    if (t) clearTimeout(t);
    delete this.restartTimers[colour];
  }

  /** A colour's process ended. Expected stops are already handled; crashes are logged and restarted with back-off. */
  private onExit(colour: Colour, info: { code: number | null; signal: string | null; expected: boolean; uptimeMs: number }): void {
    if (info.expected || this.closing) return;
    const cs = this.state.colours[colour];
    const detail = `exit code ${info.code ?? 'none'}${info.signal ? `, signal ${info.signal}` : ''} after ${Math.round(info.uptimeMs / 1000)} s`;
    this.event({ event: 'crash', colour, version: cs.version, pid: cs.pid, detail });
    cs.pid = null;
    const wasServing = cs.status === 'active' || cs.status === 'standby' || cs.status === 'draining';
    if (this.analysis?.active && this.analysis.target.colour === colour) {
      this.analysis.crashed(detail); // the analysis rolls back
      this.save();
      return;
    }
    if (cs.status === 'starting' || cs.status === 'ready') {
      this.save(); // a deploy in phase 1/2 sees the exit and fails the phase
      return;
    }
    if (!wasServing || cs.release === null) {
      cs.status = 'stopped';
      this.save();
      return;
    }
    // Out of routing until it is back; the active pointer stays, so the router answers 502 meanwhile.
    const target = this.router.targets[colour];
    if (target.state !== 'stopped') target.setState('stopped');
    this.crashes[colour] = info.uptimeMs > 60_000 ? 1 : this.crashes[colour] + 1;
    const delay = backoffMs(this.defaults.restartBackoffMs, this.crashes[colour], DefaultRestartBackoffMaxMs);
    cs.note = `crashed (${detail}); restarting in ${delay} ms (attempt ${this.crashes[colour]})`;
    this.save();
    const wasActive = cs.status === 'active';
    this.restartTimers[colour] = setTimeout(() => void this.restart(colour, wasActive), delay);
    this.restartTimers[colour].unref();
  }

  private async restart(colour: Colour, wasActive: boolean): Promise<void> {
    delete this.restartTimers[colour];
    const cs = this.state.colours[colour];
    if (this.closing || cs.release === null || this.procs[colour].running) return;
    const status = cs.status;
    try {
      const { pid } = await this.startColour(colour, cs.release, this.defaults.readyTimeoutMs);
      if (wasActive && (this.state.active === colour || this.state.active === null)) {
        this.router.switchTo(colour);
        this.state.active = colour;
        cs.status = 'active';
      } else {
        // Another colour took over meanwhile: this one comes back as a warm standby.
        this.router.targets[colour].setState('standby');
        cs.status = 'standby';
      }
      cs.note = `restarted after a crash (pid ${pid})`;
      this.save();
      this.event({ event: 'restart', colour, version: cs.version, pid });
    } catch (err) {
      this.event({ event: 'restart', colour, version: cs.version, failed: (err as Error).message });
      // startColour stopped it and marked it failed; try again later with a longer back-off.
      this.crashes[colour]++;
      const delay = backoffMs(this.defaults.restartBackoffMs, this.crashes[colour], DefaultRestartBackoffMaxMs);
      const stillOurs = wasActive && (this.state.active === null || this.state.active === colour);
      cs.status = stillOurs ? 'active' : status === 'active' ? 'standby' : status;
      if (stillOurs) this.state.active = colour;
      cs.note = `restart failed (${(err as Error).message}); next try in ${delay} ms`;
      this.save();
      this.restartTimers[colour] = setTimeout(() => void this.restart(colour, wasActive), delay);
      this.restartTimers[colour].unref();
    }
  }
}
