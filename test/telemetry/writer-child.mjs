// A telemetry writer process for the concurrency tests (uses the built code):
//   node writer-child.mjs DIR CALLS [--crash]
// Records CALLS calls of "tool_a" (every 4th an error) and CALLS/2 of "tool_b",
// spread over a few hundred ms while flushing every 15 ms, then closes (folding
// itself into base.json). With --crash it flushes, prints "flushed" and waits to
// be killed, leaving its writer file behind for another process to fold.

import { Telemetry } from '../../dist/telemetry/telemetry.js';

const [dir, callsArg, mode] = process.argv.slice(2);
const calls = Number(callsArg);
const t = await Telemetry.open({ dir, version: 'test', flushIntervalMs: 15, onError: (m) => process.stderr.write(`${m}\n`) });

for (let i = 0; i < calls; i++) {
  t.record('tool_a', 0.05 + (i % 20), i % 4 !== 0);
  if (i % 2 === 0) t.record('tool_b', 1 + (i % 7), true);
  if (i % 25 === 0) await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
}

if (mode === '--crash') {
  await t.flush();
  process.stdout.write('flushed\n');
  setInterval(() => {}, 1000);
} else {
  await t.close();
}
