import type { StatusView } from './admin-protocol.js';
import type { DeployContext } from './context.js';
import type { Colour } from './defaults.js';
import { Colours, ReadyPath } from './defaults.js';
import { probe } from './probe.js';
import { describeData, describeRelease } from './release.js';
import { describeAddress } from './router-protocol.js';
import type { RouterStatus } from './router-protocol.js';

/** Everything `status` shows (and /deploy/api/status serves), with a live readiness probe of each running colour. */
export async function collectStatus(ctx: DeployContext): Promise<StatusView> {
  const st = ctx.state;
  const traffic: RouterStatus | null = await ctx.router.call('status', {}).catch(() => null);
  if (traffic !== null) ctx.traffic.record(traffic);
  const colours = {} as StatusView['colours'];
  await Promise.all(
    Colours.map(async (c: Colour) => {
      const cs = st.colour(c);
      const proc = ctx.procs[c];
      let health = 'Process not running';
      if (proc.running && cs.listen !== null) {
        const r = await probe(cs.listen, ReadyPath, 1000);
        health =
          r.status === 200
            ? 'Ready (process running, /health/ready 200)'
            : r.status === 0
              ? `Process running, not answering (${r.error ?? 'no answer'})`
              : `Process running, ${ReadyPath} ${r.status} ${typeof r.body === 'object' ? JSON.stringify(r.body) : ''}`.trim();
      }
      colours[c] = {
        port: cs.port,
        listen: cs.listen !== null ? describeAddress(cs.listen) : null,
        status: proc.running ? (cs.status === 'starting' ? 'STARTING' : 'RUNNING') : cs.status === 'failed' ? 'FAILED' : 'STOPPED',
        role: cs.status,
        health,
        pid: proc.pid,
        startedAt: proc.running ? cs.startedAt : null,
        version: cs.version,
        release: cs.release ? describeRelease(cs.release) : null,
        data: cs.release ? describeData(cs.release.data) : null,
        adopted: proc.adopted,
        keepUntil: proc.running ? cs.keepUntil : null,
        inFlight: traffic?.colours[c].inFlight ?? 0,
        sessions: traffic?.colours[c].sessions ?? 0,
        note: cs.note,
      };
    }),
  );
  const a = ctx.analysis;
  const v = a?.active ? a.current() : null;
  const d = st.data.deploy;
  const hello = ctx.router.hello;
  return {
    controller: { pid: process.pid, startedAt: ctx.startedAt.toISOString(), url: ctx.publicUrl, dir: ctx.dir },
    router: {
      pid: hello?.pid ?? null,
      port: hello?.listen.port ?? null,
      managed: hello?.managed ?? false,
      answering: traffic !== null,
      generation: traffic?.generation ?? null,
    },
    active: st.active,
    previous: st.data.previous,
    colours,
    deploy: d
      ? {
          version: d.version,
          colour: d.colour,
          from: d.from,
          startedAt: d.startedAt,
          phase: d.phase,
          waitingForPromote: ctx.pending !== null,
        }
      : null,
    analysis:
      a?.active && v
        ? {
            colour: a.target.colour,
            startedAt: new Date(a.startedAt).toISOString(),
            endsAt: new Date(a.endsAt).toISOString(),
            requests: v.requests,
            errors: v.errors,
            errorRate: v.errorRate,
            avgLatencyMs: Math.round(v.avgLatencyMs * 100) / 100,
            maxErrorRate: a.opts.maxErrorRate,
            minRequests: a.opts.minRequests,
          }
        : null,
    traffic: ctx.traffic.view(),
    notes: st.data.notes,
  };
}
