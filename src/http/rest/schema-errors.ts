import type { FastifySchemaValidationError } from 'fastify';

/**
 * Turns ajv's findings into one sentence that names the field and what to fix,
 * e.g. `body.input_tokens must be >= 0` or `querystring has an unknown parameter "foo"`.
 */
export function describeSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const parts = errors.slice(0, 3).map((e) => {
    const where = `${dataVar}${e.instancePath.replace(/\//g, '.')}`;
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties':
        return `${where} has an unknown ${dataVar === 'querystring' ? 'parameter' : 'field'} "${String(params.additionalProperty)}"`;
      case 'required':
        return `${where} is missing the required field "${String(params.missingProperty)}"`;
      case 'enum':
        return `${where} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
      default:
        return `${where} ${e.message ?? 'is invalid'}`;
    }
  });
  return new Error(parts.join('; '));
}
