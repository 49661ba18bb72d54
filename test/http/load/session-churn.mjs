// Opens N sessions that never DELETE (one initialize each) and prints the server's
// RSS every CHUNK sessions: memory must level off at the session cap.
// Usage: node test/http/load/session-churn.mjs --url http://127.0.0.1:PORT/mcp --pid PID [--sessions 5000] [--chunk 1000]
import { readFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const total = Number(args.sessions ?? 5000);
const chunk = Number(args.chunk ?? 1000);
const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${args.pid}/status`, 'utf8'))[1]) / 102.4) / 10;
const init = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'churn', version: '1' } },
});
const out = [];
let failed = 0;
for (let done = 0; done < total;) {
  const batch = Array.from({ length: Math.min(50, total - done) }, () =>
    fetch(args.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: init,
    }).then((r) => {
      if (r.status !== 200) failed++;
      return r.arrayBuffer();
    }),
  );
  await Promise.all(batch);
  done += batch.length;
  if (done % chunk === 0) out.push({ sessions: done, rss_mib: rss() });
}
console.log(JSON.stringify({ failed, rss: out }));
