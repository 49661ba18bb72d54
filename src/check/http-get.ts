// GETs of the JSON endpoints an environment serves (/health/ready,
// /deployment/info, /health/detailed), with a timeout and a short reason on failure.

export type GetOutcome = { ok: true; status: number; body: unknown } | { ok: false; status?: number; body?: unknown; reason: string };

export async function getJson(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<GetOutcome> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { ok: false, reason: `${url} not reachable: ${networkReason(err)}` };
  }
  const text = await res.text().catch(() => '');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text: the reason below quotes it
  }
  if (res.status !== 200) {
    return { ok: false, status: res.status, body, reason: `${url} answered HTTP ${res.status} ${text.slice(0, 120)}`.trim() };
  }
  return { ok: true, status: res.status, body };
}

/** ECONNREFUSED, ETIMEDOUT… rather than undici's "fetch failed". */
export function networkReason(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    // undici's own codes (UND_ERR_SOCKET...) say less than their message ("other side closed").
    if (cause?.code && !(cause.code.startsWith('UND_ERR') && cause.message)) return cause.code;
    if (cause?.message) return cause.message;
    return err.message;
  }
  return String(err);
}

/** http://host:port/mcp -> http://host:port (also accepts the base itself). */
export function baseUrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = u.pathname.replace(/\/+$/, '').replace(/\/mcp$/, '');
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}
