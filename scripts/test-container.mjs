#!/usr/bin/env node
// npm run test:container — the image, tested for real (README "Containers"). Needs podman (or
// CONTAINER_ENGINE=docker) and haproxy; builds with the local stand-in base when one is there
// (--pull=never), else pulls node:20-bookworm-slim. 4-7 minutes here (2-3 building), bounded to 20.
//
//   1. build the Containerfile; check user, labels, health check; measure size and start time
//   2. run it (read-only root, as in Kubernetes) and pass `validate --suite full`; the page is served; foreign
//      Host refused; SIGTERM drains and exits 0
//   3. price data from mounted files, wired as the Kubernetes pod wires it: changed prices in the answers, bad
//      files refused at start (scripts/container/price-data.mjs)
//   4. run the pre-promotion Job's exact command, from deploy/kubernetes, against a container playing
//      the preview Service (and one playing the active Service for its answer diff)
//   5. three replicas sharing only a session key, behind haproxy round-robin (no stickiness): MCP
//      sessions keep working with 0 failed calls while one replica is restarted (scripts/container/round-robin.mjs)
//   6. `start` (controller, router, blue and green) in one container, as compose.yaml's bluegreen service, a
//      deploy inside it, and its stop (scripts/container/bluegreen.mjs)
// Every container, volume, image, process and file it makes is removed at the end, also on failure
// (scripts/container/harness.mjs).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { blueGreenInOne } from './container/bluegreen.mjs';
import {
  BASE,
  ENGINE,
  GIVEN_IMAGE,
  MAIN,
  ROOT,
  TAG,
  VERSION,
  check,
  cleanup,
  engine,
  figures,
  freePort,
  http,
  log,
  made,
  pageServed,
  removeContainers,
  run,
  startContainer,
  waitReady,
  work,
} from './container/harness.mjs';
import { priceData } from './container/price-data.mjs';
import { roundRobin } from './container/round-robin.mjs';

const TIME_LIMIT_MS = 20 * 60_000;

// ---- 1. the image ----

async function buildImage() {
  if (GIVEN_IMAGE) {
    log(`[INFO] using the given image ${GIVEN_IMAGE} (no build)`);
    return;
  }
  const local = (await engine(['image', 'exists', BASE], { allowFail: true })).code === 0;
  const before = new Set((await engine(['images', '-a', '-q', '--no-trunc'])).stdout.split('\n').filter(Boolean));
  const revision = (await run('git', ['rev-parse', 'HEAD'], { allowFail: true })).stdout.trim() || 'unknown';
  const started = Date.now();
  const build = await engine(
    [
      'build',
      ...(local ? ['--pull=never'] : []),
      '--network',
      'host',
      '--format',
      'docker',
      '--build-arg',
      `REVISION=${revision}`,
      '--build-arg',
      'SOURCE=local checkout',
      '-t',
      TAG,
      '.',
    ],
    { timeoutMs: 15 * 60_000, allowFail: true },
  );
  writeFileSync(join(work, 'build.log'), build.stdout + build.stderr);
  // Stage images this build made are ours to remove too (those that existed before are not).
  const after = (await engine(['images', '-a', '-q', '--no-trunc'])).stdout.split('\n').filter(Boolean);
  made.images.push(...after.filter((id) => !before.has(id)));
  if (build.code !== 0) throw new Error(`image build failed:\n${(build.stdout + build.stderr).split('\n').slice(-30).join('\n')}`);
  figures.build_s = Math.round((Date.now() - started) / 100) / 10;
  log(`[INFO] built ${TAG} in ${figures.build_s} s (${local ? 'local stand-in base, --pull=never' : 'base pulled'})`);

  const info = JSON.parse((await engine(['image', 'inspect', TAG])).stdout)[0];
  const config = info.Config;
  figures.image_mb = Math.round(info.Size / 1e6);
  check(config.User === 'node', `runs as the non-root user "node" (USER ${config.User})`);
  check(config.Labels['org.opencontainers.image.version'] === VERSION, `label org.opencontainers.image.version = ${VERSION}`);
  check(config.Labels['org.opencontainers.image.revision'] === revision, 'label org.opencontainers.image.revision = git HEAD');
  check(Boolean(config.Labels['org.opencontainers.image.source']), 'label org.opencontainers.image.source set');
  // podman keeps the health check beside Config, docker inside it.
  const healthcheck = info.Healthcheck ?? config.Healthcheck;
  check(JSON.stringify(healthcheck?.Test ?? []).includes('/health/live'), 'HEALTHCHECK asks /health/live');
  log(`[INFO] image size ${figures.image_mb} MB`);
}

// ---- 2. one container: the full suite ----

async function fullSuite() {
  const port = await freePort();
  const t0 = Date.now();
  const id = await startContainer('single', port);
  await waitReady(port, 60_000, id);
  figures.start_to_ready_ms = Date.now() - t0;
  log(`[INFO] ${ENGINE} run to /health/ready: ${figures.start_to_ready_ms} ms`);

  check((await engine(['healthcheck', 'run', id], { allowFail: true })).code === 0, 'the image HEALTHCHECK passes');
  const page = await pageServed(port);
  check(page.ok, `the calculator page is served from the image's dist/web (${page.what})`);
  const init = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  });
  const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const foreign = await http(port, '/mcp', { method: 'POST', headers: { ...mcpHeaders, host: 'evil.example' }, body: init });
  check(foreign.status === 403, `bound to 0.0.0.0, /mcp still refuses a foreign Host header (${foreign.status})`);

  const v = await run(process.execPath, [MAIN, 'validate', '--suite', 'full', '--url', `http://127.0.0.1:${port}/mcp`], {
    allowFail: true,
    timeoutMs: 180_000,
  });
  writeFileSync(join(work, 'validate-full.log'), v.stdout + v.stderr);
  const summary = /Summary: (\d+)\/(\d+) scenarios passed/.exec(v.stdout);
  check(
    v.code === 0 && summary !== null && summary[1] === summary[2],
    `validate --suite full passes against the container (${summary?.[0] ?? 'no summary'})${v.code === 0 ? '' : `:\n${v.stdout.slice(-2000)}`}`,
  );

  const stopStarted = Date.now();
  await engine(['stop', '-t', '30', id], { timeoutMs: 60_000 });
  figures.stop_ms = Date.now() - stopStarted;
  const state = JSON.parse((await engine(['inspect', id])).stdout)[0].State;
  const logs = (await engine(['logs', id])).stderr + (await engine(['logs', id])).stdout;
  check(state.ExitCode === 0 && logs.includes('"msg":"drained"'), `SIGTERM drains and exits 0 as PID 1 (${figures.stop_ms} ms)`);
  await removeContainers([id]);
}

// ---- 4. the pre-promotion Job's command ----

async function prePromotionJob() {
  const manifest = parse(readFileSync(join(ROOT, 'deploy/kubernetes/base/analysis-pre-promotion.yaml'), 'utf8'));
  const container = manifest.spec.metrics[0].provider.job.spec.template.spec.containers[0];
  const [activePort, previewPort] = [await freePort(), await freePort()];
  const ids = [await startContainer('active', activePort), await startContainer('preview', previewPort)];
  await Promise.all([waitReady(activePort), waitReady(previewPort)]);
  const args = { 'preview-url': `http://127.0.0.1:${previewPort}/mcp`, 'active-url': `http://127.0.0.1:${activePort}/mcp` };
  const command = container.args.map((a) => a.replace(/\{\{args\.([a-z-]+)\}\}/g, (_, name) => args[name]));
  log(`[INFO] the Job's command: ${command.join(' ')}`);
  // As the Job runs it: this image, its entrypoint, the manifest's args, a read-only root.
  const job = await engine(['run', '--rm', '--network', 'host', '--read-only', '--tmpfs', '/tmp', TAG, ...command], {
    allowFail: true,
    timeoutMs: 180_000,
  });
  writeFileSync(join(work, 'pre-promotion-job.log'), job.stdout + job.stderr);
  check(
    job.code === 0 && job.stdout.includes('[SUCCESS] ALL TESTS PASSED'),
    `the pre-promotion Job passes against the preview container${job.code === 0 ? '' : `:\n${job.stdout}${job.stderr}`}`,
  );
  check(
    job.stdout.includes(`[INFO] Canonical answers unchanged from ${args['active-url']}`),
    'and diffs its answers against the active one',
  );
  await removeContainers(ids);
}

async function main() {
  for (const [cmd, args] of [
    [ENGINE, ['--version']],
    ['haproxy', ['-v']],
  ]) {
    if ((await run(cmd, args, { allowFail: true }).catch(() => ({ code: 127 }))).code !== 0) {
      log(`[SKIP] ${cmd} is not installed: this test needs ${ENGINE} and haproxy (see README "Containers")`);
      process.exitCode = 2;
      return;
    }
  }
  const watchdog = setTimeout(() => {
    log(`[FAIL] the container test took longer than ${TIME_LIMIT_MS / 60_000} minutes`);
    cleanup().finally(() => process.exit(1));
  }, TIME_LIMIT_MS);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(1)));
  const started = Date.now();
  try {
    await buildImage();
    await fullSuite();
    await priceData();
    await prePromotionJob();
    await roundRobin();
    await blueGreenInOne();
    log(`[SUCCESS] container test passed in ${Math.round((Date.now() - started) / 1000)} s ${JSON.stringify(figures)}`);
  } catch (err) {
    log(`[FAIL] ${err.message}`);
    log(`[INFO] logs of this run: ${work}${process.env.KEEP_LOGS ? '' : ' (removed on exit; KEEP_LOGS=1 keeps them)'}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(watchdog);
    if (process.env.KEEP_LOGS) made.dirs = made.dirs.filter((d) => d !== work);
    await cleanup();
  }
}

await main();
