/**
 * Graph's own type system (the CSDL slice in graph-types.generated.ts), used to check fixtures,
 * $select/$filter property names and PATCH bodies the way Graph does: unknown property names,
 * wrong primitive types and enum values Graph doesn't have are all rejected.
 */
import type { GraphTypeDef } from "./graph-type-def.js";
import { isGuid } from "../../../shared/model/ids.js";
import { GRAPH_TYPES } from "./graph-types.generated.js";

/** The beta-only type behind `beta/users/{id}/authentication/requirements` (not in v1.0 CSDL). */
const BETA_TYPES: Readonly<Record<string, GraphTypeDef>> = {
  strongAuthenticationRequirements: { kind: "complex", props: { perUserMfaState: "perUserMfaState" } },
  perUserMfaState: { kind: "enum", members: ["disabled", "enabled", "enforced", "unknownFutureValue"] },
};

const TYPES: Readonly<Record<string, GraphTypeDef>> = { ...GRAPH_TYPES, ...BETA_TYPES };

export interface ValueIssue {
  readonly path: readonly (string | number)[];
  /** "unknown": a property the type doesn't have (or can't be set inline); "invalid": a bad value. */
  readonly kind: "unknown" | "invalid";
  readonly message: string;
}

export interface PropertyInfo {
  readonly type: string;
  readonly nullable: boolean;
}

const flattened = new Map<string, ReadonlyMap<string, PropertyInfo>>();

/** Structural properties of a type including inherited ones (memoised: called per request). */
export function propertiesOf(typeName: string): ReadonlyMap<string, PropertyInfo> {
  const cached = flattened.get(typeName);
  if (cached) return cached;
  const def = TYPES[typeName];
  const result = new Map<string, PropertyInfo>(def?.base !== undefined ? propertiesOf(def.base) : []);
  for (const [name, type] of Object.entries(def?.props ?? {})) {
    result.set(name, { type, nullable: !(def?.nonNullable ?? []).includes(name) });
  }
  flattened.set(typeName, result);
  return result;
}

const polymorphic = new Map<string, ReadonlyMap<string, PropertyInfo>>();

/**
 * Properties a query may name on a collection of `typeName` items: for directoryObject
 * collections (group members) that includes the properties of every derived type, as Graph
 * accepts `$select=displayName` on members.
 */
export function queryableProperties(typeName: string): ReadonlyMap<string, PropertyInfo> {
  if (typeName !== "directoryObject") return propertiesOf(typeName);
  const cached = polymorphic.get(typeName);
  if (cached) return cached;
  const union = new Map<string, PropertyInfo>();
  for (const name of Object.keys(TYPES)) {
    if (derivesFrom(name, typeName)) for (const [prop, info] of propertiesOf(name)) if (!union.has(prop)) union.set(prop, info);
  }
  polymorphic.set(typeName, union);
  return union;
}

function navigationOf(typeName: string): readonly string[] {
  const def = TYPES[typeName];
  return [...(def?.nav ?? []), ...(def?.base !== undefined ? navigationOf(def.base) : [])];
}

export function derivesFrom(typeName: string, base: string): boolean {
  for (let t: string | undefined = typeName; t !== undefined; t = TYPES[t]?.base) if (t === base) return true;
  return false;
}

/** `@odata.type` value → simple type name, e.g. "#microsoft.graph.user" → "user". */
export function odataTypeName(odataType: unknown): string | undefined {
  if (typeof odataType !== "string") return undefined;
  const match = /^#?microsoft\.graph\.(\w+)$/.exec(odataType);
  return match?.[1];
}

const PRIMITIVE_CHECKS: Readonly<Record<string, (v: unknown) => boolean>> = {
  "Edm.String": (v) => typeof v === "string",
  "Edm.Boolean": (v) => typeof v === "boolean",
  "Edm.Int32": (v) => Number.isInteger(v) && (v as number) >= -2_147_483_648 && (v as number) <= 2_147_483_647,
  "Edm.Int64": (v) => Number.isInteger(v),
  "Edm.Int16": (v) => Number.isInteger(v),
  "Edm.Byte": (v) => Number.isInteger(v),
  "Edm.Double": (v) => typeof v === "number",
  "Edm.Single": (v) => typeof v === "number",
  "Edm.Decimal": (v) => typeof v === "number",
  "Edm.Guid": (v) => typeof v === "string" && isGuid(v),
  "Edm.DateTimeOffset": (v) =>
    typeof v === "string" &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
    !Number.isNaN(Date.parse(v)),
  "Edm.Date": (v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v),
  "Edm.TimeOfDay": (v) => typeof v === "string" && /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v),
  "Edm.Duration": (v) => typeof v === "string" && /^-?P/.test(v),
  "Edm.Binary": (v) => typeof v === "string" && /^[A-Za-z0-9+/=_-]*$/.test(v),
};

const EXTENSION_PROPERTY = /^extension_[0-9a-f]{32}_\w+$/i;

export interface ValidateOptions {
  /** PATCH bodies: navigation properties can't be set inline. */
  readonly allowNavigation?: boolean;
  /** Request bodies: Graph reads enum members case-insensitively ("HTML" for bodyType html). */
  readonly caseInsensitiveEnums?: boolean;
}

/** Checks `value` against a Graph type reference ("Edm.X", "user", "Collection(...)"). */
export function validateGraphValue(
  value: unknown,
  typeRef: string,
  options: ValidateOptions = {},
  path: readonly (string | number)[] = [],
): ValueIssue[] {
  const element = /^Collection\((.*)\)$/.exec(typeRef)?.[1];
  if (element !== undefined) {
    if (!Array.isArray(value)) return [{ path, kind: "invalid", message: `expected an array (${typeRef}), got ${describe(value)}` }];
    return value.flatMap((item, i) =>
      item === null
        ? [{ path: [...path, i], kind: "invalid", message: `null is not allowed in ${typeRef}` }]
        : validateGraphValue(item, element, options, [...path, i]),
    );
  }
  const primitive = PRIMITIVE_CHECKS[typeRef];
  if (primitive) return primitive(value) ? [] : [{ path, kind: "invalid", message: `expected ${typeRef}, got ${describe(value)}` }];
  const def = TYPES[typeRef];
  if (!def) return []; // a type outside the served slice (other namespaces): not checked
  if (def.kind === "enum") return validateEnum(value, typeRef, def, path, options.caseInsensitiveEnums === true);
  return validateObject(value, typeRef, options, path);
}

function validateEnum(
  value: unknown,
  typeRef: string,
  def: GraphTypeDef,
  path: readonly (string | number)[],
  anyCase: boolean,
): ValueIssue[] {
  const members = def.members ?? [];
  const parts = typeof value === "string" ? (def.flags ? value.split(",").map((s) => s.trim()) : [value]) : [];
  const known = (part: string): boolean => (anyCase ? canonicalEnumMember(typeRef, part) !== undefined : members.includes(part));
  if (parts.length > 0 && parts.every(known)) return [];
  return [{ path, kind: "invalid", message: `expected one of ${typeRef} (${members.join(", ")}), got ${describe(value)}` }];
}

function validateObject(value: unknown, declared: string, options: ValidateOptions, path: readonly (string | number)[]): ValueIssue[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ path, kind: "invalid", message: `expected a ${declared} object, got ${describe(value)}` }];
  }
  const record = value as Record<string, unknown>;
  let actual = declared;
  if ("@odata.type" in record) {
    const named = odataTypeName(record["@odata.type"]);
    if (named === undefined || !TYPES[named] || !derivesFrom(named, declared)) {
      return [
        {
          path: [...path, "@odata.type"],
          kind: "invalid",
          message: `'${String(record["@odata.type"])}' is not microsoft.graph.${declared} or a type derived from it`,
        },
      ];
    }
    actual = named;
  }
  const props = propertiesOf(actual);
  const navigation = navigationOf(actual);
  const open = TYPES[actual]?.open === true;
  const issues: ValueIssue[] = [];
  for (const [key, propValue] of Object.entries(record)) {
    if (key.includes("@")) continue; // OData annotations (@odata.type, x@odata.context)
    const prop = props.get(key);
    if (prop) {
      if (propValue === null) {
        if (!prop.nullable)
          issues.push({ path: [...path, key], kind: "invalid", message: `null is not allowed (${prop.type}, not nullable)` });
      } else issues.push(...validateGraphValue(propValue, prop.type, options, [...path, key]));
    } else if (navigation.includes(key)) {
      if (options.allowNavigation === false)
        issues.push({ path: [...path, key], kind: "unknown", message: `navigation property '${key}' cannot be set inline` });
    } else if (!(open && EXTENSION_PROPERTY.test(key))) {
      issues.push({
        path: [...path, key],
        kind: "unknown",
        message: `unknown property '${key}': microsoft.graph.${actual} has no such property`,
      });
    }
  }
  return issues;
}

/** The declared spelling of an enum member matched case-insensitively ("HTML" → "html"). */
export function canonicalEnumMember(typeRef: string, value: string): string | undefined {
  const lower = value.toLowerCase();
  return TYPES[typeRef]?.members?.find((m) => m.toLowerCase() === lower);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return typeof value === "number" || typeof value === "boolean" ? `${typeof value} ${value}` : typeof value;
}
