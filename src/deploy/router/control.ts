import type net from 'node:net';
import type { Logger } from 'pino';
import { VERSION } from '../../version.js';
import type { RouterAnswers, RouterArgs, RouterHello, RouterOp } from '../router-protocol.js';
import { RouterProtocolVersion, routerArgs } from '../router-protocol.js';
import { fail, listenRpc, ok } from '../unix-rpc.js';
import type { RpcResult } from '../unix-rpc.js';
import type { Router } from './router.js';
import { writeRoutes } from './routes-file.js';

export interface ControlOptions {
  dir: string;
  socketPath: string;
  host: string;
  managed: boolean;
  startedAt: Date;
  logger: Logger;
  /** The `stop` operation: the daemon closes the router and exits. */
  onStop: () => void;
}

/**
 * The router's control socket D/router.sock: the controller's only way in. Every operation's
 * arguments are checked against the protocol's schema before anything changes.
 */
export function listenControl(router: Router, o: ControlOptions): Promise<net.Server> {
  const handlers: { [K in RouterOp]: (args: RouterArgs<K>) => Promise<RouterAnswers[K]> | RouterAnswers[K] } = {
    hello: (): RouterHello => ({
      pid: process.pid,
      startedAt: o.startedAt.toISOString(),
      protocol: RouterProtocolVersion,
      version: VERSION,
      listen: { host: o.host, port: router.port },
      managed: o.managed,
      routes: router.table,
    }),
    apply: ({ routes }) => {
      const r = router.apply(routes);
      // Saved right after the answer, off the switch's path: a router that dies in between comes back
      // with the table before, and the controller (which saved this one first) gives it again.
      setImmediate(() => {
        if (router.table.generation === routes.generation) writeRoutes(o.dir, routes);
      });
      o.logger.info({ generation: routes.generation, active: routes.active, switchMs: r.switchMs }, 'routes applied');
      return r;
    },
    drain: ({ colour, timeoutMs, sessionIdleMs }) => router.drain(colour, timeoutMs, sessionIdleMs),
    detach: ({ colour, graceMs }) => router.detach(colour, graceMs),
    status: () => router.status(),
    inspect: ({ colour, on }) => {
      router.targets[colour].inspectBodies = on;
      return {};
    },
    stop: () => {
      setImmediate(o.onStop);
      return {};
    },
  };
  return listenRpc(
    o.socketPath,
    async (req): Promise<RpcResult> => {
      if (!(req.op in routerArgs)) return fail(`unknown router operation "${req.op}"`, 2);
      const op = req.op as RouterOp;
      const parsed = routerArgs[op].safeParse(req.args);
      if (!parsed.success)
        return fail(`bad ${op} arguments: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 2);
      return ok(await (handlers[op] as (a: unknown) => unknown)(parsed.data));
    },
    `another router is already running on ${o.socketPath}`,
  );
}
