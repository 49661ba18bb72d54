// What the dashboard reads from the controller's API. The source of truth is src/deploy/admin-protocol.ts
// (StatusView, the object `status --json` prints), src/deploy/traffic-meter.ts (TrafficView),
// src/deploy/deployment-log.ts (DeploymentEvent) and src/deploy/dashboard-actions.ts; these are the parts
// the page uses, written out because the page is compiled without the server's (Node) types.

export type Colour = 'blue' | 'green';
export const COLOURS: readonly Colour[] = ['blue', 'green'];

export interface ColourView {
  listen: string | null;
  /** RUNNING | STOPPED | STARTING | FAILED */
  status: string;
  /** active | standby | draining | ready | starting | stopped | failed */
  role: string;
  health: string;
  pid: number | null;
  startedAt: string | null;
  version: string | null;
  release: string | null;
  adopted: boolean;
  keepUntil: string | null;
  inFlight: number;
  sessions: number;
  note: string | null;
}

export interface ColourRates {
  requests: number;
  errors: number;
  rps: number;
  errorRate: number;
  avgLatencyMs: number | null;
}

export interface StatusView {
  controller: { pid: number; startedAt: string; url: string; dir: string };
  router: { pid: number | null; port: number | null; managed: boolean; answering: boolean; generation: number | null };
  active: Colour | null;
  previous: Colour | null;
  colours: Record<Colour, ColourView>;
  deploy: { version: string; colour: Colour; from: Colour | null; startedAt: string; phase: number; waitingForPromote: boolean } | null;
  analysis: {
    colour: Colour;
    startedAt: string;
    endsAt: string;
    requests: number;
    errors: number;
    errorRate: number;
    avgLatencyMs: number;
    maxErrorRate: number;
    minRequests: number;
  } | null;
  traffic: { windowMs: number; sampledAt: string; colours: Record<Colour, ColourRates> } | null;
  notes: string[];
}

/** One line of deployment.log: `event` names what happened; the rest depends on it. */
export interface DeploymentEvent {
  ts: string;
  event: string;
  [key: string]: unknown;
}

export type Verb = 'promote' | 'abort' | 'rollback';

export interface ActionsInfo {
  enabled: boolean;
  verbs: Verb[];
  reason: string;
}

export interface ActionAnswer {
  ok: boolean;
  pending: boolean;
  lines: string[];
  error?: string;
}

export const up = (c: string | null | undefined): string => (c ? c.toUpperCase() : '—');
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
