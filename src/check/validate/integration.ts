import { performance } from 'node:perf_hooks';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { fmtMs } from '../stats.js';
import { OutputSchemas, checkAnswer, checkDiscovery } from './tool-checks.js';
import { deadReason, versionProblem } from './probes.js';
import type { SuiteContext } from './probes.js';
import type { Report } from './report.js';
import type { StartOutcome } from './target.js';

// The guide's test_mcp_server: tool discovery and each tool, each with its
// response time, then the summary block.

const RULE = '='.repeat(60);

export async function runIntegrationSuite(started: StartOutcome, ctx: SuiteContext, report: Report): Promise<void> {
  report.line(RULE);
  report.line('MCP SERVER INTEGRATION TESTS');
  report.line(RULE);
  if (!started.ok) {
    test(report, started.stage === 'start' ? 'Server start-up' : 'Initialization', started.reason);
    return summary(report);
  }
  const { session } = started;
  const info = session.client.getServerVersion();
  report.serverVersion = info?.version;
  report.line(`Server: ${info?.name ?? '?'} ${info?.version ?? '?'} (${started.startDetail})`);
  if (ctx.expectVersion !== undefined) test(report, 'Server version', versionProblem(session, ctx.expectVersion));

  let listed: Tool[] = [];
  const t0 = performance.now();
  try {
    listed = await session.listTools(ctx.timeoutMs);
    const d = checkDiscovery(listed, ctx.spec);
    const problem = d.missing.length > 0 ? `${d.found} of ${d.expected} tools (missing: ${d.missing.join(', ')})` : d.problems[0];
    test(report, `Tool discovery (${d.found}/${d.expected} tools)`, problem, performance.now() - t0);
  } catch (err) {
    test(report, 'Tool discovery', `tools/list failed: ${err instanceof Error ? err.message : String(err)}`, performance.now() - t0);
  }

  const schemas = new OutputSchemas(listed);
  for (const tool of ctx.spec.tools) {
    const outcome = await session.callTool(tool.name, tool.canonical, ctx.timeoutMs);
    const dead = deadReason(session, outcome);
    test(report, tool.name, dead ?? checkAnswer(tool.name, outcome, schemas, tool.expect), outcome.ms);
    if (dead) break;
  }
  summary(report);
}

function test(report: Report, name: string, problem: string | undefined, ms?: number): void {
  report.record({
    name,
    ok: problem === undefined,
    ...(problem !== undefined && { detail: problem }),
    ...(ms !== undefined && { ms: Math.round(ms * 10) / 10 }),
  });
  const time = ms !== undefined ? ` (${fmtMs(ms)} ms)` : '';
  report.line(problem === undefined ? `[TEST] ${name} ... [PASS]${time}` : `[TEST] ${name} ... [FAIL]${time} ${problem}`);
}

function summary(report: Report): void {
  const total = report.checks.length;
  const passed = total - report.failed.length;
  report.line(RULE);
  report.line('TEST SUMMARY');
  report.line(RULE);
  report.line(`Total:     ${total}`);
  report.line(`Passed:    ${passed}`);
  report.line(`Failed:    ${total - passed}`);
  report.line(`Pass Rate: ${total ? ((100 * passed) / total).toFixed(1) : '0.0'}%`);
  report.line(`Status:    ${passed === total && total > 0 ? 'ALL TESTS PASSED' : 'TESTS FAILED'}`);
}
