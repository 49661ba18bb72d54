// What the fuzz suite sends: JSON-RPC messages and tool arguments, from well
// formed to hostile, built with fast-check. Every message that the protocol
// makes a request carries an id no other message uses, so the suite can check
// that it gets exactly one answer.

import fc from 'fast-check';

export const TOOL_NAMES = [
  'estimate_cost',
  'compare_costs',
  'get_all_pricing',
  'get_performance_metrics',
  'get_use_cases',
  'get_telemetry',
];
const ARG_NAMES = [
  'model_name',
  'model_names',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'requests',
  'provider',
  'category',
  'include_deprecated',
  'limit',
  'offset',
  'include_cost',
  'use_case',
  'include_details',
];
const METHODS = [
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'initialize',
];
const MODELS = ['gpt-4', 'gpt-4o', 'openai:gpt-4o', 'claude-3-5-sonnet', 'anthropic/claude-3-opus', 'no-such-model', 'GPT-4O', ''];

/** A JSON value of any shape, with the odd numbers and strings that break parsers. */
export const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e21, -1e300, 9007199254740992, -0, 0.1, Number.MAX_SAFE_INTEGER, '', '\u0000', '\ud800', '__proto__', 'constructor'),
  fc.string({ maxLength: 300 }),
);

const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -10, max: 2_000_000 }),
  fc.constantFrom(...MODELS),
  fc.array(fc.constantFrom(...MODELS), { maxLength: 30 }),
  fc.boolean(),
  jsonish,
);

/** Tool arguments: mostly the right names with values of any type, sometimes unknown names or not an object. */
export const toolArguments: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...ARG_NAMES), fc.string({ maxLength: 20 })), value, { maxKeys: 6 }) },
  { weight: 1, arbitrary: jsonish },
);

const params: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      { name: fc.oneof(fc.constantFrom(...TOOL_NAMES), fc.string({ maxLength: 40 })), arguments: toolArguments },
      { requiredKeys: ['name'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      uri: fc.oneof(fc.constant('pricing://catalog'), fc.constant('pricing://model/openai/gpt-4o'), fc.string({ maxLength: 60 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ level: fc.constantFrom('debug', 'info', 'warning', 'nope') }) },
  { weight: 1, arbitrary: jsonish },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** One message to send: its text, and the id an answer must carry when one is owed (exactly one). */
export interface Case {
  text: string;
  /** A request the protocol must answer: exactly one answer with this id. */
  owed?: string | number;
}

/**
 * Cases. `nextId` hands out ids never used before (a request id reused while
 * pending is its own error). Kinds: a well-formed request (owed an answer),
 * a request with a broken field but a valid id (owed an error answer with that
 * id over stdio, a whole-POST error over HTTP: see `strictOwed`), a message
 * with an id the protocol refuses, a notification, a response, and garbage text.
 */
export function cases(nextId: () => string | number): fc.Arbitrary<Case> {
  const request = fc
    .record({
      method: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }),
      params,
    })
    .map(({ method, params: p }) => {
      const id = nextId();
      const msg: Record<string, unknown> = { jsonrpc: '2.0', id, method };
      // initialize again is refused on HTTP (400, whole POST); keep it to stdio-like answers by making it a ping there.
      if (p !== undefined) msg.params = p;
      return { text: JSON.stringify(msg), owed: id };
    });
  const broken = fc
    .record({
      field: fc.constantFrom('jsonrpc', 'method', 'params', 'extra'),
      value: jsonish,
    })
    .map(({ field, value: v }) => {
      const id = nextId();
      const msg: Record<string, unknown> = { jsonrpc: '2.0', id, method: 'ping' };
      if (field === 'extra') msg.unexpected = v ?? 1;
      else if (field === 'jsonrpc') msg.jsonrpc = v === '2.0' ? '1.0' : v;
      else if (field === 'method') msg.method = typeof v === 'string' ? 42 : v;
      else msg.params = typeof v === 'object' && v !== null && !Array.isArray(v) ? 'not an object' : v;
      return { text: JSON.stringify(msg), brokenId: id };
    })
    .map(({ text, brokenId }) => ({ text, owed: brokenId }));
  const badId = fc
    .constantFrom('1e21', '-1e300', '1.5', 'null', 'true', '{"a":1}', '[1]', '9007199254740992')
    .map((id) => ({ text: `{"jsonrpc":"2.0","id":${id},"method":"ping"}` }));
  const notification = fc
    .record({
      method: fc.oneof(
        fc.constantFrom('notifications/initialized', 'notifications/cancelled', 'notifications/roots/list_changed'),
        fc.string({ maxLength: 20 }),
      ),
      params: jsonish,
    })
    .map(({ method, params: p }) => {
      // A cancellation never names a request of ours: MCP lets a cancelled request go unanswered.
      const ps = method === 'notifications/cancelled' ? { requestId: `never-sent-${String(p).slice(0, 10)}` } : p;
      return {
        text: JSON.stringify({
          jsonrpc: '2.0',
          method,
          ...(typeof ps === 'object' && ps !== null && !Array.isArray(ps) ? { params: ps } : {}),
        }),
      };
    });
  const response = fc
    .oneof(fc.constant({ result: {} }), fc.constant({ error: { code: -1, message: 'x' } }))
    .map((r) => ({ text: JSON.stringify({ jsonrpc: '2.0', id: `reply-${String(nextId())}`, ...r }) }));
  const garbage = fc
    .oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('{', '{"jsonrpc":', '[]', '[{}]', 'null', '"x"', '{"jsonrpc":"2.0","id":1,"method":"ping"'),
    )
    .map((text) => ({ text }));
  return fc.oneof(
    { weight: 10, arbitrary: request },
    { weight: 2, arbitrary: broken },
    { weight: 1, arbitrary: badId },
    { weight: 1, arbitrary: notification },
    { weight: 1, arbitrary: response },
    { weight: 1, arbitrary: garbage },
  );
}

/** A REST request: method, path with query, and a body for POSTs. */
export interface RestCase {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

const queryValue = fc.oneof(
  fc.constantFrom('openai', 'Anthropic', 'budget', 'luxury', 'true', 'false', '0', '-1', '5', '1e21', 'gpt-4o,claude-3-5-sonnet', ''),
  fc.string({ maxLength: 40 }),
);

export const restCases: fc.Arbitrary<RestCase> = fc.oneof(
  fc
    .record({
      path: fc.constantFrom('/pricing', '/models', '/performance', '/use-cases', '/telemetry', '/openapi.json', '/nope', '/pricing/'),
      query: fc.dictionary(
        fc.oneof(
          fc.constantFrom(
            'provider',
            'category',
            'limit',
            'offset',
            'model_names',
            'include_cost',
            'use_case',
            'include_details',
            'include_deprecated',
          ),
          fc.string({ maxLength: 10 }),
        ),
        queryValue,
        { maxKeys: 4 },
      ),
    })
    .map(({ path, query }) => ({
      method: 'GET' as const,
      path: `${path}${Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : ''}`,
    })),
  fc
    .record({
      path: fc.constantFrom('/cost-estimate', '/cost-estimate/batch'),
      body: fc.oneof(
        { weight: 4, arbitrary: toolArguments.map((a) => JSON.stringify(a) ?? 'null') },
        { weight: 2, arbitrary: fc.array(toolArguments, { maxLength: 5 }).map((a) => JSON.stringify(a)) },
        { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
      ),
    })
    .map(({ path, body }) => ({ method: 'POST' as const, path, body })),
);

/** Error text must never carry a stack trace or a source path. */
export function leaksInternals(text: string): boolean {
  return /\n\s+at .+:\d+:\d+|\bat (?:file:\/\/|\/)[^\s)]+\.(?:js|ts):\d+|node_modules\//.test(text);
}
