/**
 * After one delivery attempt: delivered, try again later, or give up. Pure, so every case is a
 * unit test. Retried: 408, 429 and 5xx answers, timeouts and network errors (the receiver may be
 * back soon); given up at once: a refused address or URL, a redirect (never followed: a receiver
 * that moved is reconfigured, not chased) and other 4xx answers (the receiver will not change its
 * mind); given up too after maxAttempts.
 */
import { parseRetryAfterInMs } from "../graph/retry-strategy.js";

export interface DeliveryRetryPolicy {
  /** Attempts before the delivery is dead (its message goes to the poison queue). */
  readonly maxAttempts: number;
  /** Wait after the first failed attempt; doubles each attempt. */
  readonly baseDelayInMs: number;
  /** No wait is longer, Retry-After included. */
  readonly maxDelayInMs: number;
}

export const DEFAULT_DELIVERY_RETRY: DeliveryRetryPolicy = {
  maxAttempts: 6,
  baseDelayInMs: 30_000,
  maxDelayInMs: 60 * 60_000,
};

export type AttemptResult =
  | { readonly kind: "answered"; readonly status: number; readonly retryAfter: string | null }
  /** Nothing was sent and sending again would not help (OutboundRefusedError). */
  | { readonly kind: "refused"; readonly reason: string }
  /** No answer: timeout, connection refused or reset, DNS failure. */
  | { readonly kind: "no-answer"; readonly reason: string };

export type DeliveryDecision =
  | { readonly kind: "delivered" }
  | { readonly kind: "retry"; readonly delayInMs: number; readonly reason: string }
  | { readonly kind: "give-up"; readonly reason: string };

export function decideDelivery(result: AttemptResult, attempt: number, policy: DeliveryRetryPolicy, nowInMs: number): DeliveryDecision {
  const verdict = classify(result);
  if (verdict.kind !== "retry") return verdict;
  if (attempt >= policy.maxAttempts) return { kind: "give-up", reason: `${verdict.reason}; gave up after ${attempt} attempts` };
  const told = result.kind === "answered" ? parseRetryAfterInMs(result.retryAfter, nowInMs) : undefined;
  const backoff = policy.baseDelayInMs * 2 ** (attempt - 1);
  return { kind: "retry", delayInMs: Math.min(told ?? backoff, policy.maxDelayInMs), reason: verdict.reason };
}

function classify(result: AttemptResult): DeliveryDecision | { readonly kind: "retry"; readonly reason: string } {
  switch (result.kind) {
    case "refused":
      return { kind: "give-up", reason: result.reason };
    case "no-answer":
      return { kind: "retry", reason: result.reason };
    case "answered": {
      const { status } = result;
      if (status >= 200 && status < 300) return { kind: "delivered" };
      if (status === 408 || status === 429 || status >= 500) return { kind: "retry", reason: `HTTP ${status}` };
      if (status >= 300 && status < 400) return { kind: "give-up", reason: `HTTP ${status}: redirects are not followed` };
      return { kind: "give-up", reason: `HTTP ${status}` };
    }
  }
}
