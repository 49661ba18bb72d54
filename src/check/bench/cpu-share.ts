import { readFileSync } from 'node:fs';

// Who used the CPU while a throughput round ran: the server under test, this
// process (the load generator), and everything else on the machine. On a small
// shared machine a burst of other work (another test suite, a build) halves a
// round's calls/s at any connection count; this is how the bench tells such a
// round from a slow server. Linux only (/proc); elsewhere nothing is measured.

/** CPU used over one interval, in cores (1 = one core busy for the whole interval). */
export interface CpuShare {
  server: number;
  client: number;
  /** Every other process on the machine (busy time of all CPUs minus server and client). */
  others: number;
  /** CPU seconds the server spent, for a per-call cost that contention barely moves. */
  serverSeconds: number;
}

/** Clock ticks per second of /proc times; 100 on every Linux the bench runs on. */
const TICKS_PER_SECOND = 100;

interface Snapshot {
  server: number;
  client: number;
  busy: number;
  total: number;
}

/** utime + stime of a process in ticks, or undefined when it cannot be read. */
function processTicks(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Busy and total ticks summed over all CPUs, from the first line of /proc/stat. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3]! - f[4]!, total }; // idle and iowait are not busy
  } catch {
    return undefined;
  }
}

function snapshot(serverPid: number): Snapshot | undefined {
  const server = processTicks(serverPid);
  const client = processTicks('self');
  const machine = machineTicks();
  if (server === undefined || client === undefined || !machine) return undefined;
  return { server, client, ...machine };
}

/** Starts measuring; the returned function ends the interval and gives the shares (undefined off Linux). */
export function startCpuShare(serverPid: number, elapsedMs: () => number): () => CpuShare | undefined {
  const start = snapshot(serverPid);
  return () => {
    const end = snapshot(serverPid);
    const seconds = elapsedMs() / 1000;
    if (!start || !end || seconds <= 0) return undefined;
    const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
    const server = end.server - start.server;
    const client = end.client - start.client;
    const others = Math.max(0, end.busy - start.busy - server - client);
    return { server: cores(server), client: cores(client), others: cores(others), serverSeconds: server / TICKS_PER_SECOND };
  };
}

/**
 * Waits until other processes use at most `maxCores` over one `windowMs` sample,
 * or `timeoutMs` passes; true when the machine went quiet. The server counts as
 * "other" here too: an idle server still collecting garbage is contention.
 */
export async function waitForQuiet(maxCores: number, windowMs: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const a = machineTicks();
    const self0 = processTicks('self');
    await new Promise((r) => setTimeout(r, windowMs));
    const b = machineTicks();
    const self1 = processTicks('self');
    if (!a || !b || self0 === undefined || self1 === undefined) return false;
    const others = (b.busy - a.busy - (self1 - self0)) / TICKS_PER_SECOND / (windowMs / 1000);
    if (others <= maxCores) return true;
  }
  return false;
}
