// Whether the deployment behind the bridge answers, as the bridge's messages find out. While it
// does not, retries back off (100 ms, doubling, up to 5 s, shared by every message in flight), and
// the log gets one line when it goes down and one when it is back, not one per retry.

export const RetryBaseMs = 100;
export const RetryMaxMs = 5_000;

export class UpstreamHealth {
  private failures = 0;
  private downSince = 0;

  constructor(private readonly log: (line: string) => void) {}

  get down(): boolean {
    return this.failures > 0;
  }

  /** A connection-level failure; returns how long to wait before the next try. */
  failed(reason: string): number {
    if (this.failures === 0) {
      this.downSince = Date.now();
      this.log(`upstream unreachable (${reason}); retrying with back-off`);
    }
    this.failures++;
    return Math.min(RetryMaxMs, RetryBaseMs * 2 ** Math.min(this.failures - 1, 16));
  }

  /** A message got through. */
  ok(): void {
    if (this.failures === 0) return;
    this.log(`upstream reachable again after ${Math.round((Date.now() - this.downSince) / 100) / 10} s (${this.failures} failed attempts)`);
    this.failures = 0;
  }

  /** Attempts since it went down (for the message that gives up). */
  get attempts(): number {
    return this.failures;
  }
}
