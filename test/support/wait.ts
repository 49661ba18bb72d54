// Bounded waits for tests: poll a condition (an HTTP probe, a counter) until it
// holds. The bound is generous, since a loaded machine is slow, not wrong; the
// wait ends as soon as the condition holds.

export const WAIT_LIMIT_MS = 20_000;
const POLL_MS = 20;

/** Resolves with the first value the probe returns that is not undefined; throws after `limitMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, limitMs = WAIT_LIMIT_MS): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
