import { PACKAGE_NAME } from '../../version.js';
import { endpoints } from './endpoints.js';
import { errorBody } from './schemas.js';

type Json = Record<string, unknown>;

const anyObject = { type: 'object', additionalProperties: true };

/** Probe and info endpoints, documented for completeness (their shapes are fixed by the HTTP contract). */
const operational: Array<{ url: string; summary: string; status?: string }> = [
  { url: '/health', summary: 'Liveness: {"status":"ok"}' },
  { url: '/health/live', summary: 'Liveness: {"status":"ok"}' },
  { url: '/health/ready', summary: 'Readiness: 200 {"status":"ready"}, or 503 {"status":"starting"|"draining"}' },
  { url: '/health/detailed', summary: 'Version, colour, uptime, in-flight requests, sessions, catalog and memory' },
  { url: '/deployment/info', summary: 'Name, version, colour, pid, start time, data as-of, Node version' },
  {
    url: '/deployment/prices',
    summary: 'Every price this environment serves: catalog key -> price key -> rate, with data as-of and source',
  },
  { url: '/metrics', summary: 'Prometheus metrics (text exposition format)' },
];

/** The OpenAPI 3.1 document of the REST API, made from the same schemas that validate requests. */
export function buildOpenApi(version: string): Json {
  const paths: Record<string, Json> = {};
  for (const e of endpoints) {
    const op: Json = {
      summary: e.summary,
      operationId: `${e.method.toLowerCase()}${e.url.replace(/[^a-zA-Z]+(.)/g, (_m, c: string) => c.toUpperCase())}`,
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: anyObject } } },
        400: {
          description: 'Invalid input, or the tool refused it (message says why)',
          content: { 'application/json': { schema: errorBody } },
        },
      },
    };
    if (e.tool) op['x-mcp-tool'] = e.tool;
    if (e.query) {
      const props = (e.query.properties ?? {}) as Record<string, Json>;
      op.parameters = Object.entries(props).map(([name, schema]) => ({
        name,
        in: 'query',
        required: false,
        description: schema.description,
        schema: { ...schema, description: undefined },
      }));
    }
    if (e.body) op.requestBody = { required: true, content: { 'application/json': { schema: e.body } } };
    paths[e.url] = { ...(paths[e.url] ?? {}), [e.method.toLowerCase()]: op };
  }
  for (const o of operational) {
    paths[o.url] = { get: { summary: o.summary, responses: { 200: { description: 'OK' } } } };
  }
  paths['/mcp'] = {
    post: {
      summary: 'MCP Streamable HTTP: JSON-RPC messages in, JSON answers out (sessions via Mcp-Session-Id)',
      responses: { 200: { description: 'JSON-RPC response(s)' }, 202: { description: 'Accepted (notifications or responses only)' } },
    },
    get: {
      summary: "MCP Streamable HTTP: the session's SSE stream for server-initiated messages",
      responses: { 200: { description: 'text/event-stream' } },
    },
    delete: { summary: 'MCP Streamable HTTP: end the session', responses: { 200: { description: 'Session ended' } } },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: `${PACKAGE_NAME} REST API`,
      version,
      description: 'LLM API prices: the same answers as the MCP tools, over plain HTTP.',
    },
    paths,
  };
}
