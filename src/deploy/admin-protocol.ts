import { z } from 'zod';
import type { DeployAnswer } from './deploy-flow.js';
import type { DeploymentEvent } from './deployment-log.js';
import type { RollbackAnswer } from './rollback-flow.js';
import type { TrafficView } from './traffic-meter.js';

// The controller's admin protocol, shared by the daemon and the CLI: one zod schema (checked by
// the daemon before anything happens) per verb's arguments, one type per verb's answer. It
// travels over D/admin.sock as unix-rpc.ts frames it.

const colour = z.enum(['blue', 'green']);
const ms = z.number().int().min(0);
const version = z.string().min(1).max(64);

export const adminArgs = {
  ping: z.strictObject({}),
  status: z.strictObject({}),
  history: z.strictObject({ limit: z.number().int().min(1).max(100_000).optional() }),
  logs: z.strictObject({ colour: colour.optional(), lines: z.number().int().min(1).max(100_000).optional() }),
  deploy: z.strictObject({
    /** Optional only with prices or overlay: the active release's version (its code, new data). */
    version: version.optional(),
    from: z.string().min(1).optional(),
    gitRef: z.string().min(1).optional(),
    command: z.string().min(1).optional(),
    specFile: z.string().min(1).optional(),
    /** Price data (a file or URL in genai-prices' format) and an overlay the new colour serves instead of its bundled ones. */
    prices: z.string().min(1).optional(),
    overlay: z.string().min(1).optional(),
    removedNote: z.string().min(1).optional(),
    cwd: z.string().min(1),
    drainTimeoutMs: ms.optional(),
    keepPreviousMs: ms.optional(),
    manualPromote: z.boolean().optional(),
    analysisWindowMs: ms.optional(),
    maxErrorRate: z.number().min(0).max(1).optional(),
  }),
  promote: z.strictObject({}),
  abort: z.strictObject({}),
  rollback: z.strictObject({ previousVersion: version.optional() }),
  /** Ctrl-C on `deploy`: calls the deploy under way off if it has not switched yet. */
  cancel: z.strictObject({}),
  /** Stops everything: environments, the router this controller manages, the controller. */
  shutdown: z.strictObject({}),
};

export type AdminVerb = keyof typeof adminArgs;
export type AdminArgs<K extends AdminVerb> = z.infer<(typeof adminArgs)[K]>;

export interface ColourStatusView {
  /** The TCP port for releases that only speak TCP. */
  port: number;
  /** Where its process listens (`unix:/path` or `127.0.0.1:port`). */
  listen: string | null;
  status: string; // RUNNING | STOPPED | STARTING | FAILED
  role: string; // the lifecycle status: active | standby | draining | ready | starting | stopped | failed
  health: string;
  pid: number | null;
  /** When its process started (ISO), while it runs: its uptime. */
  startedAt: string | null;
  version: string | null;
  release: string | null;
  /** Which price data it serves: its release's data files (source and digest), or its build's bundled data. */
  data: string | null;
  adopted: boolean;
  keepUntil: string | null;
  inFlight: number;
  sessions: number;
  note: string | null;
}

export interface StatusView {
  controller: { pid: number; startedAt: string; url: string; dir: string };
  router: { pid: number | null; port: number | null; managed: boolean; answering: boolean; generation: number | null };
  active: 'blue' | 'green' | null;
  previous: 'blue' | 'green' | null;
  colours: Record<'blue' | 'green', ColourStatusView>;
  /** A deploy under way: its phase (1 start, 2 validate, 3 switch, 4 drain, 5 promote; 0 before the first). */
  deploy: {
    version: string;
    colour: 'blue' | 'green';
    from: 'blue' | 'green' | null;
    startedAt: string;
    phase: number;
    waitingForPromote: boolean;
  } | null;
  /** The post-switch watch while it runs: the new colour's counts since the switch against the limits. */
  analysis: {
    colour: 'blue' | 'green';
    startedAt: string;
    endsAt: string;
    requests: number;
    errors: number;
    errorRate: number;
    avgLatencyMs: number;
    maxErrorRate: number;
    minRequests: number;
  } | null;
  /** Requests per second, error rate and latency per colour through the router (null until it has been read twice). */
  traffic: TrafficView | null;
  notes: string[];
}

export interface AdminAnswers {
  ping: { pid: number; url: string };
  status: StatusView;
  history: DeploymentEvent[];
  logs: Record<string, string[]>;
  deploy: DeployAnswer;
  promote: DeployAnswer;
  abort: { aborted: string };
  rollback: RollbackAnswer | DeployAnswer;
  cancel: { cancelled: boolean; message: string };
  shutdown: { stopping: true };
}
