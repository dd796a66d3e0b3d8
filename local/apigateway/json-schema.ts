/**
 * Request body validation against API Gateway models, which are JSON Schema
 * draft 4 (https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html).
 * Each schema is compiled once, when the API is read; bodies are checked per request.
 */
import AjvDraft04 from 'ajv-draft-04';
import type { ErrorObject } from 'ajv-draft-04';

// ajv-draft-04 is CommonJS: under NodeNext the default import is its module object, whose `default` is the class.
const Ajv = AjvDraft04.default;

const ajv = new Ajv({
  // `required: ["constructor"]` must not be met by Object.prototype.
  ownProperties: true,
  // API Gateway reports every violation of a body, not the first.
  allErrors: true,
  // Models may carry keywords draft 4 does not define (e.g. `example`); they do not constrain.
  strict: false,
  // `format` is an annotation here, as it always was in this runtime.
  validateFormats: false,
  // Two models may declare the same `id`; each is compiled on its own.
  addUsedSchema: false,
  logger: false,
});

/** A model's schema, compiled. */
export interface CompiledModel {
  readonly name: string;
  /** Violations of the schema by `body` (empty when valid), each naming where in the body. */
  validate(body: unknown): string[];
}

/** A schema that cannot be served: `reason` says why, in words fit for a start-up error. */
export class ModelSchemaError extends Error {}

function describe(error: ErrorObject): string {
  const at = error.instancePath === '' ? '/' : error.instancePath;
  const params = error.params as { allowedValues?: unknown; additionalProperty?: string };
  const detail =
    error.keyword === 'enum' ? ` ${JSON.stringify(params.allowedValues)}` : error.keyword === 'additionalProperties' ? ` (${params.additionalProperty})` : '';
  return `${at} ${error.message ?? error.keyword}${detail}`;
}

/** Compile a model's schema; throws ModelSchemaError when it is not a draft 4 schema the runtime can serve. */
export function compileModel(name: string, schema: Readonly<Record<string, unknown>>): CompiledModel {
  let check;
  try {
    check = ajv.compile(schema);
  } catch (error) {
    const missingRef = (error as { missingRef?: unknown }).missingRef;
    if (typeof missingRef === 'string') throw new ModelSchemaError(`model ${name} refers to other models (${missingRef}), which is not supported locally`);
    if (error instanceof SyntaxError) throw new ModelSchemaError(`model ${name} has a pattern that is not a regular expression: ${error.message}`);
    throw new ModelSchemaError(`model ${name} is not a JSON Schema draft 4 schema: ${(error as Error).message}`);
  }
  return {
    name,
    validate(body) {
      return check(body) ? [] : (check.errors ?? []).map(describe);
    },
  };
}
