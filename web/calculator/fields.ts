// The calculator's inputs, read from the REST API's own description of POST /cost-estimate (/openapi.json),
// so an argument added to estimate_cost appears here without a page change.

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'integer' | 'number' | 'boolean' | 'choice' | 'text';
  options: string[];
  description: string;
  required: boolean;
  min?: number;
  max?: number;
}

/** Words a person reads for the arguments we know; others are named from the argument itself. */
const LABELS: Record<string, string> = {
  model_name: 'Model',
  input_tokens: 'Input tokens',
  output_tokens: 'Output tokens',
  cached_input_tokens: 'Cached input tokens',
  cache_write_tokens: 'Cache write tokens',
  reasoning_tokens: 'Reasoning tokens',
  requests: 'Requests',
  batch: 'Batch API',
  service_tier: 'Service tier',
  cache_write_ttl: 'Cache write TTL',
  search_context: 'Web search context',
  region: 'Region',
  at: 'Time of use',
  allow_over_context: 'Allow input over the context window',
};

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  description?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
};

export function costFields(openapi: unknown): FieldSpec[] {
  const doc = openapi as { paths?: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: Schema }> } } }> };
  const body = doc.paths?.['/cost-estimate']?.post?.requestBody?.content?.['application/json']?.schema;
  if (!body?.properties) throw new Error('/openapi.json does not describe POST /cost-estimate');
  const required = new Set(body.required ?? []);
  return Object.entries(body.properties).map(([name, raw]) => {
    const s = nonNull(raw);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    const options = (s.enum ?? []).filter((v): v is string => typeof v === 'string');
    const kind: FieldSpec['kind'] =
      options.length > 0
        ? 'choice'
        : type === 'integer'
          ? 'integer'
          : type === 'number'
            ? 'number'
            : type === 'boolean'
              ? 'boolean'
              : 'text';
    return {
      name,
      label: LABELS[name] ?? humanize(name),
      kind,
      options,
      description: raw.description ?? s.description ?? '',
      required: required.has(name),
      min: s.minimum,
      max: s.maximum,
    };
  });
}

/** A nullable argument is described as anyOf [T, null]: T is what the field edits. */
function nonNull(s: Schema): Schema {
  const alt = (s.anyOf ?? s.oneOf)?.find((a) => a.type !== 'null');
  return alt ? { ...alt, description: s.description ?? alt.description } : s;
}

function humanize(name: string): string {
  const words = name.split('_').map((w) => (['ttl', 'api', 'id'].includes(w) ? w.toUpperCase() : w));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The request body for the typed values: numbers and booleans as JSON numbers and booleans, blanks left out. */
export function requestBody(fields: readonly FieldSpec[], values: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const v = (values[f.name] ?? '').trim();
    if (v === '') continue;
    if (f.kind === 'integer' || f.kind === 'number') body[f.name] = Number.isFinite(Number(v)) ? Number(v) : v;
    else if (f.kind === 'boolean') body[f.name] = v === 'true';
    else body[f.name] = v;
  }
  return body;
}
