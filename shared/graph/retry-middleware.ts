import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { decideRetry, type RetryOptions } from "./retry-strategy.js";
import type { GraphCallStats } from "./stats.js";

export interface RetryMiddlewareOptions extends RetryOptions {
  readonly stats?: GraphCallStats;
  /** Injected in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Replaces the SDK's RetryHandler: same contract (429/503/504, Retry-After), but the decision is
 * our pure strategy, writes are not replayed on 503/504, our backoff follows a time scale, and
 * every request, 429 and wait is counted.
 */
export class RetryMiddleware implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly options: RetryMiddlewareOptions = {}) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error("RetryMiddleware must not be the last middleware in the chain");
    const { stats, sleep = defaultSleep } = this.options;
    const method = (context.options?.method ?? "GET").toUpperCase();
    for (let attempt = 0; ; attempt++) {
      await next.execute(context);
      const response = context.response;
      if (stats) countResponse(stats, response?.status ?? 0);
      if (!response) return;
      const decision = decideRetry(
        {
          attempt,
          status: response.status,
          method,
          retryAfter: response.headers.get("Retry-After"),
          nowInMs: Date.now(),
          jitter: Math.random(),
        },
        this.options,
      );
      if (!decision.retry) return;
      if (stats) {
        stats.retries++;
        stats.waitedInMs += decision.delayInMs;
      }
      await response.body?.cancel();
      await sleep(decision.delayInMs);
    }
  }
}

function countResponse(stats: GraphCallStats, status: number): void {
  stats.requests++;
  if (status === 429) stats.throttled++;
  if (status >= 500) stats.serverErrors++;
}
