import { z } from 'zod';

// What the controller and the router say to each other over the router's control socket
// D/router.sock: one type (and one zod schema, checked by the router) per operation's arguments,
// one type per answer. The controller is the only writer of the route table; the router keeps
// the last table it was given in D/routes.json and serves from it across restarts of either side.

export const RouterProtocolVersion = 1;

const colour = z.enum(['blue', 'green']);

/** How the router sees one colour: the controller's colour status, folded to what routing needs. */
export const routeStates = ['starting', 'ready', 'active', 'standby', 'draining', 'stopped'] as const;
export type RouteState = (typeof routeStates)[number];

/** Where an environment listens: a Unix socket in the deploy directory, or TCP for releases that only speak TCP. */
export type Address = { socketPath: string } | { host: string; port: number };

export function describeAddress(a: Address): string {
  return 'socketPath' in a ? `unix:${a.socketPath}` : `${a.host}:${a.port}`;
}

const address = z.union([
  z.strictObject({ socketPath: z.string().min(1).max(100) }),
  z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }),
]);

const route = z.strictObject({ state: z.enum(routeStates), address: address.nullable(), version: z.string().nullable() });

export const routeTableSchema = z.strictObject({
  /** Bumped by the controller on every change; says which table the router serves. */
  generation: z.number().int().min(0),
  active: colour.nullable(),
  colours: z.strictObject({ blue: route, green: route }),
  /** sha256 (hex) of the tokens that open preview, and /deploy/ and /router/, to clients beyond loopback. */
  previewTokenHash: z.string().nullable(),
  adminTokenHash: z.string().nullable(),
  /** The controller's HTTP socket behind /deploy/ (the dashboard API). */
  controllerApi: z.string().max(100).nullable(),
});
export type RouteTable = z.infer<typeof routeTableSchema>;

export function emptyRouteTable(): RouteTable {
  const none = { state: 'stopped' as const, address: null, version: null };
  return {
    generation: 0,
    active: null,
    colours: { blue: { ...none }, green: { ...none } },
    previewTokenHash: null,
    adminTokenHash: null,
    controllerApi: null,
  };
}

export interface RouterHello {
  pid: number;
  startedAt: string;
  protocol: number;
  version: string;
  listen: { host: string; port: number };
  /** Started by a controller (stopped with it by `start` and `shutdown`), or on its own (e.g. a systemd unit). */
  managed: boolean;
  routes: RouteTable;
}

export interface DrainResult {
  ms: number;
  inFlightLeft: number;
  sessionsLeft: number;
  timedOut: boolean;
}

export interface ColourTraffic {
  state: RouteState;
  address: string | null;
  inFlight: number;
  sessions: number;
  sockets: number;
  requests: number;
  serverErrors: number;
  rpcErrors: number;
  latencyMsSum: number;
}

export interface RouterStatus {
  generation: number;
  active: 'blue' | 'green' | null;
  port: number;
  colours: Record<'blue' | 'green', ColourTraffic>;
}

/** Arguments (zod, checked by the router) of each operation. */
export const routerArgs = {
  hello: z.strictObject({}),
  apply: z.strictObject({ routes: routeTableSchema }),
  drain: z.strictObject({ colour, timeoutMs: z.number().int().min(0), sessionIdleMs: z.number().int().min(0).optional() }),
  detach: z.strictObject({ colour, graceMs: z.number().int().min(0) }),
  status: z.strictObject({}),
  inspect: z.strictObject({ colour, on: z.boolean() }),
  stop: z.strictObject({}),
};

/** The answer of each operation. */
export interface RouterAnswers {
  hello: RouterHello;
  apply: { generation: number; switchMs: number };
  drain: DrainResult;
  detach: { aborted: number; ms: number };
  status: RouterStatus;
  inspect: Record<string, never>;
  stop: Record<string, never>;
}

export type RouterOp = keyof typeof routerArgs;
export type RouterArgs<K extends RouterOp> = z.infer<(typeof routerArgs)[K]>;
