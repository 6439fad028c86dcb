/** A Graph resource as stored: plain JSON with Graph's property names. */
export type GraphObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is GraphObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * PATCH semantics: properties in `changes` replace those in `target`; nested objects merge,
 * arrays and scalars are replaced (Graph replaces collections wholesale).
 */
export function mergePatch(target: GraphObject, changes: GraphObject): void {
  for (const [key, value] of Object.entries(changes)) {
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) mergePatch(current, value);
    else target[key] = structuredClone(value);
  }
}

export function idOf(object: GraphObject): string {
  return typeof object.id === "string" ? object.id : "";
}
