/**
 * $select as Graph applies it: only the selected properties, unset ones as null ([] for
 * collections), except properties Graph leaves out when they have no value (signInActivity for a
 * user who never signed in). Without $select, users get Graph's default property set.
 */
import { graphErrors } from "../errors.js";
import { queryableProperties } from "../metadata/graph-schema.js";
import type { GraphObject } from "../state/graph-object.js";

/** GET /users without $select returns exactly these (learn: user-list, "default properties"). */
export const USER_DEFAULT_PROPERTIES = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
] as const;

/** Returned only when they hold a value, even when selected. */
const OMITTED_WHEN_ABSENT = new Set(["signInActivity"]);

/** Throws Graph's 400 for a $select naming a property the type doesn't have. */
export function checkSelect(select: readonly string[] | undefined, typeName: string): void {
  if (!select) return;
  const props = queryableProperties(typeName);
  for (const name of select) {
    if (name !== "*" && !props.has(name) && !props.has(canonicalName(name, typeName))) {
      throw graphErrors.propertyNotFound(name, typeName);
    }
  }
}

/** Graph matches property names case-insensitively; responses use the declared spelling. */
function canonicalName(name: string, typeName: string): string {
  const lower = name.toLowerCase();
  for (const declared of queryableProperties(typeName).keys()) if (declared.toLowerCase() === lower) return declared;
  return name;
}

export function project(
  item: GraphObject,
  typeName: string,
  select: readonly string[] | undefined,
  defaults?: readonly string[],
): GraphObject {
  const names = select && !select.includes("*") ? select.map((s) => canonicalName(s, typeName)) : select ? undefined : defaults;
  if (!names) return item;
  const props = queryableProperties(typeName);
  const result: GraphObject = {};
  if (typeof item["@odata.type"] === "string") result["@odata.type"] = item["@odata.type"];
  for (const name of names) {
    const value = item[name];
    if (value !== undefined) result[name] = value;
    else if (!OMITTED_WHEN_ABSENT.has(name)) result[name] = props.get(name)?.type.startsWith("Collection(") ? [] : null;
  }
  return result;
}
