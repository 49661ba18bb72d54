// Step of the container test: `start` in one container, run as compose.yaml's `bluegreen` service runs it (its
// command, init, environment, read-only root, tmpfs, state volume and published router port, read from the
// file): the controller starts the router and blue on Unix sockets in the volume; the page and /mcp answer
// through the router; a deploy inside the container brings up green and switches to it; the container's
// SIGTERM stops the controller, the router and both colours, each cleanly, and exits 0.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseDuration } from '../../dist/duration.js';
import { MAIN, ROOT, TAG, VERSION, check, engine, freePort, made, pageServed, run, runToExit, waitReady } from './harness.mjs';

/** compose.yaml's bluegreen service as `podman run` arguments, its router published on hostPort, its volume ours. */
function composeService(hostPort, volume) {
  const svc = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')).services.bluegreen;
  const [volumeName, stateDir] = svc.volumes[0].split(':');
  const routerPort = Number(svc.ports[0].split(':').at(-1));
  const args = [
    ...(svc.init ? ['--init'] : []),
    ...(svc.read_only ? ['--read-only'] : []),
    ...(svc.tmpfs ?? []).flatMap((t) => ['--tmpfs', t]),
    ...Object.entries(svc.environment ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    // Deploy's phase 2 holds the new colour to the guide's 10 ms average; on a loaded test machine that is luck.
    ...['-e', 'DEPLOY_VALIDATE_MAX_AVG_MS=50', '-e', 'DEPLOY_VALIDATE_MAX_MAX_MS=1000'],
    '-v',
    `${volume}:${stateDir}`,
    '-p',
    `127.0.0.1:${hostPort}:${routerPort}`,
  ];
  return {
    volumeName,
    stateDir,
    args,
    command: svc.command,
    publicUrl: svc.environment?.DEPLOY_PUBLIC_URL,
    healthcheck: svc.healthcheck.test,
    graceS: Math.ceil(parseDuration(svc.stop_grace_period) / 1000),
  };
}

/** The command lines of the processes running in the container (from /proc: the slim image has no ps). */
async function processes(id) {
  const r = await engine(['exec', id, 'sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline; echo; done']);
  // Node processes only: the init (podman-init, docker-init) shows start's command line after its own name.
  return r.stdout.split('\n').filter((l) => /^\S*node /.test(l));
}

export async function blueGreenInOne() {
  const port = await freePort();
  const volume = `llm-pricing-deploy-${process.pid}`;
  await engine(['volume', 'create', volume]);
  made.volumes.push(volume);
  const svc = composeService(port, volume);
  check(
    svc.command[0] === 'start' && svc.args.includes('--init') && svc.command.includes(svc.stateDir),
    `compose.yaml's bluegreen service runs start with an init, state in the volume ${svc.volumeName}:${svc.stateDir}`,
  );
  const { stdout } = await engine(['run', '-d', '--name', `bluegreen-${process.pid}`, ...svc.args, TAG, ...svc.command]);
  const id = stdout.trim();
  made.containers.push(id);
  await waitReady(port, 120_000, id);
  const printed = /MCP endpoint \(Streamable HTTP\): (\S+)/.exec((await engine(['logs', id])).stdout)?.[1];
  check(
    svc.publicUrl !== undefined && printed === svc.publicUrl,
    `start prints the URL clients use through the published port (${printed}), not the container's address`,
  );

  const page = await pageServed(port);
  check(page.ok, `the calculator page is served through the router (${page.what})`);
  const url = `http://127.0.0.1:${port}/mcp`;
  const quick = await run(process.execPath, [MAIN, 'validate', '--url', url, '--max-avg-ms', '50', '--max-ms', '1000'], {
    allowFail: true,
  });
  check(
    quick.code === 0,
    `the router serves this build as blue: validate --suite quick passes through it${quick.code ? `:\n${quick.stdout}` : ''}`,
  );
  const health = await engine(['exec', id, ...svc.healthcheck.slice(1)], { allowFail: true });
  check(health.code === 0, "compose.yaml's health check passes inside the container");

  // A deploy inside the container: green starts on its socket in the volume, is validated, takes the traffic.
  const deploy = await engine(['exec', id, 'llm-pricing-mcp', 'deploy', '--dir', svc.stateDir, '--version', VERSION, '--from', '/app'], {
    allowFail: true,
    timeoutMs: 180_000,
  });
  check(deploy.code === 0, `deploy inside the container switches to green${deploy.code ? `:\n${deploy.stdout}${deploy.stderr}` : ''}`);
  const status = await engine(['exec', id, 'llm-pricing-mcp', 'status', '--dir', svc.stateDir, '--json'], { allowFail: true });
  const state = status.code === 0 ? JSON.parse(status.stdout).data : undefined;
  check(state?.active === 'green', `status inside the container says green is active (${state?.active ?? status.stderr.trim()})`);
  const procs = await processes(id);
  const has = (re) => procs.filter((p) => re.test(p)).length === 1;
  check(
    has(/main\.js start /) &&
      has(/main\.js router --dir /) &&
      has(new RegExp(`serve --http --socket ${svc.stateDir}/blue\\.sock`)) &&
      has(new RegExp(`serve --http --socket ${svc.stateDir}/green\\.sock`)),
    `four processes: controller (start), router, blue (kept warm) and green on Unix sockets in the volume (${procs.length})`,
  );
  const after = await run(process.execPath, [MAIN, 'validate', '--url', url, '--max-avg-ms', '50', '--max-ms', '1000'], {
    allowFail: true,
  });
  check(after.code === 0, 'validate passes through the router after the switch');

  // The container's stop: SIGTERM to the init, forwarded to start, which stops everything.
  await engine(['stop', '-t', String(svc.graceS), id], { timeoutMs: (svc.graceS + 30) * 1000 });
  const exit = JSON.parse((await engine(['inspect', id])).stdout)[0].State.ExitCode;
  const files = ['deployment.log', 'logs/router.log', 'logs/blue.log', 'logs/green.log'].map((f) => `${svc.stateDir}/${f}`);
  const read = await runToExit('bluegreen-logs', [
    '--network',
    'none',
    '-v',
    `${volume}:${svc.stateDir}:ro`,
    '--entrypoint',
    'tail',
    TAG,
    '-n',
    '3',
    ...files,
  ]);
  const tails = Object.fromEntries(
    read.stdout
      .split(/^==> /m)
      .filter(Boolean)
      .map((part) => [part.slice(0, part.indexOf(' <==')), part]),
  );
  const lastEvent = JSON.parse(tails[files[0]].trim().split('\n').at(-1));
  check(
    exit === 0 &&
      lastEvent.event === 'controller' &&
      lastEvent.action === 'stop' &&
      lastEvent.router === 'stopped' &&
      tails[files[1]].includes('"msg":"router stopped"') &&
      tails[files[2]].includes('"msg":"drained"') &&
      tails[files[3]].includes('"msg":"drained"'),
    `stopping the container stops the controller, the router and both colours, each cleanly (exit ${exit})`,
  );
}
