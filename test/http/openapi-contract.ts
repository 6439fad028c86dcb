/**
 * The ticketing API's OpenAPI document as the tests' oracle: every response a test receives is
 * checked against the document's schema for its route, method and status (ajv, JSON Schema 2020-12,
 * as OpenAPI 3.1 uses), and a status the document does not list fails the test.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import document from "../../openapi/remediations.openapi.json" with { type: "json" };

export const OPENAPI_DOCUMENT = document;
const DOCUMENT_ID = "openapi";

interface Operation {
  readonly responses: Record<string, unknown>;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, DOCUMENT_ID);

/** The JSON pointer of `obj` after following local `$ref`s (response objects may be references). */
function resolve(pointer: string): { pointer: string; value: Record<string, unknown> } {
  let value: unknown = document;
  for (const part of pointer.split("/").slice(1))
    value = (value as Record<string, unknown>)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  const ref = (value as { $ref?: string }).$ref;
  return ref ? resolve(ref.slice(1)) : { pointer, value: value as Record<string, unknown> };
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (!validate) validators.set(ref, (validate = ajv.compile({ $ref: ref })));
  return validate;
}

const escape = (part: string) => part.replaceAll("~", "~0").replaceAll("/", "~1");

/** Problems of `body` as the answer `status` of `method path` (path as in the document), or [] when it conforms. */
export function contractViolations(path: string, method: string, status: number, contentType: string | null, body: unknown): string[] {
  const operationPointer = `/paths/${escape(path)}/${method.toLowerCase()}`;
  const operation = resolve(operationPointer).value as unknown as Operation | undefined;
  if (!operation) return [`${method} ${path} is not in the document`];
  if (!(String(status) in operation.responses)) return [`${method} ${path} answered ${status}, which the document does not list`];
  const response = resolve(`${operationPointer}/responses/${status}`);
  const content = response.value.content as Record<string, unknown> | undefined;
  if (!content) return [];
  const mediaType = (contentType ?? "").split(";")[0]?.trim() ?? "";
  if (!(mediaType in content))
    return [`${method} ${path} ${status}: content type ${mediaType} is not one of ${Object.keys(content).join(", ")}`];
  const validate = validatorFor(`${DOCUMENT_ID}#${response.pointer}/content/${escape(mediaType)}/schema`);
  return validate(body)
    ? []
    : (validate.errors ?? []).map((e) => `${method} ${path} ${status}: ${e.instancePath || "body"} ${e.message ?? ""}`);
}
