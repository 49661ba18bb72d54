import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

// A small, strict kustomize build: exactly the features deploy/kubernetes/ uses, each done the way
// kustomize does it, and an error for anything else (so a new feature in an overlay cannot be
// silently mis-resolved here). No kustomize binary can be fetched on this machine, and npm has no
// maintained implementation. Features:
//   resources (files and directories), namespace, images (every `containers`/`initContainers` entry,
//   as kustomize's images transformer does for any kind), configMapGenerator (files, literals;
//   behavior create/merge/replace; the content-hash name suffix, computed as kustomize's hasher does),
//   configurations (nameReference fieldSpecs, so generated names reach the kinds that use them),
//   patches (JSON 6902 operation lists, inline or from a file, with a target kind/name).

export type Resource = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

interface FieldSpec {
  kind?: string;
  group?: string;
  path: string;
}

interface Built {
  resources: Resource[];
  /** ConfigMap generator name → the generated resource (so an overlay can merge into it). */
  generated: Map<string, Resource>;
  nameReferences: Array<{ kind: string; fieldSpecs: FieldSpec[] }>;
}

const KNOWN_KEYS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'configMapGenerator', 'configurations', 'patches']);

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

/** `kustomize build DIR`: the resources as they would be applied. */
export function kustomizeBuild(dir: string): Resource[] {
  const built = build(resolve(dir));
  for (const ref of built.nameReferences) applyNameReferences(built, ref);
  return built.resources;
}

function build(dir: string): Built {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new KustomizeError(`no kustomization file in ${dir}`);
  const k = parseOne(file) as Record<string, unknown>;
  for (const key of Object.keys(k)) if (!KNOWN_KEYS.has(key)) throw new KustomizeError(`${file}: "${key}" is not supported by this build`);
  const out: Built = { resources: [], generated: new Map(), nameReferences: [] };

  for (const entry of list<string>(k.resources, file, 'resources')) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const sub = build(path);
      out.resources.push(...sub.resources);
      for (const [n, r] of sub.generated) out.generated.set(n, r);
      out.nameReferences.push(...sub.nameReferences);
    } else {
      for (const doc of parseAll(path)) out.resources.push(asResource(doc, path));
    }
  }
  for (const entry of list<string>(k.configurations, file, 'configurations')) {
    const conf = parseOne(join(dir, entry)) as { nameReference?: Array<{ kind: string; fieldSpecs: FieldSpec[] }> };
    for (const key of Object.keys(conf)) if (key !== 'nameReference') throw new KustomizeError(`${entry}: "${key}" is not supported`);
    out.nameReferences.push(...(conf.nameReference ?? []));
  }
  for (const gen of list<Record<string, unknown>>(k.configMapGenerator, file, 'configMapGenerator')) generateConfigMap(out, dir, gen);
  for (const patch of list<Record<string, unknown>>(k.patches, file, 'patches')) applyPatch(out, dir, patch);
  for (const image of list<Record<string, string>>(k.images, file, 'images')) setImage(out.resources, image);
  if (typeof k.namespace === 'string') for (const r of out.resources) r.metadata.namespace = k.namespace;
  return out;
}

function list<T>(v: unknown, file: string, key: string): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new KustomizeError(`${file}: ${key} must be a list`);
  return v as T[];
}

function parseAll(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => {
      if (d.errors.length > 0) throw new KustomizeError(`${path}: ${d.errors[0]!.message}`);
      return d.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

function parseOne(path: string): unknown {
  const docs = parseAll(path);
  if (docs.length !== 1) throw new KustomizeError(`${path}: expected one YAML document, found ${docs.length}`);
  return docs[0];
}

function asResource(doc: unknown, path: string): Resource {
  const r = doc as Resource;
  if (typeof r?.apiVersion !== 'string' || typeof r.kind !== 'string' || typeof r.metadata?.name !== 'string') {
    throw new KustomizeError(`${path}: every document needs apiVersion, kind and metadata.name`);
  }
  return r;
}

// ---- configMapGenerator ----

function generateConfigMap(out: Built, dir: string, gen: Record<string, unknown>): void {
  const name = gen.name;
  if (typeof name !== 'string') throw new KustomizeError('configMapGenerator: name is required');
  for (const key of Object.keys(gen)) {
    if (!['name', 'files', 'literals', 'behavior'].includes(key))
      throw new KustomizeError(`configMapGenerator ${name}: "${key}" is not supported`);
  }
  const data: Record<string, string> = {};
  for (const f of (gen.files as string[] | undefined) ?? []) {
    const eq = f.indexOf('=');
    const [key, path] = eq > 0 ? [f.slice(0, eq), f.slice(eq + 1)] : [basename(f), f];
    data[key] = readFileSync(join(dir, path), 'utf8');
  }
  for (const l of (gen.literals as string[] | undefined) ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new KustomizeError(`configMapGenerator ${name}: literal "${l}" must be KEY=VALUE`);
    data[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const behavior = (gen.behavior as string | undefined) ?? 'create';
  const existing = out.generated.get(name);
  if (behavior === 'create' && existing)
    throw new KustomizeError(`configMapGenerator ${name}: already generated (use behavior: merge or replace)`);
  if (behavior !== 'create' && !existing)
    throw new KustomizeError(`configMapGenerator ${name}: behavior ${behavior} needs a base to ${behavior}`);
  if (!['create', 'merge', 'replace'].includes(behavior))
    throw new KustomizeError(`configMapGenerator ${name}: unknown behavior ${behavior}`);
  const merged = behavior === 'merge' ? { ...(existing!.data as Record<string, string>), ...data } : data;
  // merge and replace keep the generated map's identity (its namespace, set by an inner build) and rename it.
  const cm: Resource = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...existing?.metadata, name: `${name}-${configMapHash(name, merged)}` },
    data: sortKeys(merged),
  };
  if (existing) out.resources.splice(out.resources.indexOf(existing), 1, cm);
  else out.resources.push(cm);
  out.generated.set(name, cm);
}

/**
 * kustomize's name suffix for a generated ConfigMap (api/hasher): sha256 of the JSON of
 * {data, kind, name} with sorted keys and Go's HTML-safe escaping, its first ten hex digits
 * with 0, 1, 3, a and e swapped for letters so the suffix never looks like a number or a word.
 */
export function configMapHash(name: string, data: Record<string, string>): string {
  const json = goJson({ data: sortKeys(data), kind: 'ConfigMap', name });
  const hex = createHash('sha256').update(json).digest('hex').slice(0, 10);
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex].map((c) => swap[c] ?? c).join('');
}

function goJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---- nameReference ----

function applyNameReferences(built: Built, ref: { kind: string; fieldSpecs: FieldSpec[] }): void {
  if (ref.kind !== 'ConfigMap') throw new KustomizeError(`nameReference for ${ref.kind} is not supported`);
  const renames = new Map([...built.generated].map(([base, r]) => [base, r.metadata.name]));
  for (const spec of ref.fieldSpecs) {
    for (const r of built.resources) {
      if (spec.kind !== undefined && r.kind !== spec.kind) continue;
      if (spec.group !== undefined && r.apiVersion.split('/')[0] !== spec.group) continue;
      renameAt(r, spec.path.split('/'), renames);
    }
  }
}

/** Follows a kustomize field path (lists are walked through) and renames the string at its end. */
function renameAt(node: unknown, path: string[], renames: Map<string, string>): void {
  if (Array.isArray(node)) {
    for (const item of node) renameAt(item, path, renames);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  const [head, ...rest] = path;
  if (head === undefined || !(head in o)) return;
  if (rest.length === 0) {
    const v = o[head];
    if (typeof v === 'string' && renames.has(v)) o[head] = renames.get(v)!;
    return;
  }
  renameAt(o[head], rest, renames);
}

// ---- images ----

function setImage(resources: Resource[], image: Record<string, string>): void {
  for (const key of Object.keys(image)) {
    if (!['name', 'newName', 'newTag', 'digest'].includes(key)) throw new KustomizeError(`images: "${key}" is not supported`);
  }
  const visit = (node: unknown, inContainers: boolean): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, inContainers);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (inContainers && typeof o.image === 'string') o.image = retag(o.image, image);
    for (const [k, v] of Object.entries(o)) visit(v, k === 'containers' || k === 'initContainers');
  };
  for (const r of resources) visit(r, false);
}

function retag(current: string, image: Record<string, string>): string {
  const at = current.indexOf('@');
  const withoutDigest = at >= 0 ? current.slice(0, at) : current;
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > withoutDigest.lastIndexOf('/');
  const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  if (name !== image.name) return current;
  const newName = image.newName ?? name;
  if (image.digest) return `${newName}@${image.digest}`;
  if (image.newTag) return `${newName}:${image.newTag}`;
  return `${newName}${current.slice(name.length)}`;
}

// ---- patches (JSON 6902) ----

interface Op {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

function applyPatch(out: Built, dir: string, patch: Record<string, unknown>): void {
  const target = patch.target as { kind?: string; name?: string } | undefined;
  if (!target?.kind || !target.name) throw new KustomizeError('patches: each patch needs a target with kind and name');
  const text = typeof patch.path === 'string' ? readFileSync(join(dir, patch.path), 'utf8') : (patch.patch as string | undefined);
  if (typeof text !== 'string') throw new KustomizeError('patches: give path or patch');
  const ops = parseAllDocuments(text)[0]?.toJS() as unknown;
  if (!Array.isArray(ops)) throw new KustomizeError('patches: only JSON 6902 operation lists are supported by this build');
  const r = out.resources.find((x) => x.kind === target.kind && x.metadata.name === target.name);
  if (!r) throw new KustomizeError(`patches: no ${target.kind} named ${target.name}`);
  for (const op of ops as Op[]) applyOp(r, op);
}

function applyOp(doc: Record<string, unknown>, op: Op): void {
  const parts = op.path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts.pop();
  if (last === undefined) throw new KustomizeError(`patch path "${op.path}" is empty`);
  let node: unknown = doc;
  for (const p of parts) {
    node = Array.isArray(node) ? node[Number(p)] : (node as Record<string, unknown> | undefined)?.[p];
    if (node === undefined) throw new KustomizeError(`patch path "${op.path}": "${p}" does not exist`);
  }
  const container = node as Record<string, unknown> | unknown[];
  const exists = Array.isArray(container) ? last === '-' || Number(last) < container.length : last in container;
  if (op.op !== 'add' && !exists) throw new KustomizeError(`patch ${op.op} "${op.path}": nothing there`);
  if (op.op === 'test') {
    const have = Array.isArray(container) ? container[Number(last)] : container[last];
    if (JSON.stringify(have) !== JSON.stringify(op.value))
      throw new KustomizeError(`patch test "${op.path}" failed: ${JSON.stringify(have)}`);
  } else if (op.op === 'remove') {
    if (Array.isArray(container)) container.splice(Number(last), 1);
    else delete container[last];
  } else if (op.op === 'replace' || op.op === 'add') {
    if (Array.isArray(container)) {
      if (op.op === 'add') container.splice(last === '-' ? container.length : Number(last), 0, op.value);
      else container[Number(last)] = op.value;
    } else container[last] = op.value;
  } else throw new KustomizeError(`patch op "${(op as Op).op}" is not supported`);
}
