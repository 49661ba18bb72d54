import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 lets the old generation grow past its live size before a full
 * collection (as a percentage; V8 otherwise allows up to 4x). The MCP SDK's
 * per-call objects are promoted out of the young generation at about 2 KB a call,
 * so under steady load the default lets RSS saw between ~125 and ~195 MiB; at
 * 100 (2x) it stays within a few percent at the same CPU per call (measured with
 * test/http/load/). `heap-growing-percent` is read at every collection, so setting
 * it at run time takes effect; an explicit `node --heap-growing-percent` wins.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent <= 0) return;
  if (process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) return;
  setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
