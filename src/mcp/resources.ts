// The catalog as MCP resources (JSON documents a client can attach as context):
//   pricing://catalog                      what data this server has, and from when
//   pricing://providers                    every provider with status and model count
//   pricing://provider/{provider}          one provider and its models' prices
//   pricing://model/{provider}/{model}     one model in full (rates, tiers, performance, use cases, sources)
// Model ids may contain "/" (e.g. "meta-llama/Llama-3-70b"), so ids in URIs are percent-encoded.

import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ProviderInfo } from '../pricing/types.js';
import { viewOf } from './catalog-view.js';
import type { ServerContext } from './context.js';
import { protocolError } from './protocol-errors.js';

/** JSON-RPC error code MCP uses for a resource that does not exist. */
export const RESOURCE_NOT_FOUND = -32002;
const JSON_MIME = 'application/json';
const COMPLETION_LIMIT = 20;

export function catalogUri(): string {
  return 'pricing://catalog';
}
export function providersUri(): string {
  return 'pricing://providers';
}
export function providerUri(provider: string): string {
  return `pricing://provider/${encodeURIComponent(provider)}`;
}
export function modelUri(provider: string, model: string): string {
  return `pricing://model/${encodeURIComponent(provider)}/${encodeURIComponent(model)}`;
}

// Templates are built once per context (an HTTP server makes one McpServer per session).
function buildTemplates(ctx: ServerContext) {
  return {
    provider: new ResourceTemplate('pricing://provider/{provider}', {
      list: () => ({
        resources: ctx.catalog.providers.map((p) => ({ uri: providerUri(p.id), name: p.name, mimeType: JSON_MIME })),
      }),
      complete: { provider: (value) => completeProvider(ctx, value) },
    }),
    model: new ResourceTemplate('pricing://model/{provider}/{model}', {
      list: undefined, // hundreds of models: reach them through a provider resource instead
      complete: {
        provider: (value) => completeProvider(ctx, value),
        model: (value, context) => completeModel(ctx, value, context?.arguments?.provider),
      },
    }),
  };
}

const templatesByCtx = new WeakMap<ServerContext, ReturnType<typeof buildTemplates>>();

export function registerResources(mcp: McpServer, ctx: ServerContext): void {
  let templates = templatesByCtx.get(ctx);
  if (!templates) {
    templates = buildTemplates(ctx);
    templatesByCtx.set(ctx, templates);
  }

  mcp.registerResource(
    'catalog',
    catalogUri(),
    { title: 'Price catalog summary', description: 'Data version, as-of date, source and size of the price catalog.', mimeType: JSON_MIME },
    (uri) =>
      json(uri.href, {
        version: ctx.catalog.version,
        data_as_of: ctx.catalog.data_as_of,
        source: ctx.catalog.source,
        providers: ctx.catalog.providers.length,
        models: ctx.catalog.models.length,
        server_version: ctx.version,
      }),
  );

  mcp.registerResource(
    'providers',
    providersUri(),
    {
      title: 'LLM providers',
      description: 'Every provider with its status (active or discontinued), pricing pages and model count.',
      mimeType: JSON_MIME,
    },
    (uri) => {
      const counts = viewOf(ctx.catalog).modelCountByProvider;
      return json(uri.href, {
        providers: ctx.catalog.providers.map((p) => ({ ...providerSummary(p), models: counts.get(p.id) ?? 0, uri: providerUri(p.id) })),
        data_as_of: ctx.catalog.data_as_of,
        source: ctx.catalog.source,
      });
    },
  );

  mcp.registerResource(
    'provider',
    templates.provider,
    {
      title: 'One provider and its prices',
      description: 'A provider and the list prices (USD per 1M tokens) of all its models.',
      mimeType: JSON_MIME,
    },
    (uri, vars) => {
      const provider = requireProvider(ctx, one(vars.provider));
      const models = viewOf(ctx.catalog)
        .pricing.filter((r) => r.provider === provider.id)
        .map((r) => ({ ...r, uri: modelUri(r.provider, r.model) }));
      return json(uri.href, { ...providerSummary(provider), models, data_as_of: ctx.catalog.data_as_of, source: ctx.catalog.source });
    },
  );

  mcp.registerResource(
    'model',
    templates.model,
    {
      title: 'One model in full',
      description: 'All rates (including tiers and cache prices), context window, performance, use cases and sources of one model.',
      mimeType: JSON_MIME,
    },
    (uri, vars) => {
      const provider = requireProvider(ctx, one(vars.provider));
      const id = one(vars.model);
      const res = ctx.catalog.resolve(`${provider.id}:${id}`);
      if (!res.ok || res.model.provider.id !== provider.id) {
        const hint = !res.ok && res.suggestions.length > 0 ? ` Did you mean: ${res.suggestions.join(', ')}?` : '';
        throw protocolError(RESOURCE_NOT_FOUND, `No model "${id}" at provider "${provider.id}".${hint}`);
      }
      const { provider: p, ...model } = res.model;
      return json(uri.href, { ...model, provider: providerSummary(p), data_as_of: ctx.catalog.data_as_of, source: ctx.catalog.source });
    },
  );
}

function json(uri: string, value: unknown) {
  return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(value, null, 2) }] };
}

function one(v: string | string[] | undefined): string {
  const s = Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function requireProvider(ctx: ServerContext, name: string): ProviderInfo {
  const p = ctx.catalog.provider(name);
  if (!p)
    throw protocolError(
      RESOURCE_NOT_FOUND,
      `No provider "${name}". Known providers: ${ctx.catalog.providers.map((x) => x.id).join(', ')}.`,
    );
  return p;
}

function providerSummary(p: ProviderInfo) {
  return { id: p.id, name: p.name, status: p.status, pricing_urls: p.pricing_urls, ...(p.note ? { note: p.note } : {}) };
}

export function completeProvider(ctx: ServerContext, value: string): string[] {
  const v = value.toLowerCase();
  return ctx.catalog.providers
    .filter((p) => p.id.toLowerCase().startsWith(v) || p.name.toLowerCase().startsWith(v))
    .map((p) => p.id)
    .slice(0, COMPLETION_LIMIT);
}

function completeModel(ctx: ServerContext, value: string, providerName: string | undefined): string[] {
  const provider = providerName ? ctx.catalog.provider(providerName) : undefined;
  if (!provider) return ctx.catalog.complete(value, COMPLETION_LIMIT).map((name) => encodeURIComponent(name));
  const v = value.toLowerCase();
  return viewOf(ctx.catalog)
    .pricing.filter((r) => r.provider === provider.id && r.model.toLowerCase().startsWith(v))
    .slice(0, COMPLETION_LIMIT)
    .map((r) => encodeURIComponent(r.model));
}
