import { fmtMs, summarize } from '../stats.js';
import { openHttpSession } from '../validate/session.js';
import type { Session } from '../validate/session.js';
import type { ValidationSpec } from '../validate/spec.js';
import { probeEndpoint, readHealthDetailed } from './probe.js';

// `monitor --interval S --duration S`: one line per interval (up/down, tools
// N/M, p50/p95 of a few probe calls, error rate, RSS), then a summary. The MCP
// session is kept between intervals and reopened when it breaks (a restart or
// a colour switch ends it).

/** The guide rolls back above this error rate; monitor fails its run above it too. */
export const MAX_ERROR_RATE = 0.1;

export interface WatchOptions {
  base: string;
  spec: ValidationSpec;
  intervalMs: number;
  /** Stop after this long; undefined = until the signal aborts. */
  durationMs?: number;
  probesPerInterval: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

export interface IntervalSample {
  at: string;
  up: boolean;
  reason?: string;
  tools: number;
  probes: number;
  errors: number;
  latenciesMs: number[];
  rssBytes?: number;
}

export interface WatchResult {
  ok: boolean;
  intervals: IntervalSample[];
  summary: {
    up: number;
    probes: number;
    errors: number;
    errorRate: number;
    p50: number;
    p95: number;
    max: number;
    rssMin?: number;
    rssMax?: number;
  };
  lines: string[];
}

export async function runMonitorWatch(opts: WatchOptions): Promise<WatchResult> {
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    opts.onLine?.(l);
  };
  const expectedTools = opts.spec.tools.map((t) => t.name);
  const timing = opts.spec.tools.find((t) => t.name === opts.spec.timing.tool)!;
  const intervals: IntervalSample[] = [];
  const count = opts.durationMs === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.round(opts.durationMs / opts.intervalMs));
  const start = Date.now();
  let session: Session | undefined;

  try {
    for (let i = 0; i < count && !opts.signal?.aborted; i++) {
      const sample: IntervalSample = { at: new Date().toISOString(), up: false, tools: 0, probes: 0, errors: 0, latenciesMs: [] };
      const up = await probeEndpoint(opts.base, opts.timeoutMs);
      if (!up.ok) {
        sample.reason = up.reason;
        await session?.close();
        session = undefined;
      } else {
        sample.up = true;
        try {
          let listed;
          try {
            session ??= await openHttpSession(`${opts.base}/mcp`, opts.timeoutMs);
            listed = await session.listTools(opts.timeoutMs);
          } catch {
            // The kept session may have ended (restart, switch): one fresh try before calling it down.
            await session?.close();
            session = await openHttpSession(`${opts.base}/mcp`, opts.timeoutMs);
            listed = await session.listTools(opts.timeoutMs);
          }
          const names = listed.map((t) => t.name);
          sample.tools = expectedTools.filter((n) => names.includes(n)).length;
          let renewed = false;
          for (let p = 0; p < opts.probesPerInterval; p++) {
            let outcome = await session.callTool(timing.name, timing.canonical, opts.timeoutMs);
            if (!outcome.ok && !renewed && /^HTTP 404\b/.test(outcome.error.message)) {
              // 404 is how Streamable HTTP says "session unknown" (a restart or a switch): start a new one, as clients do.
              renewed = true;
              await session.close();
              session = await openHttpSession(`${opts.base}/mcp`, opts.timeoutMs);
              outcome = await session.callTool(timing.name, timing.canonical, opts.timeoutMs);
            }
            sample.probes++;
            if (!outcome.ok || outcome.result.isError) sample.errors++;
            else sample.latenciesMs.push(outcome.ms);
          }
        } catch (err) {
          sample.reason = `MCP: ${err instanceof Error ? err.message : String(err)}`;
          sample.errors += Math.max(1, opts.probesPerInterval - sample.probes);
          sample.probes = Math.max(sample.probes, opts.probesPerInterval);
          await session?.close();
          session = undefined;
        }
        const health = await readHealthDetailed(opts.base, opts.timeoutMs);
        if (health.ok && health.value.memory?.rss_bytes !== undefined) sample.rssBytes = health.value.memory.rss_bytes;
      }
      intervals.push(sample);
      say(intervalLine(sample, expectedTools.length));
      await sleepUntil(start + (i + 1) * opts.intervalMs, opts.signal);
    }
  } finally {
    await session?.close();
  }

  const all = intervals.flatMap((s) => s.latenciesMs);
  const stats = summarize(all);
  const probes = intervals.reduce((n, s) => n + s.probes, 0);
  const errors = intervals.reduce((n, s) => n + s.errors, 0);
  const rss = intervals.map((s) => s.rssBytes).filter((v): v is number => v !== undefined);
  const upCount = intervals.filter((s) => s.up).length;
  const errorRate = probes ? errors / probes : 0;
  const allTools = intervals.every((s) => !s.up || s.tools === expectedTools.length);
  const ok = intervals.length > 0 && upCount === intervals.length && errorRate <= MAX_ERROR_RATE && allTools;
  const summary = {
    up: upCount,
    probes,
    errors,
    errorRate,
    p50: stats.p50,
    p95: stats.p95,
    max: stats.max,
    ...(rss.length && { rssMin: Math.min(...rss), rssMax: Math.max(...rss) }),
  };

  say('');
  say(`SUMMARY (${intervals.length} interval(s) over ${((Date.now() - start) / 1000).toFixed(1)} s)`);
  say(`  Up:          ${upCount}/${intervals.length} intervals`);
  const toolsText =
    upCount === 0
      ? '(never reached)'
      : allTools
        ? `${expectedTools.length}/${expectedTools.length} whenever up`
        : 'missing in some intervals';
  say(`  Tools:       ${toolsText}`);
  say(`  Probe calls: ${probes}, errors ${errors} (${(errorRate * 100).toFixed(1)}%)`);
  say(
    `  Latency:     ${all.length ? `p50 ${fmtMs(stats.p50)} ms, p95 ${fmtMs(stats.p95)} ms, max ${fmtMs(stats.max)} ms` : '(no successful probe calls)'}`,
  );
  say(`  RSS:         ${rss.length ? `${mb(Math.min(...rss))} - ${mb(Math.max(...rss))}` : '(not reported)'}`);
  say(ok ? '[SUCCESS] stable over the whole run' : `[FAILURE] ${failureReason(upCount, intervals.length, errorRate, allTools)}`);
  return { ok, intervals, summary, lines };
}

function intervalLine(s: IntervalSample, expected: number): string {
  const time = s.at.slice(11, 19);
  if (!s.up) return `${time}  DOWN  ${s.reason ?? ''}`.trimEnd();
  const st = summarize(s.latenciesMs);
  const rate = s.probes ? (100 * s.errors) / s.probes : 0;
  const rss = s.rssBytes !== undefined ? mb(s.rssBytes) : '-';
  const tail = s.reason ? `  (${s.reason})` : '';
  return `${time}  UP    tools ${s.tools}/${expected}  p50 ${fmtMs(st.p50)} ms  p95 ${fmtMs(st.p95)} ms  errors ${rate.toFixed(1)}% (${s.errors}/${s.probes})  rss ${rss}${tail}`;
}

function failureReason(up: number, total: number, errorRate: number, allTools: boolean): string {
  const why: string[] = [];
  if (up < total) why.push(`down in ${total - up} of ${total} intervals`);
  if (errorRate > MAX_ERROR_RATE) why.push(`error rate ${(errorRate * 100).toFixed(1)}% above ${MAX_ERROR_RATE * 100}%`);
  if (!allTools) why.push('tools missing');
  return why.join('; ') || 'no intervals ran';
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function sleepUntil(when: number, signal?: AbortSignal): Promise<void> {
  const ms = when - Date.now();
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
