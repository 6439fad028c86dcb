import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import type { Pacer } from "./pacer.js";
import { paceClassOf } from "./pacing-policy.js";
import { DEFAULT_RETRY_OPTIONS, parseRetryAfterInMs } from "./retry-strategy.js";
import type { GraphCallStats } from "./stats.js";

export interface PacingMiddlewareOptions {
  /** The app's process-wide pacer (sharedPacer), so tenants share the app-wide budget. */
  readonly pacer: Pacer;
  readonly tenantId: string;
  readonly stats?: GraphCallStats;
}

/**
 * Holds each request until Graph's request-count limits allow it (pacing-policy.ts decides which
 * limits apply). Sits inside the retry middleware, so a retried request is paced again; a 429
 * that still happens holds the request's limits until its Retry-After has passed.
 */
export class PacingMiddleware implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly options: PacingMiddlewareOptions) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error("PacingMiddleware must not be the last middleware in the chain");
    const { pacer, tenantId, stats } = this.options;
    const url = typeof context.request === "string" ? context.request : context.request.url;
    const pace = paceClassOf(context.options?.method ?? "GET", url);
    const grant = pace.tenantLimits.length > 0 || pace.perApp ? await pacer.acquire(tenantId, pace) : undefined;
    if (stats && grant) stats.pacedInMs += grant.waitedInMs;
    try {
      await next.execute(context);
    } finally {
      grant?.answered(Date.now());
    }
    if (context.response?.status === 429) {
      const now = Date.now();
      const retryAfter = parseRetryAfterInMs(context.response.headers.get("Retry-After"), now);
      // Capped as the retry's own wait is: a far-off Retry-After date must not park a tenant for days.
      if (retryAfter !== undefined) pacer.hold(tenantId, pace, now + Math.min(retryAfter, DEFAULT_RETRY_OPTIONS.maxDelayInMs));
    }
  }
}
