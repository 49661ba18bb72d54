// What every MCP server instance shares within one process: the catalog (loaded
// once), telemetry, and who we are. createMcpServer(ctx) is then cheap enough to
// call once per HTTP session.

import { hostname } from 'node:os';
import type { Catalog } from '../pricing/types.js';
import { loadCatalog } from '../pricing/index.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { VERSION } from '../version.js';
import { logToStderr } from './stderr-log.js';
import { warmUp } from './warmup.js';

export interface ServerContext {
  catalog: Catalog;
  telemetry: Telemetry;
  version: string;
  /** DEPLOYMENT_COLOR ("blue" / "green"), if the deployer set one. */
  color: string | undefined;
  /**
   * LLM_PRICING_REPLICA: the name of this replica when it is one of several that share nothing (containers,
   * Kubernetes); "hostname" takes the host name (a pod's name). Then telemetry counts are this replica's alone.
   */
  replica?: string;
  startedAt: Date;
}

export interface ContextOptions {
  /** Shared telemetry directory; default $LLM_PRICING_TELEMETRY_DIR or ~/.llm-pricing-mcp/telemetry. */
  telemetryDir?: string;
  /** Base price data file (genai-prices' format) instead of the bundled copy; default $LLM_PRICING_PRICES. */
  pricesPath?: string;
  /** Overlay file instead of data/overlay.json; default $LLM_PRICING_OVERLAY. */
  overlayPath?: string;
}

const WARM_UP_LIMIT_MS = 2000;

export async function createContext(opts: ContextOptions = {}): Promise<ServerContext> {
  const startedAt = new Date();
  const color = deploymentColor();
  const [catalog, telemetry] = await Promise.all([
    loadCatalog(catalogFiles(opts)),
    Telemetry.open({
      ...(opts.telemetryDir !== undefined ? { dir: opts.telemetryDir } : {}),
      version: VERSION,
      startedAt,
      ...(color ? { color } : {}),
      ...flushInterval(),
      onError: (message) => logToStderr('warn', message),
    }),
  ]);
  const replica = replicaName();
  const ctx: ServerContext = { catalog, telemetry, version: VERSION, color, startedAt, ...(replica && { replica }) };
  // Warming up only saves time; it must never stop or stall a start.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    warmUp(ctx).catch((err: unknown) => logToStderr('warn', 'warm-up failed', { error: String(err) })),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, WARM_UP_LIMIT_MS))),
  ]);
  clearTimeout(timer);
  return ctx;
}

/** The price data files in force: the options, else LLM_PRICING_PRICES and LLM_PRICING_OVERLAY. */
function catalogFiles(opts: ContextOptions): { pricesPath?: string; overlayPath?: string } {
  const prices = opts.pricesPath ?? (process.env.LLM_PRICING_PRICES?.trim() || undefined);
  const overlay = opts.overlayPath ?? (process.env.LLM_PRICING_OVERLAY?.trim() || undefined);
  return { ...(prices ? { pricesPath: prices } : {}), ...(overlay ? { overlayPath: overlay } : {}) };
}

/** LLM_PRICING_TELEMETRY_FLUSH_MS overrides how often counts are written (tests use a short one). */
function flushInterval(): { flushIntervalMs?: number } {
  const raw = process.env.LLM_PRICING_TELEMETRY_FLUSH_MS;
  const n = raw ? Number(raw) : NaN;
  return Number.isInteger(n) && n >= 10 ? { flushIntervalMs: n } : {};
}

function replicaName(): string | undefined {
  const r = process.env.LLM_PRICING_REPLICA?.trim();
  if (!r) return undefined;
  return r === 'hostname' ? hostname() : r;
}

function deploymentColor(): string | undefined {
  const c = process.env.DEPLOYMENT_COLOR?.trim();
  return c ? c : undefined;
}
