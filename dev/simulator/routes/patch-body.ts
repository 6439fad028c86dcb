/**
 * PATCH body checks shared by the write endpoints: a JSON object whose properties exist on the
 * Graph type, hold values of the declared type, and aren't read-only — else Graph's 400.
 */
import { graphErrors } from "../errors.js";
import { validateGraphValue } from "../metadata/graph-schema.js";
import { INVALID_JSON } from "../server/messages.js";
import { isPlainObject, type GraphObject } from "../state/graph-object.js";

export interface PatchRules {
  /** Graph type name ("user"). */
  readonly typeName: string;
  /** Resource name in Graph's "Invalid value specified for property 'x' of resource 'User'." */
  readonly resourceName: string;
  readonly readOnly?: readonly string[];
}

/** The request body as a JSON object, or Graph's 400 for a missing or unreadable payload. */
export function jsonObjectBody(body: unknown): GraphObject {
  if (body === INVALID_JSON || !isPlainObject(body)) throw graphErrors.invalidJsonBody();
  return body;
}

export function validatePatch(body: unknown, rules: PatchRules): GraphObject {
  const changes = jsonObjectBody(body);
  for (const [property, value] of Object.entries(changes)) {
    if (property.includes("@")) continue; // OData annotations
    if (rules.readOnly?.includes(property)) throw graphErrors.readOnlyProperty(property);
    const issues = validateGraphValue({ [property]: value }, rules.typeName, { allowNavigation: false, caseInsensitiveEnums: true });
    const first = issues[0];
    if (!first) continue;
    // Name the innermost property, as Graph does for nested complex values.
    const name = first.path.filter((p): p is string => typeof p === "string").at(-1) ?? property;
    if (first.kind === "unknown") throw graphErrors.unknownBodyProperty(name);
    throw graphErrors.invalidPropertyValue(name, rules.resourceName);
  }
  return changes;
}
