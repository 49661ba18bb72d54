// What every MCP server instance shares within one process: the catalog (loaded
// once), telemetry, and who we are. createMcpServer(ctx) is then cheap enough to
// call once per HTTP session.
//
// The catalog is the slow part of a start (reading genai-prices' data and
// building the name index), so it can be loaded after the server already
// answers: openContext() gives a context without it and load() brings it in.
// stdio uses that to answer `initialize` first; HTTP awaits createContext(),
// which loads everything before the server listens.

import type { Catalog } from '../pricing/types.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { VERSION } from '../version.js';
import { logToStderr } from './stderr-log.js';

export interface ServerContext {
  /** The price catalog; reading it before the context is loaded throws (see openContext). */
  readonly catalog: Catalog;
  telemetry: Telemetry;
  version: string;
  /** DEPLOYMENT_COLOR ("blue" / "green"), if the deployer set one. */
  color: string | undefined;
  startedAt: Date;
}

export interface ContextOptions {
  /** Shared telemetry directory; default $LLM_PRICING_TELEMETRY_DIR or ~/.llm-pricing-mcp/telemetry. */
  telemetryDir?: string;
}

/** A context whose catalog may not be loaded yet. */
export interface OpeningContext {
  ctx: ServerContext;
  readonly loaded: boolean;
  /** Loads the catalog (once; every call gets the same promise). */
  load(): Promise<void>;
}

/** Telemetry and identity now; the catalog when load() is called. */
export async function openContext(opts: ContextOptions = {}): Promise<OpeningContext> {
  const startedAt = new Date();
  const color = deploymentColor();
  const telemetry = await Telemetry.open({
    ...(opts.telemetryDir !== undefined ? { dir: opts.telemetryDir } : {}),
    version: VERSION,
    startedAt,
    ...(color ? { color } : {}),
    ...flushInterval(),
    onError: (message) => logToStderr('warn', message),
  });
  let catalog: Catalog | undefined;
  let loading: Promise<void> | undefined;
  const ctx: ServerContext = {
    get catalog(): Catalog {
      if (!catalog) throw new Error('the price catalog is not loaded yet');
      return catalog;
    },
    telemetry,
    version: VERSION,
    color,
    startedAt,
  };
  return {
    ctx,
    get loaded() {
      return catalog !== undefined;
    },
    load: () =>
      (loading ??= (async () => {
        // Loaded here, not imported above: a stdio start answers `initialize` before paying for it.
        const { loadCatalog } = await import('../pricing/load-catalog.js');
        catalog = await loadCatalog();
      })()),
  };
}

/** A context with its catalog loaded. */
export async function createContext(opts: ContextOptions = {}): Promise<ServerContext> {
  const opening = await openContext(opts);
  try {
    await opening.load();
  } catch (err) {
    await opening.ctx.telemetry.close().catch(() => undefined);
    throw err;
  }
  return opening.ctx;
}

/** LLM_PRICING_TELEMETRY_FLUSH_MS overrides how often counts are written (tests use a short one). */
function flushInterval(): { flushIntervalMs?: number } {
  const raw = process.env.LLM_PRICING_TELEMETRY_FLUSH_MS;
  const n = raw ? Number(raw) : NaN;
  return Number.isInteger(n) && n >= 10 ? { flushIntervalMs: n } : {};
}

function deploymentColor(): string | undefined {
  const c = process.env.DEPLOYMENT_COLOR?.trim();
  return c ? c : undefined;
}
