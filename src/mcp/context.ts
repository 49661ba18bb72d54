// What every MCP server instance shares within one process: the catalog (loaded
// once), telemetry, and who we are. createMcpServer(ctx) is then cheap enough to
// call once per HTTP session.
//
// The catalog is the slow part of a start (reading genai-prices' data and
// building the name index), so it can be loaded after the server already
// answers: openContext() gives a context without it and load() brings it in.
// stdio uses that to answer `initialize` first; HTTP awaits createContext(),
// which loads everything before the server listens.

import { hostname } from 'node:os';
import type { Catalog } from '../pricing/types.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { VERSION } from '../version.js';
import { logToStderr } from './stderr-log.js';

export interface ServerContext {
  /** The price catalog; reading it before the context is loaded throws (see openContext). */
  readonly catalog: Catalog;
  /** Per-tool counts; like the catalog, there once the context is loaded. */
  readonly telemetry: Telemetry;
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

/** A context whose catalog and telemetry may not be loaded yet. */
export interface OpeningContext {
  ctx: ServerContext;
  readonly loaded: boolean;
  /** Loads the catalog and opens telemetry (once; every call gets the same promise). */
  load(): Promise<void>;
  /** Flushes and closes telemetry if it was opened (after a load in progress ends). */
  close(): Promise<void>;
}

/**
 * Who we are now; the catalog and telemetry (which takes the store's file lock
 * and fsyncs) when load() is called. Reading either before that throws.
 */
export function openContext(opts: ContextOptions = {}): OpeningContext {
  const startedAt = new Date();
  const color = deploymentColor();
  const replica = replicaName();
  let catalog: Catalog | undefined;
  let telemetry: Telemetry | undefined;
  let loading: Promise<void> | undefined;
  const ctx: ServerContext = {
    get catalog(): Catalog {
      if (!catalog) throw new Error('the price catalog is not loaded yet');
      return catalog;
    },
    get telemetry(): Telemetry {
      if (!telemetry) throw new Error('telemetry is not open yet');
      return telemetry;
    },
    version: VERSION,
    color,
    startedAt,
    ...(replica && { replica }),
  };
  const load = (): Promise<void> =>
    (loading ??= (async () => {
      // Loaded here, not imported above: a stdio start answers `initialize` before paying for it.
      const [{ loadCatalog }, opened] = await Promise.all([
        import('../pricing/load-catalog.js'),
        Telemetry.open({
          ...(opts.telemetryDir !== undefined ? { dir: opts.telemetryDir } : {}),
          version: VERSION,
          startedAt,
          ...(color ? { color } : {}),
          ...flushInterval(),
          onError: (message) => logToStderr('warn', message),
        }),
      ]);
      telemetry = opened;
      catalog = await loadCatalog(catalogFiles(opts));
    })());
  return {
    ctx,
    get loaded() {
      return catalog !== undefined && telemetry !== undefined;
    },
    load,
    async close() {
      await loading?.catch(() => undefined);
      await telemetry?.close();
    },
  };
}

/** A context with its catalog loaded and telemetry open. */
export async function createContext(opts: ContextOptions = {}): Promise<ServerContext> {
  const opening = openContext(opts);
  try {
    await opening.load();
  } catch (err) {
    await opening.close().catch(() => undefined);
    throw err;
  }
  return opening.ctx;
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
