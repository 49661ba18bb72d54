import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PodTemplate } from 'kubernetes-models/v1/PodTemplate';
import { Service } from 'kubernetes-models/v1/Service';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { HttpMetrics } from '../../src/http/metrics.js';
import { DefaultAnalysisMinRequests, DefaultMaxErrorRate } from '../../src/deploy/defaults.js';
import { OverlaySchema } from '../../src/pricing/overlay-schema.js';
import { loadBaseProviders, loadCatalog } from '../../src/pricing/index.js';
import type { Catalog } from '../../src/pricing/index.js';
import { runPriceUpdate } from '../../src/prices/update.js';
import { configMapHash, kustomizeBuild, type Resource } from './kustomize.js';

// Every manifest under deploy/kubernetes, as `kubectl apply -k` would send it (base and each overlay,
// built), checked against the real schemas of Kubernetes, Argo Rollouts and prometheus-operator, and
// the references between them checked as the cluster would resolve them.

const ROOT = join(import.meta.dirname, '../../deploy/kubernetes');
const REPO = join(import.meta.dirname, '../..');

// The tree is built from a copy, with the price file examples/price-file expects written by `prices update` itself
// (from the bundled data): that file is made by the user and is not in the repository.
const TREE = mkdtempSync(join(tmpdir(), 'k8s-manifests-'));
afterAll(() => rmSync(TREE, { recursive: true, force: true }));
cpSync(ROOT, TREE, { recursive: true });
writeFileSync(join(TREE, 'bundled.json'), JSON.stringify(await loadBaseProviders()));
const written = await runPriceUpdate({
  from: join(TREE, 'bundled.json'),
  to: join(TREE, 'examples/price-file/prices.json'),
  json: true,
  out: () => undefined,
});
if (written !== 0) throw new Error('prices update refused the bundled data');

const BUILDS = [
  'base',
  ...readdirSync(join(ROOT, 'overlays')).map((o) => `overlays/${o}`),
  ...readdirSync(join(ROOT, 'examples')).map((e) => `examples/${e}`),
];
/** The variables that point the server at price data files (serve --prices, --overlay). */
const PRICE_VARS = ['LLM_PRICING_OVERLAY', 'LLM_PRICING_PRICES'];
const CONTAINERFILE = readFileSync(join(REPO, 'Containerfile'), 'utf8');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** The schema of each kind we ship; a kind not listed here fails the test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'argoproj.io/v1alpha1/Rollout': Rollout,
  'argoproj.io/v1alpha1/AnalysisTemplate': AnalysisTemplate,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** Names the manifests use but do not create: the operator makes them (README "Kubernetes"). */
const EXTERNAL_SECRETS = ['llm-pricing-mcp-session'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are read as plain data
type Any = any;

function find(rs: Resource[], kind: string, name?: string): Any {
  const found = rs.filter((r) => r.kind === kind && (name === undefined || r.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0];
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function envOf(container: Any): Record<string, Any> {
  return Object.fromEntries((container.env as Any[]).map((e) => [e.name, e]));
}

/** Metric names and label names that our /metrics really exposes, from the same class the server uses. */
async function exposedMetrics(): Promise<{ names: Set<string>; labels: Map<string, Set<string>> }> {
  const metrics = new HttpMetrics({ inFlight: () => 0, sessions: () => 0, draining: () => false });
  metrics.setKnownTools(['estimate_cost']);
  metrics.observeRequest('POST', '/mcp', 200, 0.001);
  metrics.observeToolCall('estimate_cost', 'protocol_error', 0.001);
  const text = await metrics.render();
  const names = new Set<string>();
  const labels = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? /.exec(line);
    if (!m) continue;
    names.add(m[1]!);
    const set = labels.get(m[1]!) ?? new Set<string>();
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) set.add(pair.split('=')[0]!);
    labels.set(m[1]!, set);
  }
  return { names, labels };
}

/** The ConfigMap's files in a directory, as the kubelet mounts them, loaded by the server's own loader (once a map). */
const loaded = new Map<string, Promise<Catalog>>();
function loadFromConfigMap(cm: Any, files: Record<string, string>): Promise<Catalog> {
  let catalog = loaded.get(cm.metadata.name);
  if (!catalog) {
    const dir = join(TREE, 'mounted', cm.metadata.name);
    mkdirSync(dir, { recursive: true });
    for (const [key, text] of Object.entries(cm.data as Record<string, string>)) writeFileSync(join(dir, key), text);
    catalog = loadCatalog({
      overlayPath: join(dir, files.LLM_PRICING_OVERLAY!),
      ...(files.LLM_PRICING_PRICES !== undefined && { pricesPath: join(dir, files.LLM_PRICING_PRICES) }),
    });
    loaded.set(cm.metadata.name, catalog);
  }
  return catalog;
}

describe.each(BUILDS)('deploy/kubernetes/%s', (build) => {
  const rs = kustomizeBuild(join(TREE, build));
  const rollout = find(rs, 'Rollout');
  const podSpec = rollout.spec.template.spec;
  const container = podSpec.containers[0];
  const env = envOf(container);
  const podLabels: Record<string, string> = rollout.spec.template.metadata.labels;

  it('validates every resource against the real schemas', () => {
    expect(rs.length).toBeGreaterThanOrEqual(8);
    for (const r of rs) {
      const model = MODELS[`${r.apiVersion}/${r.kind}`];
      expect(model, `${r.apiVersion} ${r.kind} has no schema here`).toBeDefined();
      expect(() => new model!(r as never).validate(), `${r.kind} ${r.metadata.name}`).not.toThrow();
    }
    // The pod template and the analysis Job, also as core Kubernetes kinds (stricter than the CRD schemas).
    expect(() => new PodTemplate({ metadata: { name: 'check' }, template: rollout.spec.template }).validate()).not.toThrow();
    const pre = find(rs, 'AnalysisTemplate', 'llm-pricing-mcp-pre-promotion');
    expect(() => new Job({ metadata: { name: 'check' }, spec: pre.spec.metrics[0].provider.job.spec }).validate()).not.toThrow();
    // A schema that accepts anything would pass the above: show that it refuses a wrong type.
    expect(() => new Rollout({ ...rollout, spec: { ...rollout.spec, replicas: 'three' } }).validate()).toThrow(/replicas must be integer/);
  });

  it('blue-green: both Services exist and select the pods; the metrics Service reaches every pod', () => {
    const bg = rollout.spec.strategy.blueGreen;
    expect(bg.activeService).not.toBe(bg.previewService);
    expect(typeof bg.autoPromotionEnabled).toBe('boolean');
    expect(bg.scaleDownDelaySeconds).toBeGreaterThanOrEqual(30);
    expect(matches(rollout.spec.selector.matchLabels, podLabels)).toBe(true);
    for (const name of [bg.activeService, bg.previewService, 'llm-pricing-mcp-metrics']) {
      const svc = find(rs, 'Service', name);
      expect(matches(svc.spec.selector, podLabels), `${name} selects the pods`).toBe(true);
      for (const port of svc.spec.ports) {
        const target = container.ports.find((p: Any) => p.name === port.targetPort || p.containerPort === port.targetPort);
        expect(target, `${name} port ${port.name} reaches a container port`).toBeDefined();
      }
    }
  });

  it('ports, probes and drain agree with the image', () => {
    const containerfile = readFileSync(join(REPO, 'Containerfile'), 'utf8');
    const exposed = Number(/^EXPOSE (\d+)/m.exec(containerfile)![1]);
    expect(container.ports[0].containerPort).toBe(exposed);
    expect(Number(env.MCP_PORT.value)).toBe(exposed);
    expect(containerfile).toMatch(new RegExp(`^\\s+MCP_PORT=${exposed} `, 'm'));
    expect(container.args).toEqual(['serve', '--http']);
    expect(containerfile).toMatch(/^CMD \["serve", "--http"\]$/m);
    expect(containerfile).toMatch(/^\s+MCP_HOST=0\.0\.0\.0 /m);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(containerfile).toContain("path:'/health/live'");
    // SIGTERM drains for MCP_DRAIN_TIMEOUT after the preStop pause; the kubelet must wait for both.
    const preStop = Number(container.lifecycle.preStop.exec.command[1]);
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThan(preStop + Number(env.MCP_DRAIN_TIMEOUT.value) / 1000);
    expect(podSpec.securityContext.runAsUser).toBe(1000); // the image's USER node
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
  });

  it('every name clients and the analysis Job use passes the Host check of /mcp', () => {
    const allowed = (env.MCP_ALLOWED_HOSTS.value as string).split(',');
    const pre = rollout.spec.strategy.blueGreen.prePromotionAnalysis.args as Any[];
    for (const arg of pre) {
      const url = new URL(arg.value);
      const svc = find(rs, 'Service', url.hostname);
      expect(allowed, `${url.hostname} in MCP_ALLOWED_HOSTS`).toContain(url.hostname);
      expect(Number(url.port || 80)).toBe(svc.spec.ports[0].port);
      expect(url.pathname).toBe('/mcp');
    }
    const url = (name: string) => new URL(pre.find((a) => a.name === name).value).hostname;
    expect(url('preview-url')).toBe(rollout.spec.strategy.blueGreen.previewService);
    expect(url('active-url')).toBe(rollout.spec.strategy.blueGreen.activeService);
  });

  it("analysis templates exist, get every argument they need and nothing else, and run this image's checks", () => {
    const bg = rollout.spec.strategy.blueGreen;
    for (const step of [bg.prePromotionAnalysis, bg.postPromotionAnalysis]) {
      for (const { templateName } of step.templates) {
        const template = find(rs, 'AnalysisTemplate', templateName);
        const declared = new Map<string, Any>((template.spec.args as Any[]).map((a) => [a.name, a]));
        const supplied = new Set((step.args as Any[]).map((a) => a.name as string));
        for (const name of supplied) expect(declared.has(name), `${templateName} declares ${name}`).toBe(true);
        for (const [name, arg] of declared) {
          if (arg.value === undefined) expect(supplied.has(name), `${templateName} needs ${name}`).toBe(true);
        }
        const used = [...JSON.stringify(template.spec.metrics).matchAll(/\{\{args\.([a-z0-9-]+)\}\}/g)].map((m) => m[1]!);
        for (const name of used) expect(declared.has(name), `${templateName} uses undeclared ${name}`).toBe(true);
      }
    }
    const job = find(rs, 'AnalysisTemplate', 'llm-pricing-mcp-pre-promotion').spec.metrics[0].provider.job.spec.template.spec.containers[0];
    // The new version validates itself: the Job runs the very image the Rollout runs (kustomize images sets both).
    expect(job.image).toBe(container.image);
    expect(job.args.slice(0, 4)).toEqual(['validate', '--suite', 'quick', '--url']);
    expect(job.args).toContain('--compare-with');
  });

  it("post-promotion analysis: our own metric names, the controller's threshold and minimum, the pods' hash label", async () => {
    const post = find(rs, 'AnalysisTemplate', 'llm-pricing-mcp-post-promotion').spec.metrics[0];
    expect(post.failureLimit).toBe(0);
    expect(post.successCondition).toBe(`len(result) == 0 || result[0] <= ${DefaultMaxErrorRate.toFixed(2)}`);
    const query: string = post.provider.prometheus.query;
    expect(query).toMatch(new RegExp(`>= ${DefaultAnalysisMinRequests}\\s*$`));
    const { names, labels } = await exposedMetrics();
    const selectors = [...query.matchAll(/([a-z_:]+)\{([^}]*)\}/g)];
    expect(selectors.length).toBeGreaterThanOrEqual(4);
    for (const [, metric, inner] of selectors) {
      expect(names, `${metric} is in our /metrics`).toContain(metric);
      for (const pair of inner!.split(',')) {
        const label = pair.trim().split(/=~|=/)[0]!;
        // namespace and the hash label come from the scrape (ServiceMonitor), the others from the server.
        if (label === 'namespace' || label === 'rollouts_pod_template_hash') continue;
        expect(labels.get(metric!), `${metric} has label ${label}`).toContain(label);
      }
    }
    const monitor = find(rs, 'ServiceMonitor');
    expect(monitor.spec.podTargetLabels).toContain('rollouts-pod-template-hash');
    const scraped = rs.filter((r: Any) => r.kind === 'Service' && matches(monitor.spec.selector.matchLabels, r.metadata.labels ?? {}));
    expect(scraped.map((s) => s.metadata.name)).toEqual(['llm-pricing-mcp-metrics']);
    expect((scraped[0] as Any).spec.ports.map((p: Any) => p.name)).toContain(monitor.spec.endpoints[0].port);
    expect(monitor.spec.endpoints[0].path).toBe('/metrics');
  });

  it('PDB and HPA govern the Rollout; the session key comes from a Secret', () => {
    expect(matches(find(rs, 'PodDisruptionBudget').spec.selector.matchLabels, podLabels)).toBe(true);
    const hpa = find(rs, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: rollout.metadata.name });
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);

    expect(EXTERNAL_SECRETS).toContain(env.MCP_SESSION_KEYS.valueFrom.secretKeyRef.name);
    expect(rs.filter((r) => r.kind === 'Secret')).toEqual([]); // keys are never in the repository
    expect(env.LLM_PRICING_REPLICA.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    for (const r of rs) if (build !== 'base') expect(r.metadata.namespace).toMatch(/^llm-pricing/);
  });

  it('price data: every file the pod is told to read is in the mounted ConfigMap, the image names the same paths, the server loads them', async () => {
    const volume = podSpec.volumes.find((v: Any) => v.configMap);
    const cm = find(rs, 'ConfigMap', volume.configMap.name);
    // The name carries its content's hash: new price data, new name, new pod template, a blue-green rollout.
    expect(cm.metadata.name).toBe(`llm-pricing-mcp-prices-${configMapHash('llm-pricing-mcp-prices', cm.data)}`);
    const mount = container.volumeMounts.find((m: Any) => m.name === volume.name);
    expect(mount.readOnly).toBe(true);
    expect(mount.subPath, 'the whole map is mounted, so every key is a file in mountPath').toBeUndefined();
    const files: Record<string, string> = {};
    for (const name of PRICE_VARS) {
      const path: string | undefined = env[name]?.value;
      if (path === undefined) continue;
      expect(path.startsWith(`${mount.mountPath}/`), `${name}=${path} is under ${mount.mountPath}`).toBe(true);
      files[name] = path.slice(mount.mountPath.length + 1);
      expect(Object.keys(cm.data), `${name}: the ConfigMap has ${files[name]}`).toContain(files[name]);
      // The image's documentation (Containerfile, README) names the same paths the manifests use.
      expect(CONTAINERFILE).toContain(`${name}=${path}`);
    }
    expect(files.LLM_PRICING_OVERLAY).toBeDefined();
    expect(OverlaySchema.safeParse(JSON.parse(cm.data[files.LLM_PRICING_OVERLAY!])).success).toBe(true);
    // Nothing in the map the server does not read (a price file's record, FILE.meta.json, goes with it).
    const read = Object.values(files).flatMap((key) => [key, `${key}.meta.json`]);
    for (const key of Object.keys(cm.data)) expect(read, `${key} is read by the server`).toContain(key);
    // Kubernetes refuses a ConfigMap over 1 MiB.
    const bytes = Object.entries(cm.data as Record<string, string>).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    );
    expect(bytes).toBeLessThan(2 ** 20);
    const catalog = await loadFromConfigMap(cm, files);
    expect(catalog.models.length).toBeGreaterThan(100);
    expect(catalog.overlay_as_of).toBe(JSON.parse(cm.data[files.LLM_PRICING_OVERLAY!]).as_of);
    if (files.LLM_PRICING_PRICES !== undefined) expect(catalog.data_as_of).toMatch(/genai-prices data \(fetched .* from .*bundled\.json\)/);
  });
});

describe('deploy/kubernetes as a whole', () => {
  it('ships the price data the image ships, and names the version package.json names', () => {
    // A price update in data/overlay.json must reach the ConfigMap too: cp data/overlay.json deploy/kubernetes/base/prices/
    expect(readFileSync(join(ROOT, 'base/prices/overlay.json'), 'utf8')).toBe(readFileSync(join(REPO, 'data/overlay.json'), 'utf8'));
    const containerfile = readFileSync(join(REPO, 'Containerfile'), 'utf8');
    expect(/^ARG VERSION=(\S+)$/m.exec(containerfile)![1]).toBe(PACKAGE_VERSION);
    for (const build of BUILDS) {
      const image: string = find(kustomizeBuild(join(TREE, build)), 'Rollout').spec.template.spec.containers[0].image;
      expect(image.endsWith(`:${PACKAGE_VERSION}`), `${build}: ${image}`).toBe(true);
    }
  });

  it('the overlays change what they say and keep the rest', () => {
    const production = kustomizeBuild(join(TREE, 'overlays/production'));
    const staging = kustomizeBuild(join(TREE, 'overlays/staging'));
    const prodRollout = find(production, 'Rollout');
    expect(prodRollout.spec.template.spec.containers[0].image).toBe(`registry.example.com/llm-pricing-mcp:${PACKAGE_VERSION}`);
    expect(envOf(prodRollout.spec.template.spec.containers[0]).MCP_ALLOWED_HOSTS.value).toContain('mcp.example.com');
    expect(prodRollout.spec.strategy.blueGreen.autoPromotionEnabled).toBe(true);
    const stagingRollout = find(staging, 'Rollout');
    expect(stagingRollout.spec.strategy.blueGreen.autoPromotionEnabled).toBe(false);
    expect(stagingRollout.spec.replicas).toBe(2);
    expect(find(staging, 'HorizontalPodAutoscaler').spec.minReplicas).toBe(2);
  });
});
