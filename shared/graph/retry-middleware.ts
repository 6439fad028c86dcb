import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { decideRetry, isBrokenConnection, NO_RESPONSE, type RetryOptions } from "./retry-strategy.js";
import type { GraphCallStats } from "./stats.js";

export interface RetryMiddlewareOptions extends RetryOptions {
  readonly stats?: GraphCallStats;
  /** Injected in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Replaces the SDK's RetryHandler: same contract (429/503/504, Retry-After), but the decision is
 * our pure strategy, writes are not replayed on 503/504, reads are also sent again when their
 * connection broke (the SDK gives up on those), our backoff follows a time scale, and every
 * request, 429 and wait is counted.
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
      const sent = await sendOnce(next, context);
      if (!sent.response && sent.brokenConnection === undefined) return;
      const status = sent.response?.status ?? NO_RESPONSE;
      if (stats) countResponse(stats, status);
      const decision = decideRetry(
        {
          attempt,
          status,
          method,
          retryAfter: sent.response?.headers.get("Retry-After") ?? null,
          nowInMs: Date.now(),
          jitter: Math.random(),
        },
        this.options,
      );
      if (!decision.retry) {
        if (sent.brokenConnection !== undefined) throw sent.brokenConnection;
        return;
      }
      if (stats) {
        stats.retries++;
        stats.waitedInMs += decision.delayInMs;
      }
      await sent.response?.body?.cancel();
      await sleep(decision.delayInMs);
    }
  }
}

/** The response, or the error of a connection that broke before one came; other errors propagate. */
async function sendOnce(next: Middleware, context: Context): Promise<{ readonly response?: Response; readonly brokenConnection?: Error }> {
  try {
    await next.execute(context);
    return context.response ? { response: context.response } : {};
  } catch (error) {
    if (error instanceof Error && isBrokenConnection(error)) return { brokenConnection: error };
    throw error;
  }
}

function countResponse(stats: GraphCallStats, status: number): void {
  stats.requests++;
  if (status === 429) stats.throttled++;
  if (status >= 500) stats.serverErrors++;
}
