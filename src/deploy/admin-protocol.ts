import { z } from 'zod';
import type { DeployAnswer } from './deploy-phases.js';
import type { DeploymentEvent, StatusView } from './status-view.js';
import type { RollbackAnswer } from './rollback-flow.js';

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

export type { ColourStatusView, StatusView } from './status-view.js';

export type AdminVerb = keyof typeof adminArgs;
export type AdminArgs<K extends AdminVerb> = z.infer<(typeof adminArgs)[K]>;

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
