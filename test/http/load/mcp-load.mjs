// A small closed-loop load generator for /mcp: C sessions (one per connection), each
// sending tools/call requests back to back with fresh ids, for D seconds; prints
// calls/s, latency percentiles, errors, and the server's RSS (from /proc) sampled
// after each checkpoint of calls.
// Usage: node test/http/load/mcp-load.mjs --url http://127.0.0.1:PORT/mcp --pid PID
//          [--connections 32] [--seconds 10] [--calls N] [--checkpoints 10000,50000]
//          [--tool add --args '{"a":1,"b":2}']
// server_cpu_us_per_call is the server's CPU time per call: the figure that does not
// depend on how much of the machine the load generator takes.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const url = new URL(args.url);
const pid = args.pid ? Number(args.pid) : undefined;
const connections = Number(args.connections ?? 32);
const seconds = Number(args.seconds ?? 10);
const maxCalls = args.calls ? Number(args.calls) : Infinity;
const checkpoints = (args.checkpoints ?? '').split(',').filter(Boolean).map(Number);
const tool = args.tool ?? 'add';
const toolArgs = JSON.parse(args.args ?? '{"a":1,"b":2}');
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const baseHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', host: url.host };

function post(body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { ...baseHeaders, ...headers, 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function rssMiB() {
  if (!pid) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : undefined;
}

/** CPU seconds (user + system) the server process has used so far. */
function cpuSeconds() {
  if (!pid) return undefined;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

async function openSession() {
  const init = await post({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'load', version: '1' } },
  });
  const sid = init.headers['mcp-session-id'];
  if (init.status !== 200 || !sid) throw new Error(`initialize failed: ${init.status} ${init.body}`);
  const headers = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  return headers;
}

const sessions = await Promise.all(Array.from({ length: connections }, openSession));
let done = 0;
let errors = 0;
const latencies = [];
const rss = [];
let nextCheckpoint = 0;
const cpuStart = cpuSeconds();
const started = performance.now();
const deadline = started + seconds * 1000;

async function worker(headers) {
  let id = 1;
  while (performance.now() < deadline && done < maxCalls) {
    const t0 = performance.now();
    const r = await post({ jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name: tool, arguments: toolArgs } }, headers);
    latencies.push(performance.now() - t0);
    if (r.status !== 200 || r.body.includes('"isError":true') || r.body.includes('"error"')) errors++;
    done++;
    if (nextCheckpoint < checkpoints.length && done >= checkpoints[nextCheckpoint]) {
      rss.push({ calls: checkpoints[nextCheckpoint], rss_mib: rssMiB() });
      nextCheckpoint++;
    }
  }
}

await Promise.all(sessions.map(worker));
const elapsed = (performance.now() - started) / 1000;
const cpuUsed = pid ? cpuSeconds() - cpuStart : undefined;
latencies.sort((a, b) => a - b);
const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 100) / 100;
console.log(
  JSON.stringify({
    calls: done,
    seconds: Math.round(elapsed * 100) / 100,
    calls_per_s: Math.round(done / elapsed),
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
    errors,
    server_cpu_us_per_call: cpuUsed === undefined ? undefined : Math.round((cpuUsed * 1e6) / done),
    server_cpu_util: cpuUsed === undefined ? undefined : Math.round((cpuUsed / elapsed) * 100) / 100,
    rss_end_mib: rssMiB(),
    rss,
  }),
);
agent.destroy();
