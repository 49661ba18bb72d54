import { rmSync } from 'node:fs';
import http from 'node:http';
import type { ServerResponse } from 'node:http';
import type net from 'node:net';
import type { DeployContext } from './context.js';
import { ApiSocketName } from './defaults.js';
import type { DeploymentEvent } from './deployment-log.js';
import { readEvents } from './deployment-log.js';
import { collectStatus } from './status.js';
import { socketPathIn } from './unix-rpc.js';

// The dashboard's API, served by the controller on D/api.sock and reached through the router at
// /deploy/ (off the MCP hot path; the router lets in loopback clients and the admin token only):
//   GET /deploy/api/status          the object `status --json` prints
//   GET /deploy/api/history?limit=N deployment.log events, oldest first
//   GET /deploy/api/events          server-sent events: `status` whenever the state changes, `log` per deployment.log line

const maxHistory = 10_000;
const statusDebounceMs = 100;
const keepAliveMs = 25_000;

export async function listenDashboardApi(ctx: DeployContext): Promise<net.Server> {
  const path = socketPathIn(ctx.dir, ApiSocketName);
  rmSync(path, { force: true }); // only the controller that holds the admin socket gets here
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://controller');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(res, 405, { error: 'method_not_allowed', message: 'the deployment API is read-only' });
    switch (url.pathname) {
      case '/deploy/api/status':
        return void collectStatus(ctx).then(
          (s) => json(res, 200, s),
          (err: Error) => json(res, 500, { error: 'internal', message: err.message }),
        );
      case '/deploy/api/history': {
        const raw = url.searchParams.get('limit');
        const limit = raw === null ? undefined : Number(raw);
        if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= maxHistory)) {
          return json(res, 400, { error: 'bad_request', message: `limit must be a whole number from 1 to ${maxHistory}, got "${raw}"` });
        }
        return json(res, 200, readEvents(ctx.dir, limit ?? 100));
      }
      case '/deploy/api/events':
        return events(ctx, res);
      default:
        return json(res, 404, { error: 'not_found', message: `no such deployment API path: ${url.pathname}` });
    }
  });
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

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
    .end(text);
}

/** A server-sent event stream of state changes and deployment.log lines, until the client goes. */
function events(ctx: DeployContext, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  let timer: NodeJS.Timeout | undefined;
  const sendStatus = () => {
    timer = undefined;
    collectStatus(ctx).then(
      (s) => send('status', s),
      () => undefined,
    );
  };
  const onChange = () => (timer ??= setTimeout(sendStatus, statusDebounceMs));
  const onLog = (e: DeploymentEvent) => send('log', e);
  const ping = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
  ctx.state.on('change', onChange);
  ctx.state.on('log', onLog);
  res.on('close', () => {
    clearInterval(ping);
    if (timer) clearTimeout(timer);
    ctx.state.off('change', onChange);
    ctx.state.off('log', onLog);
  });
  sendStatus();
}
