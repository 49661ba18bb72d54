// The lean load client's own process: reads one JSON job a line on stdin
// ({spec, request}), runs it, writes one JSON line with the result (or an error)
// on stdout. Exits at the end of stdin.
import { createInterface } from 'node:readline';
import { runLeanLoad, type LeanLoadSpec, type LeanRequest } from './lean-load.js';

const lines = createInterface({ input: process.stdin });
let queue: Promise<void> = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    try {
      const job = JSON.parse(line) as { spec: LeanLoadSpec; request: LeanRequest };
      process.stdout.write(`${JSON.stringify({ ok: true, result: await runLeanLoad(job.spec, job.request) })}\n`);
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: (err as Error).message })}\n`);
    }
  });
});
