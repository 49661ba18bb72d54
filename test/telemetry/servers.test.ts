// Telemetry as deploys see it: real `serve --stdio` processes sharing one
// directory, one after another (a restart) and side by side (blue and green).

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RawServer, callTool, cleanupTempDirs, connectSdk, serverEnv, tempDir, textOf, type Json, type SdkServer } from '../mcp/helpers.js';

afterAll(cleanupTempDirs);

async function estimate(s: SdkServer, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const r = await callTool(s.client, 'estimate_cost', { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 });
    expect(r.isError, textOf(r)).toBeFalsy();
  }
}

async function telemetry(s: SdkServer): Promise<Json> {
  const r = await callTool(s.client, 'get_telemetry', { limit: 100 });
  expect(r.isError, textOf(r)).toBeFalsy();
  return r.structuredContent!;
}

function callsOf(t: Json, tool: string): number {
  return t.tools.find((x: Json) => x.tool === tool)?.calls ?? 0;
}

describe('telemetry across server processes', () => {
  it('counts survive a restart', async () => {
    const dir = await tempDir();
    const first = await connectSdk({ telemetryDir: dir });
    await estimate(first, 3);
    await callTool(first.client, 'estimate_cost', { model_name: 'gpt-4', input_tokens: -1, output_tokens: 0 });
    const before = await telemetry(first);
    await first.close();

    const second = await connectSdk({ telemetryDir: dir });
    try {
      const after = await telemetry(second);
      expect(callsOf(after, 'estimate_cost')).toBe(4);
      expect(after.tools.find((x: Json) => x.tool === 'estimate_cost').errors).toBe(1);
      expect(callsOf(after, 'get_telemetry')).toBe(1);
      expect(after.process.requests).toBe(0);
      expect(after.pid).not.toBe(before.pid);
      expect(after.since <= before.started_at).toBe(true);
    } finally {
      await second.close();
    }
  });

  it("blue and green on one directory see and keep each other's counts", async () => {
    const dir = await tempDir();
    const [blue, green] = await Promise.all([
      connectSdk({ telemetryDir: dir, env: { DEPLOYMENT_COLOR: 'blue' } }),
      connectSdk({ telemetryDir: dir, env: { DEPLOYMENT_COLOR: 'green' } }),
    ]);
    try {
      await Promise.all([estimate(blue, 2), estimate(green, 3)]);
      // Each flushes every 100 ms in tests; wait until blue sees green's calls.
      let seen: Json = {};
      for (let i = 0; i < 100; i++) {
        seen = await telemetry(blue);
        if (callsOf(seen, 'estimate_cost') === 5) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen.color).toBe('blue');
      expect(callsOf(seen, 'estimate_cost')).toBe(5);
      // Blue's own count: its 2 estimates plus its own get_telemetry polls, none of green's.
      expect(seen.process.requests).toBe(2 + callsOf(seen, 'get_telemetry'));
      const g = await telemetry(green);
      expect(g.color).toBe('green');
    } finally {
      await Promise.all([blue.close(), green.close()]);
    }

    const next = await connectSdk({ telemetryDir: dir });
    try {
      const t = await telemetry(next);
      expect(callsOf(t, 'estimate_cost')).toBe(5);
      expect(t.color).toBeNull();
    } finally {
      await next.close();
    }
  });

  it('uses $LLM_PRICING_TELEMETRY_DIR when --telemetry-dir is not given', async () => {
    const dir = await tempDir();
    const s = new RawServer([], serverEnv({ LLM_PRICING_TELEMETRY_DIR: dir }));
    try {
      await s.initialize();
      const r = await s.request(1, 'tools/call', { name: 'get_telemetry', arguments: { include_details: true } });
      expect(r.result.structuredContent.details.store.dir).toBe(dir);
    } finally {
      await s.stop();
    }
    expect(existsSync(join(dir, 'base.json'))).toBe(true);
  });
});
