/** What one request costs and which limits it counts against (graph-facts §6). */
import type { Route, RouteContext } from "../routes/route.js";
import type { LimitKind } from "./limits.js";

export interface ThrottleCharge {
  readonly resourceUnits: number;
  readonly kinds: readonly LimitKind[];
  readonly mailbox?: string;
}

/**
 * Base cost (GET users 2, groups/{id}/members 3, any other GET 1; writes 1), then
 * $select −1, $expand +1, $top < 20 −1, never below 1.
 */
export function resourceUnitCost(route: Route, ctx: RouteContext): number {
  if (ctx.request.method !== "GET") return 1;
  const { query } = ctx;
  let cost = route.baseCost ?? 1;
  if (query.select) cost -= 1;
  if (query.expand.length > 0) cost += 1;
  if (query.top && query.top.value < 20) cost -= 1;
  return Math.max(1, cost);
}

const FAMILY_LIMITS: Readonly<Record<Route["family"], readonly LimitKind[]>> = {
  identity: ["resourceUnits"],
  reports: ["reports"],
  conditionalAccess: ["conditionalAccess"],
  outlook: ["mailbox"],
};

export function throttleCharge(route: Route, ctx: RouteContext): ThrottleCharge {
  const write = ctx.request.method !== "GET";
  const kinds = [
    ...FAMILY_LIMITS[route.family],
    ...(write && route.family === "identity" ? (["writes"] as const) : []),
    ...(route.extraLimits?.(ctx) ?? []),
  ];
  const mailbox = route.mailbox?.(ctx).toLowerCase();
  return { resourceUnits: resourceUnitCost(route, ctx), kinds, ...(mailbox !== undefined ? { mailbox } : {}) };
}
