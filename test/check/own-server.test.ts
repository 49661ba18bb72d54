import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMonitorCheck } from '../../src/check/monitor/check.js';
import { collectCanonicalAnswers, diffAnswers } from '../../src/check/validate/canonical.js';
import { runValidation } from '../../src/check/validate/run.js';
import { loadSpec } from '../../src/check/validate/spec.js';
import { freePort, waitForHttp } from '../../src/check/bench/processes.js';
import { VERSION } from '../../src/version.js';
import { CLI, RELAXED, stopChild } from './helpers.js';
import { removeScratchDirs, scratchDir } from '../support/scratch.js';

// The checks against our own built server (npm test builds first), over stdio
// and over Streamable HTTP. Telemetry goes to a throw-away directory.

const telemetryDir = scratchDir('check-telemetry-');
const env = { ...process.env, LLM_PRICING_TELEMETRY_DIR: telemetryDir };
process.env.LLM_PRICING_TELEMETRY_DIR = telemetryDir; // the stdio child inherits it
const stdioCommand = `node ${CLI} serve --stdio --telemetry-dir ${telemetryDir}`;

afterAll(removeScratchDirs);

describe('our server over stdio', () => {
  for (const suite of ['quick', 'integration', 'full'] as const) {
    it(`validate --suite ${suite} passes`, async () => {
      const r = await runValidation({ stdio: stdioCommand, suite, expectVersion: VERSION, ...RELAXED });
      expect(r.ok, r.lines.join('\n')).toBe(true);
      expect(r.serverVersion).toBe(VERSION);
    });
  }
});

describe('our server over Streamable HTTP', () => {
  let child: ChildProcess;
  let base: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [CLI, 'serve', '--http', '--port', String(port), '--telemetry-dir', telemetryDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    await waitForHttp(`${base}/health/ready`, { child, pid: child.pid!, stderrTail: () => stderr, stop: () => stopChild(child) }, 30_000);
  });
  afterAll(async () => {
    if (child) await stopChild(child);
  });

  it('validate quick, integration and full pass', async () => {
    for (const suite of ['quick', 'integration', 'full'] as const) {
      const r = await runValidation({ url: `${base}/mcp`, suite, expectVersion: VERSION, ...RELAXED });
      expect(r.ok, `${suite}:\n${r.lines.join('\n')}`).toBe(true);
    }
  });

  it('monitor --check passes', async () => {
    const r = await runMonitorCheck(base, await loadSpec(), 5000);
    expect(r.ok, r.lines.join('\n')).toBe(true);
    expect(r.lines).toContain('AVAILABLE TOOLS (6 of 6)');
  });

  it('canonical answers are stable between two collections (nothing to diff)', async () => {
    const a = await collectCanonicalAnswers({ url: `${base}/mcp` });
    const b = await collectCanonicalAnswers({ url: `${base}/mcp` });
    expect(Object.keys(a).sort()).toEqual([
      'compare_costs',
      'estimate_cost',
      'get_all_pricing',
      'get_performance_metrics',
      'get_use_cases',
    ]);
    expect(diffAnswers(a, b)).toEqual([]);
  });
});
