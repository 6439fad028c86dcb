import { describe, expect, it } from "vitest";
import { decideRetry, isBrokenConnection, NO_RESPONSE, parseRetryAfterInMs, type RetryInput } from "../../shared/graph/retry-strategy.js";

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

describe("a request whose connection broke before an answer", () => {
  it("is sent again when it is a read, never when it is a write", () => {
    expect(decideRetry({ ...base, status: NO_RESPONSE }, { baseDelayInMs: 100 })).toEqual({ retry: true, delayInMs: 100 });
    expect(decideRetry({ ...base, status: NO_RESPONSE, method: "PATCH" })).toEqual({ retry: false });
    expect(decideRetry({ ...base, status: NO_RESPONSE, attempt: 6 })).toEqual({ retry: false });
  });

  it("is told apart by its socket error, also inside fetch's TypeError", () => {
    const socketError = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    expect(isBrokenConnection(new TypeError("fetch failed", { cause: socketError }))).toBe(true);
    expect(isBrokenConnection(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))).toBe(true);
    expect(isBrokenConnection(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }))).toBe(false);
    expect(isBrokenConnection(new TypeError("fetch failed"))).toBe(false);
    expect(isBrokenConnection("EPIPE")).toBe(false);
  });
});
