import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemize, type Estimate } from '../../web/calculator/cost-lines.js';
import { startRealServer } from '../http/helpers.js';

// The calculator's itemized cost, for real estimate_cost answers over a spread of the catalog: every line that
// makes the total, adding up to it, whether the answer carries C1's `lines` or the page builds them from today's
// fields.

let server: Awaited<ReturnType<typeof startRealServer>>;
beforeAll(async () => {
  server = await startRealServer();
});
afterAll(async () => {
  await server?.cleanup();
});

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('itemized cost', () => {
  it('has lines that add up to total_cost for every model, with and without cached tokens and volume', async () => {
    const { models } = (await (await fetch(`${server.url}/models`)).json()) as { models: Array<{ key: string }> };
    // Every fifth model (about 110), in batches of at most 100.
    const keys = models.filter((_m, i) => i % 5 === 0).map((m) => m.key);
    const workloads = [
      { input_tokens: 1234, output_tokens: 567 },
      { input_tokens: 250_000, output_tokens: 4000, cached_input_tokens: 100_000, requests: 30 },
    ];
    let checked = 0;
    for (const workload of workloads) {
      for (let i = 0; i < keys.length; i += 100) {
        const batch = await post<{ results: Array<{ ok: boolean; result?: Estimate; error?: string }> }>(
          '/cost-estimate/batch',
          keys.slice(i, i + 100).map((model_name) => ({ model_name, ...workload })),
        );
        for (const r of batch.results) {
          expect(r.ok, r.error).toBe(true);
          const e = r.result!;
          const { lines } = itemize(e);
          const priced = lines.filter((l) => l.cost !== null);
          expect(
            priced.reduce((s, l) => s + l.cost!, 0),
            e.key,
          ).toBeCloseTo(e.total_cost, 9);
          for (const l of lines) {
            expect(l.label.length, `${e.key} ${l.item}`).toBeGreaterThan(0);
            expect(l.quantity).toBeGreaterThanOrEqual(0);
            expect(l.per).toBeGreaterThan(0);
            expect(['priced', 'free', 'unpriced']).toContain(l.pricing);
            // rate × quantity / per is the cost, where both are known (to the tools' 1e-10 rounding).
            if (l.rate !== null && l.cost !== null) expect((l.rate * l.quantity) / l.per, `${e.key} ${l.item}`).toBeCloseTo(l.cost, 8);
          }
          const tokens = lines.filter((l) => l.unit === 'tokens' && ['input', 'cached_input'].includes(l.item));
          expect(
            tokens.reduce((s, l) => s + l.quantity, 0),
            e.key,
          ).toBe(e.input_tokens * e.requests);
          checked++;
        }
      }
    }
    expect(checked).toBe(keys.length * workloads.length);
  });
});
