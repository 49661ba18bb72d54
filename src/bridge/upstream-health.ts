// Whether the deployment behind the bridge answers, as the bridge's messages find out. While it
// does not, retries back off (100 ms, doubling, up to 5 s, shared by every message in flight), and
// the log gets one line when it goes down and one when it is back, not one per retry.

export const RetryBaseMs = 100;
export const RetryMaxMs = 5_000;

export class UpstreamHealth {
  private failures = 0;
  private downSince = 0;
  private noted = false;

  constructor(private readonly log: (line: string) => void) {}

  get down(): boolean {
    return this.failures > 0;
  }

  /** A connection-level failure; returns how long to wait before the next try. */
  failed(reason: string): number {
    if (this.failures === 0) {
      this.downSince = Date.now();
      this.noted = true;
      this.log(`upstream unreachable (${reason}); retrying with back-off`);
    }
    this.failures++;
    return Math.min(RetryMaxMs, RetryBaseMs * 2 ** Math.min(this.failures - 1, 16));
  }

  /** An error the transport reports on its own (its event stream failing, say): one line until the state changes. */
  note(line: string): void {
    if (this.noted || this.failures > 0) return;
    this.noted = true;
    this.log(line);
  }

  /** A message got through. */
  ok(): void {
    this.noted = false;
    if (this.failures === 0) return;
    this.log(`upstream reachable again after ${Math.round((Date.now() - this.downSince) / 100) / 10} s (${this.failures} failed attempts)`);
    this.failures = 0;
  }

  /** Attempts since it went down (for the message that gives up). */
  get attempts(): number {
    return this.failures;
  }
}
