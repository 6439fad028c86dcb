/**
 * System query options of one request, parsed once: $select, $filter, $top, $count, $expand,
 * $orderby, $skiptoken. Unknown `$` options and malformed values are Graph-style 400s; options
 * without `$` are ignored, as Graph does.
 */
import { graphErrors } from "../errors.js";
import { filterRoots } from "./filter-eval.js";
import { FilterSyntaxError, parseFilter, type FilterExpr } from "./filter-parser.js";

export interface ExpandOption {
  readonly name: string;
  /** Nested `$select` inside `principal($select=id,displayName)`. */
  readonly select?: readonly string[];
}

export interface OrderByOption {
  readonly path: readonly string[];
  readonly descending: boolean;
}

export interface QueryOptions {
  readonly select?: readonly string[];
  readonly filter?: FilterExpr;
  readonly filterText?: string;
  /** $top as sent (the error message quotes it) and its value. */
  readonly top?: { readonly text: string; readonly value: number };
  readonly count: boolean;
  readonly expand: readonly ExpandOption[];
  readonly orderBy: readonly OrderByOption[];
  readonly skipToken?: string;
}

const SUPPORTED = new Set(["$select", "$filter", "$top", "$count", "$expand", "$orderby", "$skiptoken"]);

export function parseQueryOptions(search: URLSearchParams): QueryOptions {
  for (const key of search.keys()) {
    if (!key.startsWith("$") || SUPPORTED.has(key.toLowerCase())) continue;
    if (key.toLowerCase() === "$skip") throw graphErrors.requestBadRequest("'$skip' is not supported by the service.");
    if (key.toLowerCase() === "$search") throw graphErrors.badRequest("$search is not supported by the Graph simulator.");
    throw graphErrors.badRequest(`Query option '${key}' is not supported.`);
  }
  const get = (name: string): string | undefined => {
    for (const [key, value] of search) if (key.toLowerCase() === name) return value;
    return undefined;
  };
  const filterText = get("$filter");
  const topText = get("$top");
  const skipToken = get("$skiptoken");
  const select = get("$select");
  return {
    ...(select !== undefined ? { select: splitList(select) } : {}),
    ...(filterText !== undefined ? { filter: parseFilterOption(filterText), filterText } : {}),
    ...(topText !== undefined ? { top: { text: topText, value: parseTop(topText) } } : {}),
    ...(skipToken !== undefined ? { skipToken } : {}),
    count: parseCount(get("$count")),
    expand: splitTopLevel(get("$expand") ?? "").map(parseExpand),
    orderBy: splitList(get("$orderby") ?? "").map(parseOrderBy),
  };
}

function parseFilterOption(text: string): FilterExpr {
  try {
    return parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw graphErrors.badRequest(`Invalid filter clause: ${error.message}`);
    throw error;
  }
}

function parseTop(text: string): number {
  // Range checks need the collection's limit, so they happen when the page is cut.
  if (!/^-?\d+$/.test(text.trim())) throw graphErrors.badRequest(`Invalid value '${text}' for $top query option found.`);
  return Number(text);
}

function parseCount(text: string | undefined): boolean {
  if (text === undefined) return false;
  if (text === "true" || text === "false") return text === "true";
  throw graphErrors.badRequest(`Invalid value '${text}' for $count query option found. Valid values are 'true', 'false'.`);
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

/** Splits on commas outside parentheses: "principal($select=a,b),x". */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function parseExpand(text: string): ExpandOption {
  const match = /^(\w+)(?:\((.*)\))?$/.exec(text);
  if (!match?.[1]) throw graphErrors.badRequest(`Invalid $expand clause '${text}'.`);
  const inner = match[2]?.trim();
  if (inner === undefined || inner === "") return { name: match[1] };
  const select = /^\$select=(.*)$/i.exec(inner)?.[1];
  if (select === undefined) throw graphErrors.badRequest(`Only $select is supported inside $expand, got '${inner}'.`);
  return { name: match[1], select: splitList(select) };
}

function parseOrderBy(text: string): OrderByOption {
  const match = /^([\w/]+)(?:\s+(asc|desc))?$/i.exec(text);
  if (!match?.[1]) throw graphErrors.badRequest(`Invalid $orderby clause '${text}'.`);
  return { path: match[1].split("/"), descending: match[2]?.toLowerCase() === "desc" };
}

/** Whether a request selects or filters on a top-level property, e.g. signInActivity. */
export function mentionsProperty(query: QueryOptions, property: string): boolean {
  const wanted = property.toLowerCase();
  const selected = query.select?.some((s) => s.toLowerCase() === wanted) ?? false;
  return selected || (query.filter !== undefined && [...filterRoots(query.filter)].some((root) => root.toLowerCase() === wanted));
}
