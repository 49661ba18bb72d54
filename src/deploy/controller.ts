import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { handleAdmin } from './admin-handlers.js';
import type { AdminContext } from './admin-handlers.js';
import type { Analysis } from './analysis.js';
import type { ColourStatus } from './colour-lifecycle.js';
import { isServing } from './colour-lifecycle.js';
import type { PendingPromotion } from './context.js';
import { ControllerState } from './controller-state.js';
import { listenDashboardApi } from './dashboard-api.js';
import type { Colour, DeployDefaults } from './defaults.js';
import { AdminSocketName, ApiSocketName, Colours, DefaultRestartBackoffMaxMs, deployDefaults } from './defaults.js';
import type { Exposure, ExposureSettings } from './exposure.js';
import { exposure } from './exposure.js';
import { waitReady } from './probe.js';
import { recover } from './recovery.js';
import { launchSpec } from './release.js';
import { tokenHash } from './router/router.js';
import { RouterLink } from './router-link.js';
import { describeAddress } from './router-protocol.js';
import type { ReleaseSpec } from './state.js';
import { emptyState, ensureDir, readState } from './state.js';
import { ColourProcess, assertPortFree, assertSocketFree, backoffMs } from './supervisor.js';
import { TrafficMeter } from './traffic-meter.js';
import { fail, listenRpc, socketPathIn } from './unix-rpc.js';

export interface ControllerOptions {
  dir: string;
  /** Where the router listens (it is started with these when none is running). */
  host: string;
  port: number;
  /** TCP ports of releases that only speak TCP. */
  bluePort: number;
  greenPort: number;
  /** The names clients use (the router's own address is added where it really listens). */
  exposure: Omit<ExposureSettings, 'host' | 'port'>;
  previewToken?: string;
  adminToken?: string;
  logger: Logger;
  defaults?: Partial<DeployDefaults>;
}

/**
 * The long-running control plane: it owns both colours as supervised child processes, the state
 * (through ControllerState, its one writer), the admin socket every CLI verb talks to, and the
 * dashboard API behind the router's /deploy/. It steers the router process over its control
 * socket and never sits on the request path: the router and the environments keep serving while
 * the controller is stopped, killed, restarted or upgraded.
 */
export class Controller implements AdminContext {
  readonly dir: string;
  readonly procs: Record<Colour, ColourProcess>;
  readonly defaults: DeployDefaults;
  readonly log: Logger;
  readonly router: RouterLink;
  readonly traffic: TrafficMeter;
  readonly locks = new Map<string, string>();
  readonly startedAt = new Date();
  pending: PendingPromotion | null = null;
  analysis: Analysis | null = null;
  deploySignal: AbortController | null = null;
  /** Set by the daemon: what the `shutdown` verb does. */
  requestShutdown: () => void = () => undefined;
  private stateOwner: ControllerState | null = null;
  private readonly keepTimers: Partial<Record<Colour, NodeJS.Timeout>> = {};
  private readonly crashes: Record<Colour, number> = { blue: 0, green: 0 };
  private readonly restartTimers: Partial<Record<Colour, NodeJS.Timeout>> = {};
  private readonly servers: net.Server[] = [];
  private closing = false;
  /** The token the controller itself shows to preview a colour through the router (validation, answer diffs). */
  private readonly previewToken: string;
  private ready!: Promise<void>;
  private markReady!: () => void;

  constructor(readonly opts: ControllerOptions) {
    this.dir = resolve(opts.dir);
    this.log = opts.logger;
    this.defaults = { ...deployDefaults(), ...opts.defaults };
    this.procs = { blue: new ColourProcess('blue', `${this.dir}/logs`), green: new ColourProcess('green', `${this.dir}/logs`) };
    this.router = new RouterLink({ dir: this.dir, host: opts.host, port: opts.port, note: (t) => this.note(t) });
    this.traffic = new TrafficMeter(() => this.router.call('status', {}), {
      sampleMs: this.defaults.trafficSampleMs,
      windowMs: this.defaults.trafficWindowMs,
    });
    this.previewToken = opts.previewToken ?? randomBytes(24).toString('hex');
    this.ready = new Promise((r) => (this.markReady = r));
    for (const c of Colours) this.procs[c].on('exit', (info) => this.onExit(c, info));
  }

  get state(): ControllerState {
    if (this.stateOwner === null) throw new Error('the controller has not started');
    return this.stateOwner;
  }

  get publicUrl(): string {
    return this.exposed.url;
  }

  /** Where clients reach the router, and so what the environments accept: from the router's real address once attached. */
  private get exposed(): Exposure {
    const listen = this.router.hello?.listen ?? { host: this.opts.host, port: this.opts.port };
    return exposure({ ...this.opts.exposure, host: listen.host, port: listen.port });
  }

  /** The router as the controller reaches it: its bound address, or loopback when it binds every address. */
  get routerBase(): string {
    const h = this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
    return `http://${h.includes(':') ? `[${h}]` : h}:${this.router.hello?.listen.port ?? this.opts.port}`;
  }

  previewHeaders(colour: Colour): Record<string, string> {
    return { 'x-deployment-color': colour, 'x-deployment-token': this.previewToken };
  }

  /** Takes the admin socket, attaches to (or starts) the router, makes the saved state true again, then routes. */
  async start(): Promise<void> {
    ensureDir(this.dir);
    const saved = readState(this.dir) ?? emptyState(this.opts.bluePort, this.opts.greenPort);
    // Ports on the command line win over saved ones (a TCP colour restarts on its new port).
    saved.colours.blue.port = this.opts.bluePort;
    saved.colours.green.port = this.opts.greenPort;
    // The admin socket first: a second controller on this directory stops here, before touching anything.
    this.servers.push(
      await listenRpc(
        socketPathIn(this.dir, AdminSocketName),
        async (req, out) => {
          await this.ready;
          if (this.closing) return fail('the controller is shutting down');
          return handleAdmin(this, req, out);
        },
        `another controller is already running on ${socketPathIn(this.dir, AdminSocketName)}`,
      ),
    );
    try {
      const { hello, started } = await this.router.attach();
      const owner = new ControllerState(
        this.dir,
        saved,
        this.router,
        {
          previewTokenHash: tokenHash(this.previewToken),
          adminTokenHash: this.opts.adminToken ? tokenHash(this.opts.adminToken) : null,
          controllerApi: socketPathIn(this.dir, ApiSocketName),
        },
        this.log,
      );
      this.stateOwner = owner;
      owner.continueFrom(hello.routes.generation);
      // Until recovery is done the router keeps serving what it has: no half-recovered table reaches it.
      owner.holdRoutes();
      await owner.change({
        controller: { pid: process.pid, startedAt: this.startedAt.toISOString(), host: hello.listen.host, port: hello.listen.port },
        router: { pid: hello.pid, managed: hello.managed },
        event: {
          event: 'controller',
          action: 'start',
          pid: process.pid,
          router: hello.pid,
          routerStarted: started,
          port: hello.listen.port,
        },
      });
      await recover(this);
      await owner.releaseRoutes(hello.routes.generation);
      this.servers.push(await listenDashboardApi(this, { adminToken: this.opts.adminToken }));
      this.router.watch(() => owner.routes());
      this.traffic.start();
    } catch (err) {
      for (const s of this.servers) s.close();
      throw err;
    } finally {
      this.markReady();
    }
  }

  /**
   * Stops the control plane only: the router and the environments keep serving, and the next
   * controller adopts them (a controller restart or upgrade costs no request).
   */
  async detach(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.stopTimers();
    for (const s of this.servers) s.close();
    for (const c of Colours) this.procs[c].release();
    await this.state.change({ controller: null, event: { event: 'controller', action: 'detach', pid: process.pid } });
  }

  /** Stops everything: each colour drained through the router and stopped, then a router this controller manages. */
  async shutdown(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.stopTimers();
    for (const s of this.servers) s.close();
    await Promise.all(
      Colours.map(async (c) => {
        if (!this.procs[c].running && this.state.colour(c).status === 'stopped') return;
        await this.stopColour(c, 'controller shutdown', this.state.colour(c).status === 'failed' ? 'failed' : 'stopped');
      }),
    );
    const routerNote = this.router.hello?.managed ? 'stopped' : 'left running (not started by a controller)';
    if (this.router.hello?.managed) await this.router.stopRouter(this.defaults.stopTimeoutMs);
    await this.state.change({
      controller: null,
      router: this.router.hello?.managed ? null : this.state.data.router,
      event: { event: 'controller', action: 'stop', pid: process.pid, router: routerNote },
    });
  }

  private stopTimers(): void {
    this.analysis?.cancel();
    this.traffic.stop();
    this.router.stopWatching();
    for (const t of [...Object.values(this.keepTimers), ...Object.values(this.restartTimers)]) clearTimeout(t);
  }

  note(text: string): void {
    this.log.warn({ note: text }, 'note');
    if (this.stateOwner !== null && !this.closing) void this.stateOwner.change({ note: text }).catch(() => undefined);
  }

  /**
   * Starts `colour` from `release` and waits until it is ready. Throws (after stopping it, as
   * failed) when its socket or port is taken, the process dies, or it never gets ready.
   */
  async startColour(
    colour: Colour,
    release: ReleaseSpec,
    readyTimeoutMs: number,
    signal?: AbortSignal,
    restarting = false,
  ): Promise<{ pid: number; readyMs: number }> {
    const cs = this.state.colour(colour);
    const proc = this.procs[colour];
    if (proc.running) throw new Error(`${colour} is already running (pid ${proc.pid})`);
    const { spec, listen } = launchSpec(release, colour, {
      socketPath: socketPathIn(this.dir, `${colour}.sock`),
      port: cs.port,
      deployDir: this.dir,
      drainTimeoutMs: Math.max(1000, this.defaults.stopTimeoutMs - 1000),
      allowedHosts: this.exposed.allowedHosts,
      allowedOrigins: this.exposed.allowedOrigins,
    });
    if ('socketPath' in listen) await assertSocketFree(listen.socketPath);
    else await assertPortFree(listen.host, listen.port);
    this.cancelRestart(colour);
    const pid = proc.start(spec);
    await this.state.move(
      colour,
      'starting',
      { version: release.version, release, pid, listen, startedAt: new Date().toISOString(), keepUntil: null, note: null },
      { event: 'start', colour, version: release.version, pid, listen: describeAddress(listen), command: spec.describe, release },
    );
    try {
      const readyMs = await waitReady(listen, proc, readyTimeoutMs, signal);
      await this.state.move(colour, 'ready');
      return { pid, readyMs };
    } catch (err) {
      if (restarting) {
        // A colour restarted after a crash keeps its role: the next attempt brings it back.
        await proc.stop(this.defaults.stopTimeoutMs);
        await this.state.change({ colours: { [colour]: { pid: null } } });
      } else if (signal?.aborted) await this.stopColour(colour, 'the deploy was called off before it was ready', 'stopped');
      else await this.stopColour(colour, `did not become ready: ${(err as Error).message}`, 'failed');
      throw err;
    }
  }

  /**
   * Takes `colour` out of routing (the router lets requests already sent finish, up to the drain
   * timeout), stops its process (SIGTERM, SIGKILL after the stop timeout) and records why.
   */
  async stopColour(colour: Colour, reason: string, status: ColourStatus = 'stopped'): Promise<void> {
    this.cancelKeep(colour);
    this.cancelRestart(colour);
    const t0 = Date.now();
    const d = this.state.data;
    await this.state
      .change({
        colours: { [colour]: { status, keepUntil: null } },
        ...(d.active === colour && { active: null }),
        ...(d.previous === colour && { previous: null }),
      })
      .catch((err: Error) => this.log.warn({ err: err.message, colour }, 'router not told of the stop'));
    const detached = await this.router.call('detach', { colour, graceMs: this.defaults.drainTimeoutMs }).catch(() => ({ aborted: 0 }));
    const exit = await this.procs[colour].stop(this.defaults.stopTimeoutMs);
    await this.state.change({
      colours: { [colour]: { pid: null, note: reason } },
      event: {
        event: 'stop',
        colour,
        version: this.state.colour(colour).version,
        reason,
        aborted: detached.aborted,
        exit,
        durationMs: Date.now() - t0,
      },
    });
  }

  /** Stops a colour kept warm once its keepUntil (saved at the switch) passes. */
  keepWarm(colour: Colour): void {
    this.cancelKeep(colour);
    const until = this.state.colour(colour).keepUntil;
    if (until === null) return;
    const ms = Math.max(0, Date.parse(until) - Date.now());
    this.keepTimers[colour] = setTimeout(() => {
      delete this.keepTimers[colour];
      const cs = this.state.colour(colour);
      if (this.state.active === colour || !this.procs[colour].running || cs.keepUntil !== until) return;
      if (this.locks.size > 0) {
        // A deploy or rollback is deciding about this colour right now: look again shortly.
        void this.state
          .change({ colours: { [colour]: { keepUntil: new Date(Date.now() + 5000).toISOString() } } })
          .then(() => this.keepWarm(colour));
        return;
      }
      this.stopColour(colour, 'keep-previous time passed').catch((err: unknown) => this.log.error({ err }, 'stop failed'));
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

  /** A colour's process ended. Expected stops are handled where they are asked for; crashes are logged and restarted with back-off. */
  private onExit(colour: Colour, info: { code: number | null; signal: string | null; expected: boolean; uptimeMs: number }): void {
    if (info.expected || this.closing) return;
    const cs = this.state.colour(colour);
    const detail = `exit code ${info.code ?? 'none'}${info.signal ? `, signal ${info.signal}` : ''} after ${Math.round(info.uptimeMs / 1000)} s`;
    const crash = { event: 'crash', colour, version: cs.version, pid: cs.pid, detail };
    if (this.analysis?.active && this.analysis.target.colour === colour) {
      void this.state.change({ colours: { [colour]: { pid: null } }, event: crash });
      this.analysis.crashed(detail); // the analysis rolls back
      return;
    }
    if (cs.status === 'starting' || cs.status === 'ready' || !isServing(cs.status) || cs.release === null) {
      // A deploy in phase 1 or 2 sees the exit and fails the phase; a colour not serving just stays down.
      void this.state.change({ colours: { [colour]: { pid: null } }, event: crash });
      return;
    }
    this.crashes[colour] = info.uptimeMs > 60_000 ? 1 : this.crashes[colour] + 1;
    const delay = backoffMs(this.defaults.restartBackoffMs, this.crashes[colour], DefaultRestartBackoffMaxMs);
    void this.state.change({
      colours: { [colour]: { pid: null, note: `crashed (${detail}); restarting in ${delay} ms (attempt ${this.crashes[colour]})` } },
      event: crash,
    });
    this.restartTimers[colour] = setTimeout(() => void this.restart(colour), delay);
    this.restartTimers[colour].unref();
  }

  private async restart(colour: Colour): Promise<void> {
    delete this.restartTimers[colour];
    const cs = this.state.colour(colour);
    if (this.closing || cs.release === null || this.procs[colour].running) return;
    const wasActive = this.state.active === colour;
    try {
      const { pid } = await this.startColour(colour, cs.release, this.defaults.readyTimeoutMs, undefined, true);
      const back: ColourStatus = wasActive && this.state.active === colour ? 'active' : 'standby';
      await this.state.move(
        colour,
        back,
        { note: `restarted after a crash (pid ${pid})` },
        { event: 'restart', colour, version: cs.version, pid },
      );
    } catch (err) {
      this.crashes[colour]++;
      const delay = backoffMs(this.defaults.restartBackoffMs, this.crashes[colour], DefaultRestartBackoffMaxMs);
      await this.state.change({
        colours: { [colour]: { note: `restart failed (${(err as Error).message}); next try in ${delay} ms` } },
        event: { event: 'restart', colour, version: cs.version, failed: (err as Error).message },
      });
      this.restartTimers[colour] = setTimeout(() => void this.restart(colour), delay);
      this.restartTimers[colour].unref();
    }
  }
}
