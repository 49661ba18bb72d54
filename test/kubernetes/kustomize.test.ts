import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configMapHash, kustomizeBuild } from './kustomize.js';

// The small kustomize build the manifest tests rely on, checked against kustomize's own documented output.

const dir = mkdtempSync(join(tmpdir(), 'kustomize-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  return full;
}

describe('kustomize build (the subset deploy/kubernetes uses)', () => {
  it("names generated ConfigMaps as kustomize does (the Kubernetes documentation's two examples)", () => {
    // kubernetes.io, "Declarative Management of Kubernetes Objects Using Kustomize", configMapGenerator examples.
    expect(configMapHash('example-configmap-1', { 'application.properties': 'FOO=Bar\n' })).toBe('8mbdf7882g');
    expect(configMapHash('example-configmap-2', { FOO: 'Bar' })).toBe('g2hdhfc6tk');
  });

  it('generates, merges, renames references, retags images, patches, and sets the namespace', () => {
    write('case1/base/app.properties', 'FOO=Bar\n');
    write(
      'case1/base/kustomization.yaml',
      'resources: [ro.yaml]\nconfigurations: [conf.yaml]\nconfigMapGenerator:\n- name: cfg\n  files: [app.properties]\n',
    );
    write(
      'case1/base/conf.yaml',
      'nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - kind: Rollout\n    path: spec/template/spec/volumes/configMap/name\n',
    );
    write(
      'case1/base/ro.yaml',
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Rollout',
        'metadata: {name: r}',
        'spec:',
        '  replicas: 1',
        '  template:',
        '    spec:',
        '      containers: [{name: a, image: "app:1"}, {name: b, image: "other:2"}]',
        '      initContainers: [{name: i, image: "app"}]',
        '      volumes: [{name: v, configMap: {name: cfg}}, {name: w, configMap: {name: unrelated}}]',
      ].join('\n'),
    );
    write(
      'case1/overlay/kustomization.yaml',
      [
        'namespace: ns',
        'resources: [../base]',
        'images: [{name: app, newName: reg.example/app, newTag: "9"}]',
        'configMapGenerator: [{name: cfg, behavior: merge, literals: [X=1]}]',
        'patches:',
        '- target: {kind: Rollout, name: r}',
        '  patch: |',
        '    - {op: replace, path: /spec/replicas, value: 3}',
      ].join('\n'),
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- built manifests are plain data
    const rs = kustomizeBuild(join(dir, 'case1/overlay')) as any[];
    const cm = rs.find((r) => r.kind === 'ConfigMap');
    expect(cm.data).toEqual({ X: '1', 'app.properties': 'FOO=Bar\n' });
    expect(cm.metadata).toEqual({ name: `cfg-${configMapHash('cfg', { X: '1', 'app.properties': 'FOO=Bar\n' })}`, namespace: 'ns' });
    const ro = rs.find((r) => r.kind === 'Rollout');
    expect(ro.spec.replicas).toBe(3);
    const pod = ro.spec.template.spec;
    expect(pod.containers.map((c: { image: string }) => c.image)).toEqual(['reg.example/app:9', 'other:2']);
    expect(pod.initContainers[0].image).toBe('reg.example/app:9');
    expect(pod.volumes.map((v: { configMap: { name: string } }) => v.configMap.name)).toEqual([cm.metadata.name, 'unrelated']);

    // A merge one level further out (as deploy/kubernetes/examples/price-file over overlays/production) keeps the
    // namespace the inner build set, and the reference follows the new name.
    write(
      'case1/outer/kustomization.yaml',
      'resources: [../overlay]\nconfigMapGenerator: [{name: cfg, behavior: merge, literals: [Y=2]}]\n',
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- built manifests are plain data
    const outer = kustomizeBuild(join(dir, 'case1/outer')) as any[];
    const data = { X: '1', Y: '2', 'app.properties': 'FOO=Bar\n' };
    const merged = outer.find((r) => r.kind === 'ConfigMap');
    expect(merged.metadata).toEqual({ name: `cfg-${configMapHash('cfg', data)}`, namespace: 'ns' });
    expect(outer.find((r) => r.kind === 'Rollout').spec.template.spec.volumes[0].configMap.name).toBe(merged.metadata.name);
  });

  it('refuses what it does not implement, and a patch whose test fails', () => {
    write('case2/kustomization.yaml', 'resources: []\ncommonLabels: {a: b}\n');
    expect(() => kustomizeBuild(join(dir, 'case2'))).toThrow(/"commonLabels" is not supported/);
    write('case3/r.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n');
    write(
      'case3/kustomization.yaml',
      'resources: [r.yaml]\npatches:\n- target: {kind: Service, name: s}\n  patch: |\n    - {op: test, path: /spec/ports/0/port, value: 81}\n',
    );
    expect(() => kustomizeBuild(join(dir, 'case3'))).toThrow(/patch test "\/spec\/ports\/0\/port" failed: 80/);
    write(
      'case4/kustomization.yaml',
      'resources: [r.yaml]\npatches:\n- target: {kind: Service, name: s}\n  patch: "spec: {type: NodePort}"\n',
    );
    write('case4/r.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n');
    expect(() => kustomizeBuild(join(dir, 'case4'))).toThrow(/only JSON 6902/);
  });
});
