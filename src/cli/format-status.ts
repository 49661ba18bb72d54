import type { StatusView } from '../deploy/admin-protocol.js';

/** The guide's status layout, plus what we know beyond it. */
export function formatStatus(s: StatusView): string {
  const lines: string[] = [];
  for (const c of ['blue', 'green'] as const) {
    const v = s.colours[c];
    const where = v.listen?.startsWith('unix:') ? `Socket ${v.listen.slice(5)}` : `Port ${v.port}`;
    lines.push(`${c === 'blue' ? 'Blue' : 'Green'} Environment (${where}):`);
    lines.push(`  Status: ${v.status}`);
    lines.push(`  Health: ${v.health}`);
    lines.push(`  Process: ${v.pid ?? 'None'}${v.adopted ? ' (adopted from a previous controller)' : ''}`);
    if (v.version) lines.push(`  Version: ${v.version}`);
    if (v.release) lines.push(`  Release: ${v.release}`);
    if (v.data) lines.push(`  Price data: ${v.data}`);
    if (v.status === 'RUNNING')
      lines.push(`  Role: ${v.role}${v.keepUntil && v.role !== 'active' ? ` (warm for rollback until ${v.keepUntil})` : ''}`);
    if (v.status === 'RUNNING') lines.push(`  Traffic: ${v.inFlight} in flight, ${v.sessions} MCP sessions`);
    if (v.note) lines.push(`  Note: ${v.note}`);
    lines.push('');
  }
  lines.push(`Active Environment: ${s.active ? s.active.toUpperCase() : 'NONE'}`);
  const r = s.router;
  lines.push(
    `Router: ${s.controller.url} (router pid ${r.pid ?? '?'}${r.answering ? '' : ', NOT ANSWERING'}${r.managed ? '' : ', run on its own'}; controller pid ${s.controller.pid})`,
  );
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
