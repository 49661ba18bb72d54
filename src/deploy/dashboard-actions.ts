import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminContext } from './admin-handlers.js';
import { handleAdmin } from './admin-handlers.js';
import { adminArgs } from './admin-protocol.js';
import type { ActionAnswer, ActionsInfo, DashboardVerb } from './status-view.js';
import type { RpcResult } from './unix-rpc.js';

// The dashboard's buttons: the CLI's promote, abort and rollback, each through the admin protocol (the
// same argument schema, the same handler as `llm-pricing-mcp promote`), offered only when the controller
// has an admin token (DEPLOY_ADMIN_TOKEN) and done only for a request that shows it. Loopback clients may
// read the dashboard without a token; they may not act without one.
//   GET  /deploy/api/actions          { enabled, verbs, reason }
//   POST /deploy/api/actions/<verb>   Authorization: Bearer <admin token>; JSON body: the verb's arguments

export const dashboardVerbs: readonly DashboardVerb[] = ['promote', 'abort', 'rollback'];
export type { ActionAnswer, ActionsInfo, DashboardVerb } from './status-view.js';

const maxBodyBytes = 4096;
/** How long the request waits for the verb's answer before it says "under way" (the router's upstream timeout is far longer). */
const answerWaitMs = 2000;

export class DashboardActions {
  private readonly tokenHash: Buffer | null;

  constructor(
    private readonly ctx: AdminContext,
    adminToken: string | undefined,
  ) {
    this.tokenHash = adminToken ? sha256(adminToken) : null;
  }

  info(): ActionsInfo {
    return this.tokenHash === null
      ? {
          enabled: false,
          verbs: [],
          reason:
            'read-only: no admin token is configured (DEPLOY_ADMIN_TOKEN). Promote, abort and roll back with the CLI (llm-pricing-mcp promote | abort | rollback).',
        }
      : {
          enabled: true,
          verbs: [...dashboardVerbs],
          reason: 'actions need the admin token (DEPLOY_ADMIN_TOKEN) and a confirmation',
        };
  }

  /** POST /deploy/api/actions/<verb>: refused with a clear error and nothing done, or done through the admin handler. */
  async handle(req: IncomingMessage, res: ServerResponse, verb: string): Promise<void> {
    if (!isDashboardVerb(verb))
      return send(res, 404, { error: 'not_found', message: `no such action "${verb}" (${dashboardVerbs.join(', ')})` });
    if (this.tokenHash === null) return send(res, 403, { error: 'read_only', message: this.info().reason });
    const auth = req.headers.authorization;
    const presented = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    if (presented === '' || !timingSafeEqual(sha256(presented), this.tokenHash)) {
      res.setHeader('www-authenticate', 'Bearer realm="deploy"');
      return send(res, 401, {
        error: 'unauthorized',
        message: 'this action needs the admin token (Authorization: Bearer <DEPLOY_ADMIN_TOKEN>)',
      });
    }
    // A page of another origin cannot send the Authorization header without a CORS preflight this API never
    // grants; an Origin that is not this host is refused as well.
    const origin = req.headers.origin;
    if (origin !== undefined && hostOf(origin) !== req.headers.host) {
      return send(res, 403, { error: 'forbidden', message: `requests from ${origin} may not act on this deployment` });
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return send(res, 415, { error: 'unsupported_media_type', message: 'send the arguments as application/json ({} for none)' });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      if (err instanceof TooLarge) return send(res, 413, { error: 'too_large', message: err.message });
      return send(res, 400, { error: 'bad_request', message: `the body is not JSON: ${(err as Error).message}` });
    }
    const parsed = adminArgs[verb].safeParse(body);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return send(res, 400, { error: 'bad_request', message: `bad ${verb} arguments: ${why}` });
    }
    this.ctx.state.event({ event: 'action', verb, via: 'dashboard', client: req.headers['x-forwarded-for'] ?? null });
    const lines: string[] = [];
    const out = { line: (text: string) => void lines.push(text), event: () => undefined };
    const done = handleAdmin(this.ctx, { op: verb, args: parsed.data }, out).catch((err: Error): RpcResult => ({
      type: 'result',
      ok: false,
      exitCode: 1,
      error: err.message,
    }));
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<null>((r) => (timer = setTimeout(() => r(null), answerWaitMs)));
    const result = await Promise.race([done, waited]);
    clearTimeout(timer);
    if (result === null) {
      void done.then((r) => this.ctx.log.info({ verb, ok: r.ok, error: r.error }, 'dashboard action finished'));
      return send(res, 202, { ok: true, pending: true, lines } satisfies ActionAnswer);
    }
    const answer: ActionAnswer = { ok: result.ok, pending: false, lines, error: result.error, data: result.data };
    return send(res, result.ok ? 200 : 409, answer);
  }
}

function isDashboardVerb(v: string): v is DashboardVerb {
  return (dashboardVerbs as readonly string[]).includes(v);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

class TooLarge extends Error {}

/** The whole body (bodies over the limit are read to their end and refused: the connection stays usable). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBodyBytes) chunks.push(c);
    });
    req.on('end', () => {
      if (size > maxBodyBytes) return reject(new TooLarge(`the body is over ${maxBodyBytes} bytes`));
      const text = Buffer.concat(chunks).toString('utf8');
      resolve(text.trim() === '' ? '{}' : text);
    });
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
    .end(text);
}
