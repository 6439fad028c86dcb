/**
 * Serves a collection the way Graph does: $filter (with the advanced-query rules), $orderby,
 * @odata.count on the first page, paging with @odata.nextLink, $select projection.
 */
import { graphErrors } from "../errors.js";
import { analyzeFilter, matchesFilter } from "../odata/filter-eval.js";
import { decodeSkipToken, nextLink, pageSize, type PageLimits } from "../odata/paging.js";
import { checkSelect, project } from "../odata/projection.js";
import type { OrderByOption, QueryOptions } from "../odata/query-options.js";
import { jsonResponse, type SimResponse } from "../server/messages.js";
import type { GraphObject } from "../state/graph-object.js";
import { contextUrl, type RouteContext } from "./route.js";

export interface CollectionSpec {
  readonly items: readonly GraphObject[];
  /** Graph type of the items, for $select/$filter property checks ("user"). */
  readonly typeName: string;
  /** @odata.context fragment without the select list ("users"). */
  readonly contextFragment: string;
  /** Paging limits, or "whole" for collections Graph returns in one response. */
  readonly limits: PageLimits | "whole";
  /** Properties returned without $select (users); default: the whole stored object. */
  readonly defaultSelect?: readonly string[];
  /** Navigation properties $expand may name; anything else is a 400. */
  readonly expandable?: readonly string[];
  /** Shapes one item after projection ($expand, @odata.type). */
  readonly present?: (item: GraphObject, projected: GraphObject) => GraphObject;
}

/** Throws Graph's 400s for $filter/$select/$orderby problems before anything is read. */
export function checkQuery(ctx: RouteContext, typeName: string, expandable: readonly string[] = []): void {
  const { query } = ctx;
  checkSelect(query.select, typeName);
  for (const option of query.expand) {
    if (!expandable.includes(option.name)) throw graphErrors.propertyNotFound(option.name, typeName);
  }
  if (query.filter) {
    const advancedOperator = analyzeFilter(query.filter, typeName);
    if (advancedOperator !== undefined && !ctx.advancedQuery) throw graphErrors.advancedQueryRequired(advancedOperator);
  }
  if (query.orderBy.length > 0 && query.filter && !ctx.advancedQuery) {
    throw graphErrors.unsupportedQuery("Sorting not supported for current query.");
  }
}

export function serveCollection(ctx: RouteContext, spec: CollectionSpec): SimResponse {
  const { query } = ctx;
  checkQuery(ctx, spec.typeName, spec.expandable);
  const filter = query.filter;
  const matching = filter ? spec.items.filter((item) => matchesFilter(filter, item)) : spec.items;
  const ordered = query.orderBy.length > 0 ? [...matching].sort(comparator(query.orderBy)) : matching;

  const whole = spec.limits === "whole";
  const epoch = ctx.tenant.skipTokenEpoch;
  const offset = whole ? 0 : decodeSkipToken(query.skipToken, epoch);
  const size = spec.limits === "whole" ? ordered.length : pageSize(query, spec.limits);
  const page = ordered.slice(offset, offset + size);
  const nextOffset = offset + size;

  const body: Record<string, unknown> = { "@odata.context": contextUrl(ctx, contextFragment(spec.contextFragment, query)) };
  // Graph sends @odata.count only with ConsistencyLevel: eventual, and only on the first page.
  if (query.count && ctx.advancedQuery && query.skipToken === undefined) body["@odata.count"] = ordered.length;
  if (!whole && nextOffset < ordered.length) {
    body["@odata.nextLink"] = nextLink(ctx.baseUrl, ctx.request.path, ctx.request.search, nextOffset, epoch);
  }
  body.value = page.map((item) => {
    const projected = project(item, spec.typeName, query.select, spec.defaultSelect);
    return spec.present ? spec.present(item, projected) : projected;
  });
  return jsonResponse(200, body);
}

/** "users(id,displayName)" when selecting, "roleAssignments(principal())" when expanding. */
export function contextFragment(base: string, query: QueryOptions): string {
  const parts = [...(query.select ?? []), ...query.expand.map((e) => `${e.name}(${(e.select ?? []).join(",")})`)];
  return parts.length > 0 ? `${base}(${parts.join(",")})` : base;
}

function comparator(orderBy: readonly OrderByOption[]): (a: GraphObject, b: GraphObject) => number {
  const valueAt = (item: GraphObject, path: readonly string[]): unknown =>
    path.reduce<unknown>((current, segment) => (current as Record<string, unknown> | undefined)?.[segment], item);
  return (a, b) => {
    for (const { path, descending } of orderBy) {
      const [x, y] = [valueAt(a, path), valueAt(b, path)];
      const order =
        x === y ? 0 : x === undefined || x === null ? -1 : y === undefined || y === null ? 1 : sortKey(x).localeCompare(sortKey(y));
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  };
}

function sortKey(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
