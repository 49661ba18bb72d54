import type { Controller } from './controller.js';
import type { Colour } from './defaults.js';
import { Colours, ReadyPath } from './defaults.js';
import { probe } from './probe.js';
import { describeRelease } from './release.js';

export interface ColourStatusView {
  port: number;
  status: string; // RUNNING | STOPPED | STARTING | FAILED
  role: string; // active | standby | draining | ready | starting | stopped | failed
  health: string;
  pid: number | null;
  version: string | null;
  release: string | null;
  adopted: boolean;
  keepUntil: string | null;
  inFlight: number;
  sessions: number;
  note: string | null;
}

export interface StatusView {
  controller: { pid: number; startedAt: string; url: string; dir: string };
  active: Colour | null;
  previous: Colour | null;
  colours: Record<Colour, ColourStatusView>;
  deploy: { version: string; colour: Colour; phase: number; waitingForPromote: boolean } | null;
  analysis: { colour: Colour; endsAt: string; requests: number; errors: number; errorRate: number } | null;
  notes: string[];
}

/** Everything `status` shows, with a live readiness probe of each running colour. */
export async function collectStatus(ctl: Controller): Promise<StatusView> {
  const colours = {} as Record<Colour, ColourStatusView>;
  await Promise.all(
    Colours.map(async (c) => {
      const cs = ctl.state.colours[c];
      const proc = ctl.procs[c];
      const target = ctl.router.targets[c];
      let health = 'Process not running';
      if (proc.running) {
        const r = await probe(ctl.host, cs.port, ReadyPath, 1000);
        health =
          r.status === 200
            ? 'Ready (process running, /health/ready 200)'
            : r.status === 0
              ? `Process running, not answering (${r.error ?? 'no answer'})`
              : `Process running, ${ReadyPath} ${r.status} ${typeof r.body === 'object' ? JSON.stringify(r.body) : ''}`.trim();
      }
      const status = proc.running ? (cs.status === 'starting' ? 'STARTING' : 'RUNNING') : cs.status === 'failed' ? 'FAILED' : 'STOPPED';
      colours[c] = {
        port: cs.port,
        status,
        role: proc.running ? target.state : cs.status,
        health,
        pid: proc.pid,
        version: cs.version,
        release: cs.release ? describeRelease(cs.release) : null,
        adopted: proc.adopted,
        keepUntil: proc.running ? cs.keepUntil : null,
        inFlight: target.inFlight.size,
        sessions: target.sessions,
        note: cs.note,
      };
    }),
  );
  const a = ctl.analysis;
  const v = a?.active ? a.current() : null;
  const d = ctl.state.deploy;
  return {
    controller: { pid: process.pid, startedAt: ctl.startedAt.toISOString(), url: ctl.publicUrl, dir: ctl.dir },
    active: ctl.state.active,
    previous: ctl.state.previous,
    colours,
    deploy: d ? { version: d.version, colour: d.colour, phase: d.phase, waitingForPromote: ctl.pending !== null } : null,
    analysis:
      a?.active && v
        ? {
            colour: a.target.colour,
            endsAt: new Date(a.endsAt).toISOString(),
            requests: v.requests,
            errors: v.errors,
            errorRate: v.errorRate,
          }
        : null,
    notes: ctl.state.notes,
  };
}

/** The guide's status layout, plus what we know beyond it. */
export function formatStatus(s: StatusView): string {
  const lines: string[] = [];
  for (const c of Colours) {
    const v = s.colours[c];
    lines.push(`${c === 'blue' ? 'Blue' : 'Green'} Environment (Port ${v.port}):`);
    lines.push(`  Status: ${v.status}`);
    lines.push(`  Health: ${v.health}`);
    lines.push(`  Process: ${v.pid ?? 'None'}${v.adopted ? ' (adopted from a previous controller)' : ''}`);
    if (v.version) lines.push(`  Version: ${v.version}`);
    if (v.release) lines.push(`  Release: ${v.release}`);
    if (v.status === 'RUNNING')
      lines.push(`  Role: ${v.role}${v.keepUntil && v.role !== 'active' ? ` (warm for rollback until ${v.keepUntil})` : ''}`);
    if (v.status === 'RUNNING') lines.push(`  Traffic: ${v.inFlight} in flight, ${v.sessions} MCP sessions`);
    if (v.note) lines.push(`  Note: ${v.note}`);
    lines.push('');
  }
  lines.push(`Active Environment: ${s.active ? s.active.toUpperCase() : 'NONE'}`);
  lines.push(`Router: ${s.controller.url} (controller pid ${s.controller.pid})`);
  if (s.deploy) {
    lines.push(
      s.deploy.waitingForPromote
        ? `Deployment: v${s.deploy.version} on ${s.deploy.colour.toUpperCase()} validated, waiting for promote/abort`
        : `Deployment: v${s.deploy.version} to ${s.deploy.colour.toUpperCase()} in progress (phase ${s.deploy.phase})`,
    );
  }
  if (s.analysis) {
    lines.push(
      `Analysis: watching ${s.analysis.colour.toUpperCase()} until ${s.analysis.endsAt} (${s.analysis.errors} errors in ${s.analysis.requests} requests)`,
    );
  }
  for (const n of s.notes.slice(-5)) lines.push(`Note: ${n}`);
  return lines.join('\n');
}
