import { describe, expect, it } from "vitest";
import { decideRetry, parseRetryAfterInMs, type RetryInput } from "../../shared/graph/retry-strategy.js";

const base: RetryInput = { attempt: 0, status: 429, method: "GET", retryAfter: null, nowInMs: 1_000_000, jitter: 0 };

describe("decideRetry", () => {
  it("waits what Retry-After says, in seconds or fractions", () => {
    expect(decideRetry({ ...base, retryAfter: "10" })).toEqual({ retry: true, delayInMs: 10_000 });
    expect(decideRetry({ ...base, retryAfter: "2.128" })).toEqual({ retry: true, delayInMs: 2_128 });
  });

  it("reads an HTTP-date Retry-After relative to now", () => {
    const at = new Date(base.nowInMs + 5_000).toUTCString();
    const decision = decideRetry({ ...base, retryAfter: at });
    expect(decision.retry && decision.delayInMs).toBeGreaterThan(3_999);
    expect(decision.retry && decision.delayInMs).toBeLessThanOrEqual(5_000);
  });

  it("backs off exponentially when Graph sends no Retry-After (Conditional Access)", () => {
    const delays = [0, 1, 2].map((attempt) => decideRetry({ ...base, attempt }, { baseDelayInMs: 100 }));
    expect(delays).toEqual([
      { retry: true, delayInMs: 100 },
      { retry: true, delayInMs: 200 },
      { retry: true, delayInMs: 400 },
    ]);
  });

  it("scales its own backoff but not Graph's Retry-After", () => {
    expect(decideRetry(base, { baseDelayInMs: 1_000, backoffScale: 0.01 })).toEqual({ retry: true, delayInMs: 10 });
    expect(decideRetry({ ...base, retryAfter: "1" }, { backoffScale: 0.01 })).toEqual({ retry: true, delayInMs: 1_000 });
  });

  it("retries 503/504 for reads only, because a write may have happened", () => {
    expect(decideRetry({ ...base, status: 503, retryAfter: "1" }).retry).toBe(true);
    expect(decideRetry({ ...base, status: 504, method: "GET" }).retry).toBe(true);
    expect(decideRetry({ ...base, status: 503, method: "POST" }).retry).toBe(false);
    expect(decideRetry({ ...base, status: 429, method: "PATCH" }).retry).toBe(true);
  });

  it("does not retry other statuses and stops after maxRetries", () => {
    expect(decideRetry({ ...base, status: 500 }).retry).toBe(false);
    expect(decideRetry({ ...base, status: 403 }).retry).toBe(false);
    expect(decideRetry({ ...base, attempt: 3 }, { maxRetries: 3 }).retry).toBe(false);
  });

  it("caps any wait at maxDelayInMs", () => {
    expect(decideRetry({ ...base, retryAfter: "3600" }, { maxDelayInMs: 60_000 })).toEqual({ retry: true, delayInMs: 60_000 });
  });
});

describe("parseRetryAfterInMs", () => {
  it("ignores empty and unparseable values", () => {
    expect(parseRetryAfterInMs(null, 0)).toBeUndefined();
    expect(parseRetryAfterInMs("", 0)).toBeUndefined();
    expect(parseRetryAfterInMs("soon", 0)).toBeUndefined();
  });
});
