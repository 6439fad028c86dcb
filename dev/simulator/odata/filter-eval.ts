/**
 * Checks a parsed $filter against the resource type (unknown property → Graph's 400) and
 * evaluates it against stored objects. Directory string comparisons are case-insensitive, as in
 * Graph; a missing or null value never satisfies gt/ge/lt/le (so `signInActivity/lastSignInDateTime
 * le …` skips users who never signed in, like Graph).
 */
import { graphErrors } from "../errors.js";
import { queryableProperties } from "../metadata/graph-schema.js";
import type { FilterExpr, Literal } from "./filter-parser.js";

/** Operators Graph only accepts as advanced queries (ConsistencyLevel: eventual + $count=true). */
const ADVANCED_OPERATORS = new Set(["ne", "not", "endsWith"]);

/** Validates property paths; returns the first operator that needs an advanced query, if any. */
export function analyzeFilter(expr: FilterExpr, typeName: string, variables: ReadonlySet<string> = new Set()): string | undefined {
  switch (expr.kind) {
    case "and":
    case "or":
      return analyzeFilter(expr.left, typeName, variables) ?? analyzeFilter(expr.right, typeName, variables);
    case "not":
      analyzeFilter(expr.operand, typeName, variables);
      return "not";
    case "compare":
      checkPath(expr.path, typeName, variables);
      return expr.op === "ne" ? "ne" : undefined;
    case "in":
      checkPath(expr.path, typeName, variables);
      return undefined;
    case "function":
      checkPath(expr.path, typeName, variables);
      return ADVANCED_OPERATORS.has(expr.name) ? expr.name : undefined;
    case "any":
      checkPath(expr.path, typeName, variables);
      return analyzeFilter(expr.body, typeName, new Set([...variables, expr.variable]));
  }
}

function checkPath(path: readonly string[], typeName: string, variables: ReadonlySet<string>): void {
  const [first, ...rest] = path;
  if (first === undefined || variables.has(first)) return;
  let type = typeName;
  for (const segment of [first, ...rest]) {
    const prop = queryableProperties(type).get(segment);
    if (!prop) throw graphErrors.propertyNotFound(segment, type);
    type = /^Collection\((.*)\)$/.exec(prop.type)?.[1] ?? prop.type;
  }
}

/** First segments of every property path the filter reads (lambda variables excluded). */
export function filterRoots(expr: FilterExpr, variables: ReadonlySet<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case "and":
    case "or":
      return new Set([...filterRoots(expr.left, variables), ...filterRoots(expr.right, variables)]);
    case "not":
      return filterRoots(expr.operand, variables);
    case "any":
      return new Set([...rootOf(expr.path, variables), ...filterRoots(expr.body, new Set([...variables, expr.variable]))]);
    default:
      return new Set(rootOf(expr.path, variables));
  }
}

function rootOf(path: readonly string[], variables: ReadonlySet<string>): string[] {
  const first = path[0];
  return first === undefined || variables.has(first) ? [] : [first];
}

export function matchesFilter(expr: FilterExpr, item: unknown, scope: ReadonlyMap<string, unknown> = new Map()): boolean {
  switch (expr.kind) {
    case "and":
      return matchesFilter(expr.left, item, scope) && matchesFilter(expr.right, item, scope);
    case "or":
      return matchesFilter(expr.left, item, scope) || matchesFilter(expr.right, item, scope);
    case "not":
      return !matchesFilter(expr.operand, item, scope);
    case "compare":
      return compare(resolve(expr.path, item, scope), expr.op, expr.value);
    case "in":
      return expr.values.some((value) => compare(resolve(expr.path, item, scope), "eq", value));
    case "function": {
      const value = resolve(expr.path, item, scope);
      if (typeof value !== "string") return false;
      const [text, affix] = [value.toLowerCase(), expr.value.toLowerCase()];
      return (expr.name === "startsWith" ? text.startsWith(affix) : text.endsWith(affix)) === expr.expected;
    }
    case "any": {
      const values = resolve(expr.path, item, scope);
      if (!Array.isArray(values)) return false;
      return values.some((value) => matchesFilter(expr.body, item, new Map([...scope, [expr.variable, value]])));
    }
  }
}

function resolve(path: readonly string[], item: unknown, scope: ReadonlyMap<string, unknown>): unknown {
  const [first, ...rest] = path;
  let current: unknown = first !== undefined && scope.has(first) ? scope.get(first) : (item as Record<string, unknown>)[first ?? ""];
  for (const segment of rest) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function compare(actual: unknown, op: string, literal: Literal): boolean {
  if (literal.kind === "null") {
    const isNull = actual === null || actual === undefined;
    return op === "eq" ? isNull : op === "ne" ? !isNull : false;
  }
  if (actual === null || actual === undefined) return op === "ne";
  const order = ordering(actual, literal);
  if (order === undefined) return op === "ne";
  switch (op) {
    case "eq":
      return order === 0;
    case "ne":
      return order !== 0;
    case "gt":
      return order > 0;
    case "ge":
      return order >= 0;
    case "lt":
      return order < 0;
    default:
      return order <= 0;
  }
}

/** Sign of actual − literal, or undefined when they can't be compared. */
function ordering(actual: unknown, literal: Exclude<Literal, { kind: "null" }>): number | undefined {
  if (literal.kind === "boolean") return typeof actual === "boolean" ? Number(actual) - Number(literal.value) : undefined;
  if (literal.kind === "number") return typeof actual === "number" ? Math.sign(actual - literal.value) : undefined;
  if (typeof actual !== "string") return undefined;
  if (literal.kind === "datetime") {
    const time = Date.parse(actual);
    return Number.isNaN(time) ? undefined : Math.sign(time - literal.epochMs);
  }
  const [a, b] = [actual.toLowerCase(), literal.value.toLowerCase()];
  return a === b ? 0 : a < b ? -1 : 1;
}
