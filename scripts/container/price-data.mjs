// Step of the container test: price data replaced by mounting files, wired as the Kubernetes pod wires it
// (deploy/kubernetes/base: the ConfigMap's files in a read-only directory at the volume's mountPath, the
// variables the Rollout sets; examples/price-file's LLM_PRICING_PRICES for a base price file). A changed overlay and a changed price file show in the answers; a bad file
// stops the container at start with a message naming it and a non-zero exit.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { loadBaseProviders } from '../../dist/pricing/index.js';
import {
  ROOT,
  TAG,
  callTool,
  check,
  freePort,
  http,
  mcpClient,
  removeContainers,
  runToExit,
  startContainer,
  waitReady,
  work,
} from './harness.mjs';

const K8S = join(ROOT, 'deploy/kubernetes/base');
const WORKLOAD = { input_tokens: 5000, output_tokens: 2000 };
const MARK = 'container test: a changed price';

/** Where the pod finds its price data: the mount path, the ConfigMap's files (key → file), the variables set. */
function podWiring() {
  const rollout = parse(readFileSync(join(K8S, 'rollout.yaml'), 'utf8'));
  const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'));
  const pod = rollout.spec.template.spec;
  const container = pod.containers[0];
  const volume = pod.volumes.find((v) => v.configMap);
  const mount = container.volumeMounts.find((m) => m.name === volume.name);
  const generator = kustomization.configMapGenerator.find((g) => g.name === volume.configMap.name);
  const files = Object.fromEntries(
    generator.files.map((f) => (f.includes('=') ? [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)] : [basename(f), f])),
  );
  const env = Object.fromEntries(container.env.filter((e) => e.name.startsWith('LLM_PRICING_') && e.value).map((e) => [e.name, e.value]));
  return { mountPath: mount.mountPath, readOnly: mount.readOnly === true, files, env, pricesFile: examplePricesFile() };
}

/** Where deploy/kubernetes/examples/price-file points LLM_PRICING_PRICES (the env entry its patch adds). */
function examplePricesFile() {
  const kustomization = parse(readFileSync(join(ROOT, 'deploy/kubernetes/examples/price-file/kustomization.yaml'), 'utf8'));
  const ops = kustomization.patches.flatMap((p) => parse(p.patch));
  return ops.find((op) => op.value?.name === 'LLM_PRICING_PRICES').value.value;
}

/** A directory holding what the ConfigMap volume would show, as the kubelet makes it: readable by the pod's user. */
function configMapDir(name, contents) {
  const dir = join(work, name);
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755); // whatever the umask
  for (const [key, text] of Object.entries(contents)) {
    writeFileSync(join(dir, key), text);
    chmodSync(join(dir, key), 0o644);
  }
  return dir;
}

export async function priceData() {
  const wiring = podWiring();
  const overlayKey = wiring.env.LLM_PRICING_OVERLAY?.slice(wiring.mountPath.length + 1);
  check(
    wiring.readOnly && wiring.env.LLM_PRICING_OVERLAY === `${wiring.mountPath}/${overlayKey}` && overlayKey in wiring.files,
    `the pod reads its overlay from the ConfigMap (LLM_PRICING_OVERLAY=${wiring.env.LLM_PRICING_OVERLAY}, mounted read-only at ${wiring.mountPath})`,
  );
  // work/ is 0700 (mkdtemp): the image's user must be able to pass through it to the mounted directory.
  chmodSync(work, 0o755);
  const shipped = Object.fromEntries(Object.entries(wiring.files).map(([key, file]) => [key, readFileSync(join(K8S, file), 'utf8')]));

  // The changed data: gpt-4 at $40/$80 per 1M by an overlay patch, gpt-4o at $7/$21 in the base price file.
  const overlay = JSON.parse(shipped[overlayKey]);
  overlay.patches.push({ model: 'openai:gpt-4', rates: { input: '40', output: '80' }, source: MARK, as_of: overlay.as_of });
  const providers = await loadBaseProviders();
  const gpt4o = providers.find((p) => p.id === 'openai').models.find((m) => m.id === 'gpt-4o');
  gpt4o.prices = { input_mtok: 7, output_mtok: 21 };
  const pricesFile = wiring.pricesFile;
  const pricesKey = pricesFile.slice(wiring.mountPath.length + 1);
  const dir = configMapDir('configmap', { ...shipped, [overlayKey]: JSON.stringify(overlay), [pricesKey]: JSON.stringify(providers) });

  const port = await freePort();
  const id = await startContainer('prices', port, { ...wiring.env, LLM_PRICING_PRICES: pricesFile }, [
    '-v',
    `${dir}:${wiring.mountPath}:ro`,
  ]);
  await waitReady(port, 60_000, id);
  const { client } = await mcpClient(port, 'price-data');
  try {
    const gpt4 = await callTool(client, 'estimate_cost', { model_name: 'gpt-4', ...WORKLOAD });
    check(
      gpt4.total_cost === 0.36 && gpt4.price_source === MARK,
      `the mounted overlay's price is in force: gpt-4 5000/2000 tokens costs ${gpt4.total_cost} (0.27 in the image), source "${gpt4.price_source}"`,
    );
    const fourO = await callTool(client, 'estimate_cost', { model_name: 'gpt-4o', ...WORKLOAD });
    check(
      fourO.total_cost === 0.077 && fourO.data_as_of.includes(`file ${pricesFile}`),
      `the mounted price file's price is in force: gpt-4o costs ${fourO.total_cost} (0.0325 in the image); data_as_of "${fourO.data_as_of}"`,
    );
  } finally {
    await client.close().catch(() => undefined);
  }
  const info = JSON.parse((await http(port, '/deployment/info')).text);
  check(info.data_as_of.includes(pricesFile), '/deployment/info names the mounted price file');
  await removeContainers([id]);

  // Bad files: the container stops at start, before serving anything, with a message naming the file.
  const truncated = JSON.stringify(overlay).slice(0, 50_000);
  gpt4o.prices = { input_mtok: -1, output_mtok: 21 };
  const cases = [
    {
      name: 'bad-overlay',
      files: { ...shipped, [overlayKey]: truncated },
      env: {},
      says: `overlay ${wiring.env.LLM_PRICING_OVERLAY} is not valid JSON`,
    },
    {
      name: 'bad-prices',
      files: { ...shipped, [pricesKey]: JSON.stringify(providers) },
      env: { LLM_PRICING_PRICES: pricesFile },
      says: `invalid price data ${pricesFile}`,
    },
  ];
  const runs = await Promise.all(
    cases.map((c) =>
      runToExit(
        c.name,
        [
          '--network',
          'none',
          '--read-only',
          '--tmpfs',
          '/tmp',
          '-v',
          `${configMapDir(c.name, c.files)}:${wiring.mountPath}:ro`,
          ...Object.entries({ ...wiring.env, ...c.env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
          TAG,
        ],
        60_000,
      ),
    ),
  );
  for (const [i, c] of cases.entries()) {
    const r = runs[i];
    // The server's own lines (the engine may add its own on stderr).
    const lines = (r.stderr + r.stdout).split('\n');
    const at = lines.findIndex((l) => l.startsWith('error: '));
    const said = at >= 0 ? lines.slice(at, at + 2).join(' ') : lines.slice(-3).join(' | ');
    check(r.code !== 0 && said.startsWith(`error: ${c.says}`), `${c.name}: refused at start, exit ${r.code}: ${said.slice(0, 160)}`);
  }
}
