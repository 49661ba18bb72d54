import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidateOptionsError, runValidation } from '../../src/check/validate/run.js';
import { RELAXED, ROOT, fixtureCommand, startHttpFixture } from './helpers.js';
import type { RunningServer } from './helpers.js';
import { removeScratchDirs, scratchDir } from '../support/scratch.js';

const GUIDE_LINES = [
  '[PASS] Received initialization message',
  '[PASS] Initialize request-response successful',
  '[PASS] All 6 tools discovered',
  '[PASS] get_all_pricing executes successfully',
  '[PASS] estimate_cost executes successfully',
  '[PASS] compare_costs executes successfully',
  '[PASS] get_performance_metrics executes successfully',
  '[PASS] get_use_cases executes successfully',
  '[PASS] get_telemetry executes successfully',
  '[PASS] Error handling works correctly',
  '[SUCCESS] ALL TESTS PASSED - Server is ready for production',
];

afterAll(removeScratchDirs);

describe('validate over stdio against the ok fixture', () => {
  it('quick: prints the guide lines, streams them through onLine and passes', async () => {
    const streamed: string[] = [];
    const r = await runValidation(
      { stdio: fixtureCommand('--version', '3.1.4'), suite: 'quick', expectVersion: '3.1.4', ...RELAXED },
      (l) => streamed.push(l),
    );
    expect(r.ok).toBe(true);
    expect(r.serverVersion).toBe('3.1.4');
    expect(streamed).toEqual(r.lines);
    expect(r.lines[0]).toMatch(/^\[PASS\] Server started \(PID: \d+\)$/);
    for (const line of GUIDE_LINES) expect(r.lines).toContain(line);
    expect(r.lines).toContain('[PASS] Server reports version 3.1.4');
    expect(r.lines.find((l) => l.startsWith('[PASS] Response times (ms): avg='))).toMatch(
      /avg=[\d.]+, min=[\d.]+, max=[\d.]+( \(run [23] of 3\))?$/,
    );
    expect(r.checks.every((c) => c.ok)).toBe(true);
  });

  it('integration: one timed line per test and the summary block', async () => {
    const r = await runValidation({ stdio: fixtureCommand(), suite: 'integration' });
    expect(r.ok).toBe(true);
    expect(r.lines.some((l) => /^\[TEST\] Tool discovery \(6\/6 tools\) \.\.\. \[PASS\] \([\d.]+ ms\)$/.test(l))).toBe(true);
    expect(r.lines.some((l) => /^\[TEST\] compare_costs \.\.\. \[PASS\] \([\d.]+ ms\)$/.test(l))).toBe(true);
    expect(r.lines).toEqual(
      expect.arrayContaining(['Total:     7', 'Passed:    7', 'Failed:    0', 'Pass Rate: 100.0%', 'Status:    ALL TESTS PASSED']),
    );
  });

  it('full: 16 scenarios and the summary line', async () => {
    const r = await runValidation({ stdio: fixtureCommand(), suite: 'full' });
    expect(r.ok).toBe(true);
    const scenarios = r.lines.filter((l) => l.startsWith('[SCENARIO '));
    expect(scenarios).toHaveLength(16);
    expect(scenarios[0]).toMatch(/^\[SCENARIO 1\/16\] Server start-up \.\.\. \[PASS\]/);
    expect(scenarios[15]).toMatch(/^\[SCENARIO 16\/16\] Invalid parameters \.\.\. \[PASS\]/);
    expect(r.lines.at(-1)).toBe('Summary: 16/16 scenarios passed (100%)');
  });
});

describe('validate fails each broken fixture with the right line', () => {
  const cases: Array<{ mode: string; args?: string[]; opts?: object; line: RegExp }> = [
    { mode: 'missing-tool', line: /^\[FAIL\] Tool discovery: 5 of 6 tools \(missing: get_use_cases\)$/ },
    {
      mode: 'bad-output',
      line: /^\[FAIL\] estimate_cost: structuredContent does not match its output schema: .*total_cost must be number/,
    },
    {
      mode: 'slow',
      line: /^\[FAIL\] Response times: \(ms\) avg=[\d.]+, min=[\d.]+, max=[\d.]+ over 10 estimate_cost calls; limits: avg < 10, max < 100 \(--max-avg-ms, --max-ms; DEPLOY_VALIDATE_MAX_AVG_MS, DEPLOY_VALIDATE_MAX_MAX_MS for deploys\)$/,
    },
    { mode: 'crash-on-call', line: /^\[FAIL\] get_all_pricing: server process exited with code 1/ },
    {
      mode: 'crash-at-start',
      line: /^\[FAIL\] Server started: process exited with code 1 before answering initialize; stderr: .*crash-at-start/,
    },
    { mode: 'garbage-stdout', line: /^\[FAIL\] Initialization: server wrote non-JSON-RPC output on stdout: "mcp-fixture starting up/ },
    {
      mode: 'wrong-version',
      args: ['--version', '2.0.0'],
      opts: { expectVersion: '2.0.0' },
      line: /^\[FAIL\] Server version: server reports version 0\.0\.0, expected 2\.0\.0$/,
    },
  ];
  for (const c of cases) {
    it(c.mode, async () => {
      // The slow fixture sleeps 150 ms per call: over the guide's 100 ms limit on any machine.
      const limits = c.mode === 'slow' ? {} : RELAXED;
      const r = await runValidation({ stdio: fixtureCommand('--mode', c.mode, ...(c.args ?? [])), suite: 'quick', ...limits, ...c.opts });
      expect(r.ok).toBe(false);
      expect(
        r.lines.some((l) => c.line.test(l)),
        r.lines.join('\n'),
      ).toBe(true);
      expect(r.lines.at(-1)).toMatch(/^\[FAILURE\] \d+ of \d+ checks failed/);
    });
  }

  it('a command that does not exist fails at start-up', async () => {
    const r = await runValidation({ stdio: 'definitely-not-a-command-xyz --stdio', suite: 'quick' });
    expect(r.ok).toBe(false);
    expect(r.lines[0]).toMatch(/^\[FAIL\] Server started: could not start .*ENOENT/);
  });

  it('full suite counts the broken scenario and still runs all 16', async () => {
    const r = await runValidation({ stdio: fixtureCommand('--mode', 'missing-tool'), suite: 'full' });
    expect(r.ok).toBe(false);
    expect(r.lines.filter((l) => l.startsWith('[SCENARIO '))).toHaveLength(16);
    expect(r.lines).toContain('[SCENARIO 3/16] Tool discovery ... [FAIL] 5 of 6 tools (missing: get_use_cases)');
    expect(r.lines.at(-1)).toMatch(/^Summary: 1[34]\/16 scenarios passed \(\d+%\)$/);
  });
});

describe('validate over Streamable HTTP', () => {
  let ok: RunningServer;
  beforeAll(async () => {
    ok = await startHttpFixture('--version', '1.4.0');
  });
  afterAll(async () => {
    await ok?.stop();
  });

  it('quick passes and reports the PID from /deployment/info', async () => {
    const r = await runValidation({ url: ok.url, suite: 'quick', expectVersion: '1.4.0', ...RELAXED });
    expect(r.ok, r.lines.join('\n')).toBe(true);
    expect(r.lines[0]).toBe(`[PASS] Server started (PID: ${ok.pid})`);
  });

  it('integration and full pass', async () => {
    const integration = await runValidation({ url: ok.url, suite: 'integration' });
    expect(integration.ok, integration.lines.join('\n')).toBe(true);
    const full = await runValidation({ url: ok.url, suite: 'full' });
    expect(full.ok, full.lines.join('\n')).toBe(true);
    expect(full.lines.at(-1)).toBe('Summary: 16/16 scenarios passed (100%)');
  });

  it('a server that dies on the first call stops the run with the reason', async () => {
    const crashing = await startHttpFixture('--mode', 'crash-on-call');
    const r = await runValidation({ url: crashing.url, suite: 'quick' });
    await crashing.stop();
    expect(r.ok).toBe(false);
    expect(r.lines.at(-2)).toMatch(
      /^\[FAIL\] get_all_pricing: server not reachable \(connection failed: (other side closed|ECONNRESET|ECONNREFUSED)\)$/,
    );
    expect(r.lines.at(-1)).toBe('[FAILURE] 1 of 5 checks failed - server is NOT ready for production');
  });

  it('a stopped server fails at start-up with the reason', async () => {
    const gone = await startHttpFixture();
    await gone.stop();
    const r = await runValidation({ url: gone.url, suite: 'quick', timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.lines[0]).toBe(`[FAIL] Server started: ${gone.base}/health/ready not reachable: ECONNREFUSED`);
  });

  it('errors-after-start passes validation, then fails most calls once its toggle file exists', async () => {
    const toggle = join(scratchDir('fixture-'), 'fail-now');
    const bad = await startHttpFixture('--mode', 'errors-after-start', '--fail-after', '100000', '--fail-file', toggle);
    try {
      const before = await runValidation({ url: bad.url, suite: 'quick', ...RELAXED });
      expect(before.ok, before.lines.join('\n')).toBe(true);
      writeFileSync(toggle, '');
      const after = await runValidation({ url: bad.url, suite: 'integration' });
      expect(after.ok).toBe(false);
      expect(after.checks.filter((c) => !c.ok).length).toBeGreaterThanOrEqual(4);
      expect(
        after.lines.some((l) => /\[FAIL\].*500/.test(l)),
        after.lines.join('\n'),
      ).toBe(true);
    } finally {
      await bad.stop();
    }
  });
});

describe('error handling judged on a stock SDK server (the bench floor)', () => {
  it('fails when bad arguments are accepted and an unknown tool is an isError result', async () => {
    const file = join(scratchDir('spec-'), 'bare.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'bare',
        readyPath: null,
        infoPath: null,
        tools: [{ name: 'trivial', canonical: {} }],
        timing: { tool: 'trivial', calls: 2 },
        errors: { badArguments: { tool: 'trivial', arguments: { anything: -1 } }, unknownTool: 'nope' },
      }),
    );
    const bare = `node ${join(ROOT, 'dist', 'check', 'bench', 'bare-server.js')} --stdio`;
    const quick = await runValidation({ stdio: bare, suite: 'quick', specFile: file, ...RELAXED });
    expect(quick.lines).toContain('[PASS] trivial executes successfully');
    expect(quick.lines).toContain(
      '[FAIL] Error handling: bad arguments to trivial: {"anything":-1} were accepted (no isError result, no -32602 error)',
    );
    const full = await runValidation({ stdio: bare, suite: 'full', specFile: file });
    expect(full.lines).toContainEqual(
      expect.stringMatching(
        /^\[SCENARIO 4\/5\] Invalid tool name \.\.\. \[FAIL\] unknown tool "nope" gave an isError result \(".*nope.*"\), expected a JSON-RPC error$/,
      ),
    );
  });
});

describe('full suite time limit', () => {
  it("fails a scenario that takes longer than the guide's 2 s", async () => {
    const file = join(scratchDir('spec-'), 'slow.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'slow',
        tools: [
          { name: 'estimate_cost', canonical: { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 } },
          { name: 'compare_costs', canonical: { model_names: ['gpt-4', 'gpt-4o'], input_tokens: 1, output_tokens: 1 } },
        ],
        timing: { tool: 'compare_costs', calls: 1 },
        errors: {
          badArguments: { tool: 'compare_costs', arguments: { model_names: [], input_tokens: 1, output_tokens: 1 } },
          unknownTool: 'nope',
        },
        scenarios: [
          { title: 'slow estimate', tool: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 } },
        ],
      }),
    );
    const r = await runValidation({ stdio: fixtureCommand('--mode', 'slow', '--slow-ms', '2100'), suite: 'full', specFile: file });
    expect(r.ok).toBe(false);
    expect(r.lines).toContainEqual(
      expect.stringMatching(/^\[SCENARIO 4\/6\] slow estimate \.\.\. \[FAIL\] took \d+ ms \(limit 2000 ms\)$/),
    );
    expect(r.lines.at(-1)).toBe('Summary: 5/6 scenarios passed (83%)');
  });
});

describe('runValidation options', () => {
  it('rejects a run with no target or two targets, without printing', async () => {
    await expect(runValidation({ suite: 'quick' })).rejects.toThrow(ValidateOptionsError);
    await expect(runValidation({ suite: 'quick', url: 'http://127.0.0.1:1/mcp', stdio: 'x' })).rejects.toThrow(/exactly one/);
    await expect(runValidation({ suite: 'quick', url: 'ftp://x/mcp' })).rejects.toThrow(/http/);
    await expect(runValidation({ suite: 'huge' as 'quick', url: 'http://127.0.0.1:1/mcp' })).rejects.toThrow(/suite must be/);
  });

  it('rejects an invalid expectations file naming the field', async () => {
    const file = join(scratchDir('spec-'), 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'x', tools: [] }));
    await expect(runValidation({ suite: 'quick', stdio: fixtureCommand(), specFile: file })).rejects.toThrow(
      /invalid expectations file .*tools/,
    );
  });

  it('fails discovery when an input schema differs from the expectations', async () => {
    const file = join(scratchDir('spec-'), 'schema.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'schema',
        tools: [
          {
            name: 'estimate_cost',
            required: ['model_name'],
            properties: ['model_name', 'region'],
            canonical: { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 },
          },
        ],
        timing: { tool: 'estimate_cost', calls: 1 },
        errors: {
          badArguments: { tool: 'estimate_cost', arguments: { model_name: 'nope', input_tokens: 1, output_tokens: 1 } },
          unknownTool: 'nope',
        },
      }),
    );
    const r = await runValidation({ suite: 'quick', stdio: fixtureCommand(), specFile: file, ...RELAXED });
    expect(r.ok).toBe(false);
    expect(r.lines).toContain(
      '[FAIL] Tool discovery: estimate_cost input schema requires [input_tokens, model_name, output_tokens], expected [model_name]; estimate_cost input schema lacks "region"',
    );
  });

  it('validates another server with its own expectations file', async () => {
    const file = join(scratchDir('spec-'), 'two-tools.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'two-tools',
        tools: [
          {
            name: 'estimate_cost',
            required: ['model_name', 'input_tokens', 'output_tokens'],
            canonical: { model_name: 'gpt-4o', input_tokens: 1, output_tokens: 1 },
          },
          { name: 'get_use_cases', canonical: {} },
        ],
        timing: { tool: 'estimate_cost', calls: 3 },
        errors: {
          badArguments: { tool: 'estimate_cost', arguments: { model_name: 'nope', input_tokens: 1, output_tokens: 1 } },
          unknownTool: 'nope',
        },
      }),
    );
    const r = await runValidation({ suite: 'quick', stdio: fixtureCommand(), specFile: file, ...RELAXED });
    expect(r.ok, r.lines.join('\n')).toBe(true);
    expect(r.lines).toContain('[PASS] All 2 tools discovered');
  });
});
