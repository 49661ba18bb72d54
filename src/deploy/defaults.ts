import { envDuration } from '../duration.js';

// Named defaults of the deployer. Every one can be overridden by the environment
// variable named beside it (and most by a CLI flag, which wins over both).

export const DefaultDir = '.deploy';
export const DefaultHost = '127.0.0.1';
/** The environments always bind loopback: only the router faces clients. */
export const EnvironmentHost = '127.0.0.1';
export const DefaultPublicPort = 8000;
export const DefaultBluePort = 8001;
export const DefaultGreenPort = 8002;

export const DefaultDrainTimeoutMs = 30_000; // DEPLOY_DRAIN_TIMEOUT
export const DefaultKeepPreviousMs = 10 * 60_000; // DEPLOY_KEEP_PREVIOUS
export const DefaultAnalysisWindowMs = 60_000; // DEPLOY_ANALYSIS_WINDOW
export const DefaultMaxErrorRate = 0.1; // DEPLOY_MAX_ERROR_RATE (the guide's 10%)
export const DefaultAnalysisMinRequests = 20; // DEPLOY_ANALYSIS_MIN_REQUESTS
export const DefaultAnalysisMaxAvgLatencyMs = 0; // DEPLOY_ANALYSIS_MAX_AVG_LATENCY_MS (0: latency not watched)
export const DefaultReadyTimeoutMs = 30_000; // DEPLOY_READY_TIMEOUT
export const DefaultValidateTimeoutMs = 30_000; // DEPLOY_VALIDATE_TIMEOUT
export const DefaultStopTimeoutMs = 10_000; // DEPLOY_STOP_TIMEOUT (SIGTERM, then SIGKILL)
export const DefaultRestartBackoffMs = 1_000; // DEPLOY_RESTART_BACKOFF (doubles, capped)
export const DefaultRestartBackoffMaxMs = 30_000;
export const DefaultBodyLimitBytes = 4 * 1024 * 1024; // ROUTER_BODY_LIMIT
export const DefaultUpstreamTimeoutMs = 60_000; // ROUTER_UPSTREAM_TIMEOUT (until response headers)
export const DefaultRequestTimeoutMs = 30_000; // ROUTER_REQUEST_TIMEOUT (receiving the request)
export const DefaultHeaderTimeoutMs = 10_000; // ROUTER_HEADER_TIMEOUT (a request's head, from its first byte)
export const DefaultKeepAliveTimeoutMs = 5_000; // ROUTER_KEEPALIVE_TIMEOUT (an idle client connection)
export const DefaultRouterStopGraceMs = 10_000; // ROUTER_STOP_GRACE (requests in flight when the router stops)
export const DefaultMaxRetries = 2;
export const DefaultSessionIdleMs = 2_000; // DEPLOY_SESSION_IDLE: a drain stops waiting for sessions idle this long
export const DefaultTrafficSampleMs = 1_000; // DEPLOY_TRAFFIC_SAMPLE: how often the controller reads the router's counts
export const DefaultTrafficWindowMs = 5_000; // DEPLOY_TRAFFIC_WINDOW: requests per second, error rate and latency are over this

export const RouterSocketName = 'router.sock'; // the router's control socket in the deploy directory
export const AdminSocketName = 'admin.sock'; // the controller's admin socket
export const ApiSocketName = 'api.sock'; // the controller's HTTP socket behind the router's /deploy/

export const ReadyPath = '/health/ready';
export const InfoPath = '/deployment/info';
export const RouterMetricsPath = '/router/metrics';
export const RouterStatusPath = '/router/status';

/** Reads a number from the environment, or the default when unset; anything else is an error naming the variable. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${raw}"`);
  return n;
}

/** A positive limit from the environment, or undefined for the validator's own default. */
function optionalLimit(name: string): number | undefined {
  const n = envNumber(name, NaN);
  if (Number.isNaN(n)) return undefined;
  if (n <= 0) throw new Error(`${name} must be a positive number of milliseconds, got "${process.env[name]}"`);
  return n;
}

export interface DeployDefaults {
  drainTimeoutMs: number;
  keepPreviousMs: number;
  analysisWindowMs: number;
  maxErrorRate: number;
  analysisMinRequests: number;
  analysisMaxAvgLatencyMs: number;
  readyTimeoutMs: number;
  validateTimeoutMs: number;
  stopTimeoutMs: number;
  restartBackoffMs: number;
  sessionIdleMs: number;
  trafficSampleMs: number;
  trafficWindowMs: number;
  validateMaxAvgMs: number | undefined;
  validateMaxMaxMs: number | undefined;
}

/** The deploy defaults after environment overrides; flags on a verb override these per call. */
export function deployDefaults(): DeployDefaults {
  return {
    drainTimeoutMs: envDuration('DEPLOY_DRAIN_TIMEOUT', DefaultDrainTimeoutMs),
    keepPreviousMs: envDuration('DEPLOY_KEEP_PREVIOUS', DefaultKeepPreviousMs),
    analysisWindowMs: envDuration('DEPLOY_ANALYSIS_WINDOW', DefaultAnalysisWindowMs),
    maxErrorRate: envNumber('DEPLOY_MAX_ERROR_RATE', DefaultMaxErrorRate),
    analysisMinRequests: envNumber('DEPLOY_ANALYSIS_MIN_REQUESTS', DefaultAnalysisMinRequests),
    analysisMaxAvgLatencyMs: envNumber('DEPLOY_ANALYSIS_MAX_AVG_LATENCY_MS', DefaultAnalysisMaxAvgLatencyMs),
    readyTimeoutMs: envDuration('DEPLOY_READY_TIMEOUT', DefaultReadyTimeoutMs),
    validateTimeoutMs: envDuration('DEPLOY_VALIDATE_TIMEOUT', DefaultValidateTimeoutMs),
    stopTimeoutMs: envDuration('DEPLOY_STOP_TIMEOUT', DefaultStopTimeoutMs),
    restartBackoffMs: envDuration('DEPLOY_RESTART_BACKOFF', DefaultRestartBackoffMs),
    sessionIdleMs: envDuration('DEPLOY_SESSION_IDLE', DefaultSessionIdleMs),
    trafficSampleMs: envDuration('DEPLOY_TRAFFIC_SAMPLE', DefaultTrafficSampleMs),
    trafficWindowMs: envDuration('DEPLOY_TRAFFIC_WINDOW', DefaultTrafficWindowMs),
    validateMaxAvgMs: optionalLimit('DEPLOY_VALIDATE_MAX_AVG_MS'),
    validateMaxMaxMs: optionalLimit('DEPLOY_VALIDATE_MAX_MAX_MS'),
  };
}

export type Colour = 'blue' | 'green';
export const Colours: readonly Colour[] = ['blue', 'green'];
export function otherColour(c: Colour): Colour {
  return c === 'blue' ? 'green' : 'blue';
}
export function isColour(v: unknown): v is Colour {
  return v === 'blue' || v === 'green';
}
