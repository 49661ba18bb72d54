// The contract of `validate`, shared with the deploy controller (phase 2 runs
// the quick suite in-process through runValidation).

export type Suite = 'quick' | 'integration' | 'full';

export interface ValidateOptions {
  /** Streamable HTTP endpoint, e.g. http://127.0.0.1:8002/mcp. */
  url?: string;
  /** A command line that starts an MCP server on stdio, e.g. "node dist/cli/main.js serve --stdio". */
  stdio?: string;
  suite: Suite;
  /** Per-request timeout (and the start-up timeout). */
  timeoutMs?: number;
  /** The version the server must report as serverInfo.version. */
  expectVersion?: string;
  /** Expectations file (defaults to data/validate/llm-pricing-mcp.json). */
  specFile?: string;
  /** Response-time limits over the timing calls (the guide: avg < 10 ms, max < 100 ms). */
  maxAvgMs?: number;
  maxMaxMs?: number;
  /** The full suite's limit on one scenario (default 2000 ms). */
  scenarioMaxMs?: number;
  /** Extra HTTP headers on every request (e.g. a preview-colour header). */
  headers?: Record<string, string>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail?: string;
  ms?: number;
}

export interface ValidationResult {
  ok: boolean;
  lines: string[];
  checks: CheckResult[];
  serverVersion?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_AVG_MS = 10;
export const DEFAULT_MAX_MAX_MS = 100;
