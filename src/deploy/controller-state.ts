import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ColourStatus } from './colour-lifecycle.js';
import { TransitionError, checkTransition, routeState } from './colour-lifecycle.js';
import type { Colour } from './defaults.js';
import { Colours } from './defaults.js';
import { appendEvent } from './deployment-log.js';
import type { DeploymentEvent } from './deployment-log.js';
import type { RouteTable } from './router-protocol.js';
import type { ColourState, DeployState, PendingDeploy } from './state.js';
import { writeState } from './state.js';

export type ColourPatch = Partial<ColourState>;

/** One change of the controller's state: checked, saved, logged and routed together. */
export interface StateChange {
  colours?: Partial<Record<Colour, ColourPatch>>;
  active?: Colour | null;
  previous?: Colour | null;
  deploy?: PendingDeploy | null;
  controller?: DeployState['controller'];
  router?: DeployState['router'];
  /** A controller-wide note for `status` (the last ten are kept). */
  note?: string;
  /** The deployment.log event that says what happened. */
  event?: { event: string; [key: string]: unknown };
}

/** Where route tables go (the router link); absent in tests of the state alone. */
export interface RoutePusher {
  push(table: RouteTable): Promise<{ switchMs: number }>;
}

export interface RouteConfig {
  previewTokenHash: string | null;
  adminTokenHash: string | null;
  controllerApi: string | null;
}

/**
 * The one owner of the controller's state (D/state.json): both colours' lifecycles, which colour
 * is active and which was before, the deploy under way. Every change goes through `change()`,
 * which checks each colour's step against the lifecycle (colour-lifecycle.ts) and the state's
 * invariants, saves the file atomically, appends the event to deployment.log, tells the
 * dashboard ('change', 'log') and pushes the route table to the router when routing changed.
 * A change that breaks a rule throws and changes nothing.
 */
export class ControllerState extends EventEmitter {
  private generation = 0;
  private lastRoutes = '';
  private held = false;

  constructor(
    readonly dir: string,
    private current: DeployState,
    private readonly router: RoutePusher,
    private readonly config: RouteConfig,
    private readonly log: Logger,
  ) {
    super();
    this.lastRoutes = this.routesKey();
  }

  get data(): Readonly<DeployState> {
    return this.current;
  }

  colour(c: Colour): Readonly<ColourState> {
    return this.current.colours[c];
  }

  get active(): Colour | null {
    return this.current.active;
  }

  /** Table generations continue from the router's (a new controller must not go backwards). */
  continueFrom(generation: number): void {
    this.generation = Math.max(this.generation, generation);
  }

  /** While held (recovery), routing changes are saved but not pushed: the router keeps serving what it has. */
  holdRoutes(): void {
    this.held = true;
  }

  /** Ends the hold and pushes the table if it differs from what the router has. */
  releaseRoutes(routerGeneration: number): Promise<{ switchMs: number } | null> {
    this.held = false;
    if (this.lastRoutes === this.routesKey() && routerGeneration === this.generation) return Promise.resolve(null);
    return this.pushRoutes();
  }

  /**
   * Applies one change: checked, then saved, logged and (if routing changed) pushed to the router.
   * The save happens before this returns; the returned promise settles when the router has the
   * new table (null when routing did not change).
   */
  change(c: StateChange): Promise<{ switchMs: number } | null> {
    const next = structuredClone(this.current);
    for (const colour of Colours) {
      const patch = c.colours?.[colour];
      if (patch === undefined) continue;
      if (patch.status !== undefined) checkTransition(colour, next.colours[colour].status, patch.status);
      Object.assign(next.colours[colour], patch);
    }
    if (c.active !== undefined) next.active = c.active;
    if (c.previous !== undefined) next.previous = c.previous;
    if (c.deploy !== undefined) next.deploy = c.deploy;
    if (c.controller !== undefined) next.controller = c.controller;
    if (c.router !== undefined) next.router = c.router;
    if (c.note !== undefined) next.notes = [...next.notes.slice(-9), `${new Date().toISOString()} ${c.note}`];
    checkInvariants(next);
    this.current = next;
    writeState(this.dir, next);
    if (c.event) this.event(c.event);
    this.emit('change', next);
    if (this.held || this.lastRoutes === this.routesKey()) return Promise.resolve(null);
    return this.pushRoutes();
  }

  /** Moves one colour's lifecycle (shorthand for change()). */
  move(colour: Colour, status: ColourStatus, patch: ColourPatch = {}, event?: StateChange['event']): Promise<{ switchMs: number } | null> {
    return this.change({ colours: { [colour]: { ...patch, status } }, event });
  }

  /** Appends one event to deployment.log (and the controller log) without a state change. */
  event(e: { event: string; [key: string]: unknown }): DeploymentEvent {
    const full = appendEvent(this.dir, e);
    this.log.info(full, e.event);
    this.emit('log', full);
    return full;
  }

  /** The table the router serves, folded from the state. */
  routes(): RouteTable {
    const colours = {} as RouteTable['colours'];
    for (const c of Colours) {
      const cs = this.current.colours[c];
      const state = routeState(cs.status);
      colours[c] = { state, address: state === 'stopped' ? null : cs.listen, version: cs.version };
    }
    return { generation: this.generation, active: this.current.active, colours, ...this.config };
  }

  private routesKey(): string {
    const { generation: _generation, ...rest } = this.routes();
    return JSON.stringify(rest);
  }

  private pushRoutes(): Promise<{ switchMs: number }> {
    this.lastRoutes = this.routesKey();
    this.generation++;
    return this.router.push(this.routes());
  }
}

/** Rules every saved state keeps; breaking one is a bug in the caller. */
function checkInvariants(s: DeployState): void {
  if (s.active !== null) {
    const st = s.colours[s.active].status;
    if (st !== 'active' && st !== 'starting' && st !== 'ready')
      throw new TransitionError(`${s.active} cannot be the active colour while ${st}`);
  }
  for (const c of Colours) {
    if (s.colours[c].status === 'active' && s.active !== c)
      throw new TransitionError(`${c} is active but ${s.active ?? 'nothing'} is the active colour`);
  }
  if (s.previous !== null && s.previous === s.active) throw new TransitionError(`${s.previous} cannot be both active and previous`);
}
