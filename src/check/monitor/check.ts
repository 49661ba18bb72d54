import type { ValidationSpec } from '../validate/spec.js';
import { listToolNames, probeEndpoint, readDeploymentInfo, readHealthDetailed } from './probe.js';
import type { DeploymentInfo, HealthDetailed } from './probe.js';

// `monitor --check`: the guide's health report for one environment, in its three
// blocks (SERVER STATUS, MODULE CHECK, AVAILABLE TOOLS), as lines and as data.

export interface MonitorCheckResult {
  ok: boolean;
  endpoint: string;
  up: boolean;
  info?: DeploymentInfo;
  health?: HealthDetailed;
  tools: Array<{ name: string; ok: boolean }>;
  problems: string[];
  lines: string[];
}

export async function runMonitorCheck(
  base: string,
  spec: ValidationSpec,
  timeoutMs: number,
  onLine?: (line: string) => void,
): Promise<MonitorCheckResult> {
  const lines: string[] = [];
  const problems: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    onLine?.(line);
  };
  const fail = (line: string, problem: string) => {
    problems.push(problem);
    say(line);
  };
  const result = (extra: Partial<MonitorCheckResult>): MonitorCheckResult => ({
    ok: problems.length === 0,
    endpoint: base,
    up: false,
    tools: [],
    problems,
    lines,
    ...extra,
  });

  say('SERVER STATUS');
  const up = await probeEndpoint(base, timeoutMs);
  if (!up.ok) {
    fail(`  [FAIL] ${up.reason}`, up.reason);
    say(`[FAILURE] ${problems.length} problem(s) found`);
    return result({ up: false });
  }
  say(`  Endpoint ${base}: [PASS] UP`);
  const info = await readDeploymentInfo(base, timeoutMs);
  if (info.ok && info.value.pid !== undefined) {
    say(`  Process Running: [PASS] YES (PID: ${info.value.pid})`);
    const colour = info.value.color ? `, colour ${info.value.color}` : '';
    const started = info.value.started_at ? `, started ${info.value.started_at}` : '';
    say(`  Version: ${info.value.version ?? '(not reported)'}${colour}${started}`);
  } else {
    const reason = info.ok ? '/deployment/info has no pid' : info.reason;
    fail(`  Process Running: [FAIL] ${reason}`, reason);
  }

  say('');
  say('MODULE CHECK');
  const health = await readHealthDetailed(base, timeoutMs);
  if (!health.ok) {
    fail(`  pricing catalog: [FAIL] ${health.reason}`, health.reason);
  } else if (!health.value.catalog?.loaded) {
    fail('  pricing catalog: [FAIL] not loaded', 'pricing catalog not loaded');
  } else {
    const c = health.value.catalog;
    const counts = [c.models !== undefined && `${c.models} models`, c.providers !== undefined && `${c.providers} providers`]
      .filter(Boolean)
      .join(', ');
    say(`  pricing catalog: [PASS] loaded${counts ? ` (${counts})` : ''}`);
    say(`  data as of: ${c.data_as_of ?? '(not reported)'}${c.source ? ` (source: ${c.source})` : ''}`);
  }

  const listed = await listToolNames(base, timeoutMs);
  const tools = spec.tools.map((t) => ({ name: t.name, ok: listed.ok && listed.value.includes(t.name) }));
  const found = tools.filter((t) => t.ok).length;
  say('');
  say(`AVAILABLE TOOLS (${found} of ${tools.length})`);
  if (!listed.ok) fail(`  [FAIL] ${listed.reason}`, listed.reason);
  else for (const t of tools) say(`  ${t.ok ? '[PASS]' : '[FAIL]'} ${t.name}`);
  const missing = tools.filter((t) => !t.ok).map((t) => t.name);
  if (listed.ok && missing.length > 0) problems.push(`missing tools: ${missing.join(', ')}`);

  say(problems.length === 0 ? '[SUCCESS] server healthy' : `[FAILURE] ${problems.length} problem(s) found`);
  return result({ up: true, ...(info.ok && { info: info.value }), ...(health.ok && { health: health.value }), tools });
}
