/**
 * Programmable faults per test, modelled on the Graph SDK's ChaosHandler: Graph-shaped error
 * bodies, Retry-After when asked. A rule matches requests by tenant, method and path (the path
 * without query, as in the request log: "v1.0/users"; nextLink requests match their collection's
 * path) and optionally query, skips the first `after` matches and then fires `times` times.
 */
import { STATUS_CODES } from "node:http";
import { GraphFailure } from "./errors.js";

export type Fault =
  | {
      readonly type: "status";
      readonly status: number;
      readonly retryAfterSeconds?: number;
      readonly code?: string;
      readonly message?: string;
    }
  | { readonly type: "delay"; readonly ms: number }
  | { readonly type: "malformed-json" }
  /** The connection is closed without an answer (a kept-alive socket the server dropped). Not for $batch items. */
  | { readonly type: "drop-connection" }
  /**
   * Graph's licence 403 (Authentication_RequestFromNonPremiumTenantOrB2CTenant, Free tenants'
   * answer) on a tenant that has the licence: seen intermittently on signInActivity and the
   * authentication-methods reports (microsoftgraph/microsoft-graph-docs issue 14118,
   * microsoft-graph-docs-contrib issues 3759, 3808).
   */
  | { readonly type: "intermittent-license" };

export interface FaultRule {
  readonly tenantId?: string;
  readonly method?: string;
  /** "v1.0/users" (a leading "/" is ignored; compared case-insensitively) or a RegExp tested on that form. */
  readonly path: string | RegExp;
  /** Tested on the query string, decoded ("$select=id,signInActivity&$top=500"); nextLink pages repeat it. */
  readonly query?: RegExp;
  /** Let the first n matching requests through. Default 0. */
  readonly after?: number;
  /** How many matching requests fail. Default 1; Infinity for "until cleared". */
  readonly times?: number;
  readonly fault: Fault;
}

export interface FaultHandle {
  /** Matching requests seen so far. */
  readonly matched: number;
  /** Times the fault was applied. */
  readonly fired: number;
  remove(): void;
}

/** Graph's code and message for a bare status (ChaosHandler's table, Graph's codes). */
const DEFAULTS: Readonly<Record<number, { code: string; message: string }>> = {
  400: { code: "BadRequest", message: "The request is malformed." },
  401: { code: "InvalidAuthenticationToken", message: "Access token validation failure." },
  403: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." },
  404: { code: "Request_ResourceNotFound", message: "The resource was not found." },
  429: { code: "TooManyRequests", message: "Please retry again later." },
  500: { code: "InternalServerError", message: "An internal server error occurred." },
  502: { code: "BadGateway", message: "Bad gateway." },
  503: { code: "ServiceUnavailable", message: "The service is temporarily unavailable. Please retry later." },
  504: { code: "GatewayTimeout", message: "The gateway timed out." },
};

interface ActiveRule {
  readonly rule: FaultRule;
  matched: number;
  fired: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): FaultHandle {
    if (rule.fault.type === "status" && (rule.fault.status < 400 || rule.fault.status > 599)) {
      throw new RangeError(`fault status must be 4xx or 5xx, got ${rule.fault.status}`);
    }
    const active: ActiveRule = { rule, matched: 0, fired: 0 };
    this.rules.push(active);
    return {
      get matched() {
        return active.matched;
      },
      get fired() {
        return active.fired;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** Counts the request against every matching rule; returns the first fault due, if any. */
  take(request: FaultRequest): Fault | undefined {
    let due: Fault | undefined;
    for (const active of this.rules) {
      if (!matches(active.rule, request)) continue;
      active.matched++;
      const { after = 0, times = 1 } = active.rule;
      if (due === undefined && active.matched > after && active.fired < times) {
        active.fired++;
        due = active.rule.fault;
      }
    }
    return due;
  }
}

interface FaultRequest {
  readonly tenantId: string;
  readonly method: string;
  readonly path: string;
  /** Decoded query string, as FaultRule.query sees it. */
  readonly query: string;
}

function matches(rule: FaultRule, request: FaultRequest): boolean {
  if (rule.tenantId !== undefined && rule.tenantId.toLowerCase() !== request.tenantId.toLowerCase()) return false;
  if (rule.method !== undefined && rule.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (rule.query !== undefined && !rule.query.test(request.query)) return false;
  if (rule.path instanceof RegExp) return rule.path.test(request.path);
  return rule.path.replace(/^\/+/, "").toLowerCase() === request.path.toLowerCase();
}

/** The error a status fault answers with (Retry-After exactly as given: faults are not time-scaled). */
export function faultFailure(fault: Extract<Fault, { type: "status" }>): GraphFailure {
  const defaults = DEFAULTS[fault.status] ?? { code: STATUS_CODES[fault.status] ?? "UnknownError", message: "Simulated failure." };
  const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
  const inner: Record<string, string> = fault.status === 429 ? { code: "429", message: "Please retry after", status: "429" } : {};
  return new GraphFailure(fault.status, fault.code ?? defaults.code, fault.message ?? defaults.message, headers, inner);
}

/** A 200 whose body stops mid-JSON, like a connection cut during a large page. */
export const MALFORMED_JSON_BODY = '{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[{"id":"';
