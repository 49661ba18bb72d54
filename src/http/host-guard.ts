// DNS-rebinding protection for /mcp: a web page on a foreign name that resolves to
// this machine would send its own name as Host, and a browser always sends Origin.
// Host must be one of ours (localhost, 127.0.0.1 or [::1] with the bound port, or
// an operator-allowed value); Origin, when present, must be allowed too.

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export interface HostGuardOptions {
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
}

export class HostGuard {
  private hosts = new Set<string>();
  private origins = new Set<string>();
  /** Operator entries without a port: allowed on any port. */
  private readonly anyPortHosts: Set<string>;

  constructor(private readonly opts: HostGuardOptions) {
    this.anyPortHosts = new Set(opts.allowedHosts.filter((h) => !hasPort(h)).map((h) => h.toLowerCase()));
  }

  /** Called once the listening port is known (port 0 picks one at listen time). */
  setPort(port: number): void {
    this.hosts = new Set([...LOOPBACK_NAMES.map((n) => `${n}:${port}`), ...this.opts.allowedHosts.map((h) => h.toLowerCase())]);
    this.origins = new Set([
      ...LOOPBACK_NAMES.map((n) => `http://${n}:${port}`),
      ...this.opts.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')),
    ]);
  }

  /** Why the request is refused, or undefined when it may pass. */
  refusal(host: string | undefined, origin: string | undefined): string | undefined {
    if (host === undefined) return 'Forbidden: missing Host header';
    const h = host.toLowerCase();
    if (!this.hosts.has(h) && !this.anyPortHosts.has(stripPort(h))) return `Forbidden: Host header "${host}" is not allowed`;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) return `Forbidden: Origin "${origin}" is not allowed`;
    return undefined;
  }
}

function hasPort(host: string): boolean {
  return /:\d+$/.test(host);
}

function stripPort(host: string): string {
  return host.replace(/:\d+$/, '');
}
