import type { Logger } from 'pino';
import type { Analysis } from './analysis.js';
import type { ColourStatus } from './colour-lifecycle.js';
import type { ControllerState } from './controller-state.js';
import type { Colour, DeployDefaults } from './defaults.js';
import type { RouterLink } from './router-link.js';
import type { ReleaseSpec } from './state.js';
import type { ColourProcess } from './supervisor.js';
import type { TrafficMeter } from './traffic-meter.js';

/** What a pending --manual-promote deploy needs to continue. */
export interface PendingPromotion {
  colour: Colour;
  version: string;
  opts: DeployOptions;
}

export interface DeployOptions {
  drainTimeoutMs: number;
  keepPreviousMs: number;
  manualPromote: boolean;
  analysisWindowMs: number;
  maxErrorRate: number;
}

/**
 * What the deploy, rollback, recovery and status code sees of the controller. The controller
 * implements it; they depend on this interface only, so nothing in src/deploy imports the
 * controller but the daemon that starts it.
 */
export interface DeployContext {
  readonly dir: string;
  readonly state: ControllerState;
  readonly procs: Record<Colour, ColourProcess>;
  readonly router: RouterLink;
  /** Requests per second, error rate and latency per colour, from the router's counts. */
  readonly traffic: TrafficMeter;
  readonly defaults: DeployDefaults;
  readonly log: Logger;
  /** Operations under way (deploy, rollback, cleanup:<colour>): one deploy or rollback at a time. */
  readonly locks: Map<string, string>;
  pending: PendingPromotion | null;
  analysis: Analysis | null;
  /** The MCP endpoint clients use. */
  readonly publicUrl: string;
  readonly startedAt: Date;
  /** The router's own address for the controller's requests (validation through preview), and the headers that open preview. */
  readonly routerBase: string;
  readonly previewHeaders: (colour: Colour) => Record<string, string>;
  startColour(
    colour: Colour,
    release: ReleaseSpec,
    readyTimeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ pid: number; readyMs: number }>;
  stopColour(colour: Colour, reason: string, status?: ColourStatus): Promise<void>;
  /** Arms the timer that stops a colour kept warm once its keepUntil (saved at the switch) passes. */
  keepWarm(colour: Colour): void;
  cancelKeep(colour: Colour): void;
}
