import { performance } from 'node:perf_hooks';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { fmtMs } from '../stats.js';
import { OutputSchemas, checkAnswer, checkDiscovery } from './tool-checks.js';
import { deadReason, invalidParamsProblem, invalidToolProblem, versionProblem } from './probes.js';
import type { SuiteContext } from './probes.js';
import type { Report } from './report.js';
import type { StartOutcome } from './target.js';
import type { Session } from './session.js';

// The guide's validate_mcp_client: start-up, initialization, discovery, the
// tool scenarios of the expectations file, an unknown tool and bad parameters.
// Every scenario runs (a dead server fails the rest with its reason).

interface Scenario {
  title: string;
  run(): Promise<string | undefined>;
}

/** The guide's bar for the comprehensive suite: every answer within 2 s. */
export const SCENARIO_MAX_MS = 2000;

export async function runFullSuite(started: StartOutcome & { ms: number }, ctx: SuiteContext, report: Report): Promise<void> {
  const session = started.ok ? started.session : undefined;
  let listed: Tool[] = [];
  let schemas = new OutputSchemas([]);
  if (session) report.serverVersion = session.client.getServerVersion()?.version;

  const needSession = (fn: (s: Session) => Promise<string | undefined>) => async () => {
    if (!session) return 'not connected';
    return deadReason(session) ?? fn(session);
  };
  const scenarios: Scenario[] = [
    {
      title: 'Server start-up',
      run: async () => (!started.ok && started.stage === 'start' ? started.reason : undefined),
    },
    {
      title: 'Initialization',
      run: async () => {
        if (!started.ok) return started.stage === 'start' ? 'server did not start' : started.reason;
        if (started.session.protocolErrors.length > 0) return `server wrote ${started.session.protocolErrors[0]}`;
        return versionProblem(started.session, ctx.expectVersion);
      },
    },
    {
      title: 'Tool discovery',
      run: needSession(async (s) => {
        listed = await s.listTools(ctx.timeoutMs);
        schemas = new OutputSchemas(listed);
        const d = checkDiscovery(listed, ctx.spec);
        return d.missing.length > 0 ? `${d.found} of ${d.expected} tools (missing: ${d.missing.join(', ')})` : d.problems[0];
      }),
    },
    ...ctx.spec.scenarios.map((sc) => ({
      title: sc.title,
      run: needSession(async (s) => {
        const outcome = await s.callTool(sc.tool, sc.arguments, ctx.timeoutMs);
        return deadReason(s, outcome) ?? checkAnswer(sc.tool, outcome, schemas, sc.expect);
      }),
    })),
    { title: 'Invalid tool name', run: needSession((s) => invalidToolProblem(s, ctx.spec, ctx.timeoutMs)) },
    { title: 'Invalid parameters', run: needSession((s) => invalidParamsProblem(s, ctx.spec, ctx.timeoutMs)) },
  ];

  const n = scenarios.length;
  for (const [i, scenario] of scenarios.entries()) {
    const t0 = performance.now();
    let problem: string | undefined;
    try {
      problem = await scenario.run();
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    // Start-up and the handshake happened before the loop: report their real cost.
    const ms = i === 0 ? started.ms : performance.now() - t0;
    const limit = ctx.scenarioMaxMs ?? SCENARIO_MAX_MS;
    if (problem === undefined && i > 0 && ms > limit) problem = `took ${Math.round(ms)} ms (limit ${limit} ms)`;
    report.record({
      name: scenario.title,
      ok: problem === undefined,
      ...(problem !== undefined && { detail: problem }),
      ms: Math.round(ms * 10) / 10,
    });
    const head = `[SCENARIO ${i + 1}/${n}] ${scenario.title} ...`;
    report.line(problem === undefined ? `${head} [PASS] (${fmtMs(ms)} ms)` : `${head} [FAIL] ${problem}`);
  }
  const passed = n - report.failed.length;
  report.line(`Summary: ${passed}/${n} scenarios passed (${Math.round((100 * passed) / n)}%)`);
}
