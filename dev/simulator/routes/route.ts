/** What a resource handler is given and what it declares (method, path, throttling family). */
import type { QueryOptions } from "../odata/query-options.js";
import type { SimRequest, SimResponse } from "../server/messages.js";
import type { TenantState } from "../state/tenant-state.js";
import type { LimitKind } from "../throttling/limits.js";

export type ApiVersion = "v1.0" | "beta";
export const API_VERSIONS: readonly ApiVersion[] = ["v1.0", "beta"];

/** Which Graph service limits apply (graph-facts §6). */
export type ThrottleFamily = "identity" | "reports" | "conditionalAccess" | "outlook";

export interface RouteContext {
  readonly tenant: TenantState;
  readonly request: SimRequest;
  readonly version: ApiVersion;
  /** Path parameters, decoded: users/{id} → { id }. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: QueryOptions;
  /** ConsistencyLevel: eventual and $count=true were both sent. */
  readonly advancedQuery: boolean;
  /** "https://localhost:PORT/" */
  readonly baseUrl: string;
  /** Request start, from the simulator's clock. */
  readonly now: number;
}

export interface Route {
  readonly method: "GET" | "POST" | "PATCH";
  /** Path after the version, "{name}" for parameters: "users/{id}/authentication/requirements". */
  readonly pattern: string;
  /** Default: both v1.0 and beta. */
  readonly versions?: readonly ApiVersion[];
  readonly family: ThrottleFamily;
  /** Resource-unit base cost (graph-facts §6): GET users 2, groups/{id}/members 3, others 1. */
  readonly baseCost?: number;
  /** Limits a request adds on top of its family's (a users list selecting signInActivity). */
  readonly extraLimits?: (ctx: RouteContext) => readonly LimitKind[];
  /** The mailbox an Outlook request is counted against. */
  readonly mailbox?: (ctx: RouteContext) => string;
  readonly handle: (ctx: RouteContext) => SimResponse | Promise<SimResponse>;
}

/** "https://localhost:PORT/v1.0/$metadata#users(id,displayName)" */
export function contextUrl(ctx: Pick<RouteContext, "baseUrl" | "version">, fragment: string): string {
  return `${ctx.baseUrl}${ctx.version}/$metadata#${fragment}`;
}

export function param(ctx: RouteContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new TypeError(`route has no {${name}} parameter`);
  return value;
}
