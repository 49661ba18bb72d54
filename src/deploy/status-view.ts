// What the controller shows of itself: the object `status --json` prints and the dashboard reads, the lines of
// deployment.log, the dashboard's actions. Types only, with no import, so the browser pages (compiled without
// Node's types) share them with the controller instead of keeping a copy.

type Colour = 'blue' | 'green';

/** One colour's traffic through the router: totals since the router started, rates over the last window. */
export interface ColourRates {
  /** Requests the router has answered for this colour since it started. */
  requests: number;
  /** Of those, 5xx answers and JSON-RPC server errors (the latter counted while the analysis inspects bodies). */
  errors: number;
  /** Over the window: requests per second, the share that were errors, their mean latency (null with no request). */
  rps: number;
  errorRate: number;
  avgLatencyMs: number | null;
}

/** What `status` shows of the traffic (null until two readings span some time). */
export interface TrafficView {
  /** The span the rates are over (up to the configured window; shorter just after a start). */
  windowMs: number;
  sampledAt: string;
  colours: Record<Colour, ColourRates>;
}

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
  active: Colour | null;
  previous: Colour | null;
  colours: Record<Colour, ColourStatusView>;
  /** A deploy under way: its phase (1 start, 2 validate, 3 switch, 4 drain, 5 promote; 0 before the first). */
  deploy: {
    version: string;
    colour: Colour;
    from: Colour | null;
    startedAt: string;
    phase: number;
    waitingForPromote: boolean;
  } | null;
  /** The post-switch watch while it runs: the new colour's counts since the switch against the limits. */
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
  /** Requests per second, error rate and latency per colour through the router (null until it has been read twice). */
  traffic: TrafficView | null;
  notes: string[];
}

/** One line of D/deployment.log. `event` names what happened; the rest depends on it. */
export interface DeploymentEvent {
  ts: string;
  event: string; // phase | switch | drain | stop | start | rollback | analysis | crash | restart | adopt | controller | deploy | answers | action
  [key: string]: unknown;
}

export type DashboardVerb = 'promote' | 'abort' | 'rollback';

export interface ActionsInfo {
  enabled: boolean;
  verbs: DashboardVerb[];
  reason: string;
}

/** What the page gets back for an action: the verb's own lines and answer, or that it goes on. */
export interface ActionAnswer {
  ok: boolean;
  /** Still running after `answerWaitMs` (a promote drains, a rollback may start a colour): the page follows it live. */
  pending: boolean;
  lines: string[];
  error?: string;
  data?: unknown;
}
