import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';

// Output schemas compiled once per process, by content. The deploy controller validates every
// release with the same tools, and each run compiled their output schemas twice (the SDK client
// on tools/list, the checks again), each time in a new ajv: the quick suite took 340-1,060 ms on
// a second run in one process, 80-170 ms with this cache (load 11-12; see the commit message).

// Ajv keeps every schema it compiled; a long-lived controller that meets many distinct schemas
// (a new release's tools) starts over with a fresh ajv past this many.
const MAX_SCHEMAS = 200;

let ajv = new AjvJsonSchemaValidator();
let compiled = new Map<string, JsonSchemaValidator<unknown>>();

/** The SDK's validator interface over one shared ajv, with compiled schemas kept by their JSON text. */
export const sharedSchemaValidator: jsonSchemaValidator = {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const key = JSON.stringify(schema);
    let check = compiled.get(key);
    if (check === undefined) {
      if (compiled.size >= MAX_SCHEMAS) {
        ajv = new AjvJsonSchemaValidator();
        compiled = new Map();
      }
      check = ajv.getValidator<unknown>(schema);
      compiled.set(key, check);
    }
    return check as JsonSchemaValidator<T>;
  },
};
