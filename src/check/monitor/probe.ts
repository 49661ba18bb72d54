import { z } from 'zod';
import { getJson } from '../http-get.js';
import { openHttpSession } from '../validate/session.js';
import type { Session } from '../validate/session.js';

// What monitor reads from one environment: its HTTP facts (/health,
// /deployment/info, /health/detailed) and, over MCP at <base>/mcp, its tools.

const DeploymentInfo = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  color: z.string().nullable().optional(),
  pid: z.number().optional(),
  started_at: z.string().optional(),
  data_as_of: z.string().optional(),
});
export type DeploymentInfo = z.infer<typeof DeploymentInfo>;

const HealthDetailed = z.looseObject({
  status: z.string().optional(),
  version: z.string().optional(),
  catalog: z
    .looseObject({
      loaded: z.boolean(),
      models: z.number().optional(),
      providers: z.number().optional(),
      data_as_of: z.string().optional(),
      source: z.string().optional(),
    })
    .optional(),
  memory: z.looseObject({ rss_bytes: z.number().optional(), heap_used_bytes: z.number().optional() }).optional(),
});
export type HealthDetailed = z.infer<typeof HealthDetailed>;

export type Fact<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Is anything answering at all? GET <base>/health. */
export async function probeEndpoint(base: string, timeoutMs: number): Promise<Fact<true>> {
  const r = await getJson(`${base}/health`, timeoutMs);
  if (r.ok) return { ok: true, value: true };
  if (r.status === undefined)
    return { ok: false, reason: r.reason.replace(`${base}/health not reachable`, `endpoint ${base} not reachable`) };
  return { ok: false, reason: `endpoint ${base} answered /health with HTTP ${r.status}` };
}

export async function readDeploymentInfo(base: string, timeoutMs: number): Promise<Fact<DeploymentInfo>> {
  return readShape(`${base}/deployment/info`, DeploymentInfo, timeoutMs);
}

export async function readHealthDetailed(base: string, timeoutMs: number): Promise<Fact<HealthDetailed>> {
  return readShape(`${base}/health/detailed`, HealthDetailed, timeoutMs);
}

async function readShape<T>(url: string, schema: z.ZodType<T>, timeoutMs: number): Promise<Fact<T>> {
  const r = await getJson(url, timeoutMs);
  if (!r.ok) return { ok: false, reason: r.reason };
  const parsed = schema.safeParse(r.body);
  if (!parsed.success) return { ok: false, reason: `${url} answered an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  return { ok: true, value: parsed.data };
}

/** Lists the tools over a short-lived MCP session. */
export async function listToolNames(base: string, timeoutMs: number): Promise<Fact<string[]>> {
  let session: Session | undefined;
  try {
    session = await openHttpSession(`${base}/mcp`, timeoutMs);
    const tools = await session.listTools(timeoutMs);
    return { ok: true, value: tools.map((t) => t.name) };
  } catch (err) {
    return { ok: false, reason: `MCP tools/list at ${base}/mcp failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    await session?.close();
  }
}
