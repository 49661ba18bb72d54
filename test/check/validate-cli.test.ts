import { describe, expect, it } from 'vitest';
import { startRealServer } from '../http/helpers.js';
import { fixtureCommand, runCli } from './helpers.js';

describe('validate CLI', () => {
  it('exit 0 on pass with the guide lines on stdout', async () => {
    const r = await runCli(['validate', '--stdio', fixtureCommand(), '--max-avg-ms', '5000', '--max-ms', '20000']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('[PASS] All 6 tools discovered');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('[SUCCESS] ALL TESTS PASSED - Server is ready for production');
  });

  it('exit 1 on fail; --json prints the result object only', async () => {
    const r = await runCli([
      'validate',
      '--stdio',
      fixtureCommand('--mode', 'bad-output'),
      '--json',
      '--max-avg-ms',
      '5000',
      '--max-ms',
      '20000',
    ]);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail?: string }>; lines: string[] };
    expect(result.ok).toBe(false);
    expect(result.checks.find((c) => c.name === 'estimate_cost')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('output schema'),
    });
    expect(result.lines.at(-1)).toMatch(/^\[FAILURE\]/);
  });

  it('--compare-with shows the answer diff against another server (the pre-promotion Job runs this), information only', async () => {
    const server = await startRealServer();
    try {
      const url = `${server.url}/mcp`;
      const loose = ['--max-avg-ms', '5000', '--max-ms', '20000'];
      const same = await runCli(['validate', '--url', url, '--compare-with', url, ...loose]);
      expect(same.code, same.stdout + same.stderr).toBe(0);
      expect(same.stdout).toContain('[SUCCESS] ALL TESTS PASSED');
      expect(same.stdout.trimEnd().split('\n').at(-1)).toBe(`[INFO] Canonical answers unchanged from ${url}`);
      // An active server that cannot be reached does not fail the validation of the preview.
      const gone = await runCli(['validate', '--url', url, '--compare-with', 'http://127.0.0.1:1/mcp', '--json', ...loose]);
      expect(gone.code).toBe(0);
      expect(JSON.parse(gone.stdout).diff.error).toMatch(/ECONNREFUSED|fetch failed|connect/i);
    } finally {
      await server.cleanup();
    }
  });

  it('--help, and bad usage exits 2 with a clear message', async () => {
    const help = await runCli(['validate', '--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--stdio <command>',
      '--url <url>',
      '--suite <name>',
      '--expect-version <v>',
      '--spec <file>',
      '--max-avg-ms <n>',
      '--max-ms <n>',
      '--timeout-ms <n>',
      '--json',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    const cases: Array<[string[], RegExp]> = [
      [['validate'], /exactly one of --stdio <command> or --url <url>/],
      [['validate', '--url', 'http://127.0.0.1:1/mcp', '--stdio', 'x'], /exactly one/],
      [['validate', '--stdio', 'x', '--suite', 'huge'], /--suite must be one of quick, integration, full/],
      [['validate', '--stdio', 'x', '--timeout-ms', 'soon'], /--timeout-ms must be a whole number/],
      [['validate', '--url', 'not a url'], /not a URL/],
      [['validate', '--stdio', 'x', '--spec', '/nonexistent/spec.json'], /cannot read expectations file/],
      [['validate', '--stdio', 'x', '--bogus'], /unknown option '--bogus'/],
      [['validate', '--stdio', 'x', '--compare-with', 'http://127.0.0.1:1/mcp'], /--compare-with takes an http\(s\) URL and needs --url/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});
