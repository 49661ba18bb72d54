import { rmSync } from 'node:fs';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type net from 'node:net';
import { answerAsset, readWebAssets, WEB_ROOT } from '../http/web-assets.js';
import type { WebAsset } from '../http/web-assets.js';
import type { AdminContext } from './admin-handlers.js';
import { DashboardActions, send } from './dashboard-actions.js';
import { ApiSocketName } from './defaults.js';
import type { DeploymentEvent } from './deployment-log.js';
import { readEvents } from './deployment-log.js';
import { collectStatus } from './status.js';
import { socketPathIn } from './unix-rpc.js';

// The deployment dashboard and its API, served by the controller on D/api.sock and reached through the
// router at /deploy/ (off the MCP hot path; the router lets in loopback clients and the admin token only):
//   GET /deploy/                    the dashboard page (web/dashboard, built into dist/web) and its /deploy/assets/
//   GET /deploy/api/status          the object `status --json` prints
//   GET /deploy/api/history?limit=N[&event=E]  deployment.log events, oldest first (only those named E)
//   GET /deploy/api/events          server-sent events: `status` whenever the state changes and at each traffic
//                                   reading (once a second), `log` per deployment.log line
//   GET|POST /deploy/api/actions[/<verb>]  promote, abort, rollback with the admin token (dashboard-actions.ts)

const maxHistory = 10_000;
const statusDebounceMs = 100;
const keepAliveMs = 25_000;

export interface DashboardOptions {
  /** DEPLOY_ADMIN_TOKEN: without it the dashboard is read-only. */
  adminToken?: string;
  /** Where the built pages are (dist/web). */
  webRoot?: string;
}

export async function listenDashboardApi(ctx: AdminContext, opts: DashboardOptions = {}): Promise<net.Server> {
  const path = socketPathIn(ctx.dir, ApiSocketName);
  rmSync(path, { force: true }); // only the controller that holds the admin socket gets here
  const assets = readWebAssets('dashboard', opts.webRoot ?? WEB_ROOT);
  if (assets === null)
    ctx.log.warn({ dir: opts.webRoot ?? WEB_ROOT }, 'web pages not built (npm run build makes them); /deploy/ serves the API only');
  const actions = new DashboardActions(ctx, opts.adminToken);
  const feed = new StatusFeed(ctx);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://controller');
    if (url.pathname.startsWith('/deploy/api/actions')) return void routeAction(actions, req, res, url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { error: 'method_not_allowed', message: 'the deployment API is read-only' });
    switch (url.pathname) {
      case '/deploy':
        // The page's relative addresses need the trailing slash.
        res.writeHead(308, { location: `/deploy/${url.search}`, 'content-length': 0 }).end();
        return;
      case '/deploy/api/status':
        return void collectStatus(ctx).then(
          (s) => send(res, 200, s),
          (err: Error) => send(res, 500, { error: 'internal', message: err.message }),
        );
      case '/deploy/api/history':
        return history(ctx, url, res);
      case '/deploy/api/events':
        return feed.add(res);
    }
    const asset = assets?.get(url.pathname);
    if (asset !== undefined) return sendAsset(req, res, asset);
    return send(res, 404, { error: 'not_found', message: `no such deployment API path: ${url.pathname}` });
  });
  // Closing the server ends the event streams too (it would otherwise wait for them: they never end by themselves).
  const stop = server.close.bind(server);
  server.close = ((callback?: (err?: Error) => void) => {
    feed.close();
    return stop(callback);
  }) as typeof server.close;
  // Like the other sockets: 0600 from the moment it exists (the router, same user, is its only client).
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  return server;
}

async function routeAction(actions: DashboardActions, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  try {
    if (path === '/deploy/api/actions') {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(res, 405, { error: 'method_not_allowed', message: 'GET the actions; POST one of them' });
      return send(res, 200, actions.info());
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, { error: 'method_not_allowed', message: 'an action is a POST' });
    }
    await actions.handle(req, res, path.slice('/deploy/api/actions/'.length));
  } catch (err) {
    if (!res.headersSent) send(res, 500, { error: 'internal', message: (err as Error).message });
  }
}

function history(ctx: AdminContext, url: URL, res: ServerResponse): void {
  const raw = url.searchParams.get('limit');
  const limit = raw === null ? 100 : Number(raw);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= maxHistory)) {
    return send(res, 400, { error: 'bad_request', message: `limit must be a whole number from 1 to ${maxHistory}, got "${raw}"` });
  }
  const event = url.searchParams.get('event');
  if (event !== null && !/^[a-z-]{1,32}$/.test(event)) {
    return send(res, 400, {
      error: 'bad_request',
      message: `event must be an event name such as deploy, switch or answers, got "${event}"`,
    });
  }
  const all = readEvents(ctx.dir);
  send(res, 200, (event === null ? all : all.filter((e) => e.event === event)).slice(-limit));
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: WebAsset): void {
  const a = answerAsset(asset, req.headers['if-none-match'], req.headers['accept-encoding']);
  if (a.body !== undefined) a.headers['content-length'] = String(a.body.length);
  res.writeHead(a.status, a.headers).end(a.body);
}

/**
 * The server-sent event streams: every open dashboard gets the status when the state changes (debounced)
 * and after each traffic reading, collected once for all of them, and each deployment.log line as it is
 * written. Nothing is collected while no dashboard is open.
 */
class StatusFeed {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private collecting = false;
  private again = false;
  private readonly onChange = () => (this.timer ??= setTimeout(() => this.broadcast(), statusDebounceMs));
  private readonly onSample = () => this.broadcast();
  private readonly onLog = (e: DeploymentEvent) => this.sendAll('log', e);
  private readonly ping: NodeJS.Timeout;

  constructor(private readonly ctx: AdminContext) {
    ctx.state.on('change', this.onChange);
    ctx.state.on('log', this.onLog);
    ctx.traffic.on('sample', this.onSample);
    this.ping = setInterval(() => {
      for (const res of this.clients) res.write(': keep-alive\n\n');
    }, keepAliveMs);
    this.ping.unref();
  }

  add(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    // The state as it is now, to this client alone.
    collectStatus(this.ctx).then(
      (s) => write(res, 'status', s),
      () => undefined,
    );
  }

  close(): void {
    clearInterval(this.ping);
    if (this.timer) clearTimeout(this.timer);
    this.ctx.state.off('change', this.onChange);
    this.ctx.state.off('log', this.onLog);
    this.ctx.traffic.off('sample', this.onSample);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private broadcast(): void {
    this.timer = undefined;
    if (this.clients.size === 0) return;
    if (this.collecting) {
      this.again = true; // a change while collecting: collect once more after, so no change is missed
      return;
    }
    this.collecting = true;
    collectStatus(this.ctx)
      .then(
        (s) => this.sendAll('status', s),
        () => undefined,
      )
      .finally(() => {
        this.collecting = false;
        if (this.again) {
          this.again = false;
          this.broadcast();
        }
      });
  }

  private sendAll(event: string, data: unknown): void {
    for (const res of this.clients) write(res, event, data);
  }
}

function write(res: ServerResponse, event: string, data: unknown): void {
  if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
