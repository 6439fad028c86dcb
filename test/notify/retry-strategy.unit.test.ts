import { describe, expect, it } from "vitest";
import { decideDelivery, type DeliveryRetryPolicy } from "../../shared/notify/retry-strategy.js";

const policy: DeliveryRetryPolicy = { maxAttempts: 4, baseDelayInMs: 1_000, maxDelayInMs: 10_000 };
const NOW = Date.parse("2026-12-05T10:00:00Z");
const answered = (status: number, retryAfter: string | null = null) => ({ kind: "answered", status, retryAfter }) as const;

describe("decideDelivery", () => {
  it("delivers on 2xx", () => {
    expect(decideDelivery(answered(200), 1, policy, NOW)).toEqual({ kind: "delivered" });
    expect(decideDelivery(answered(202), 3, policy, NOW)).toEqual({ kind: "delivered" });
  });

  it("retries 5xx, 408, 429 and no answer with doubling backoff, capped", () => {
    expect(decideDelivery(answered(500), 1, policy, NOW)).toMatchObject({ kind: "retry", delayInMs: 1_000 });
    expect(decideDelivery(answered(503), 2, policy, NOW)).toMatchObject({ kind: "retry", delayInMs: 2_000 });
    expect(decideDelivery(answered(408), 3, policy, NOW)).toMatchObject({ kind: "retry", delayInMs: 4_000 });
    expect(decideDelivery({ kind: "no-answer", reason: "timeout" }, 1, { ...policy, baseDelayInMs: 60_000 }, NOW)).toMatchObject({
      kind: "retry",
      delayInMs: 10_000,
    });
  });

  it("honours Retry-After in seconds or as a date, capped", () => {
    expect(decideDelivery(answered(429, "7"), 1, policy, NOW)).toMatchObject({ kind: "retry", delayInMs: 7_000 });
    expect(decideDelivery(answered(429, new Date(NOW + 3_000).toUTCString()), 1, policy, NOW)).toMatchObject({ delayInMs: 3_000 });
    expect(decideDelivery(answered(429, "3600"), 1, policy, NOW)).toMatchObject({ delayInMs: 10_000 });
  });

  it("gives up after the last attempt", () => {
    expect(decideDelivery(answered(500), 4, policy, NOW)).toEqual({ kind: "give-up", reason: "HTTP 500; gave up after 4 attempts" });
  });

  it("gives up at once on redirects, other 4xx and refusals", () => {
    expect(decideDelivery(answered(302), 1, policy, NOW)).toMatchObject({
      kind: "give-up",
      reason: "HTTP 302: redirects are not followed",
    });
    expect(decideDelivery(answered(401), 1, policy, NOW)).toMatchObject({ kind: "give-up" });
    expect(decideDelivery({ kind: "refused", reason: "private" }, 1, policy, NOW)).toEqual({ kind: "give-up", reason: "private" });
  });
});
