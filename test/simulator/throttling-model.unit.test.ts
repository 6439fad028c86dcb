/** The throttling model on its own: bucket arithmetic, limits, time scale (deterministic clock). */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../dev/simulator/index.js";
import { identityCapacity } from "../../dev/simulator/throttling/limits.js";
import { ThrottleModel } from "../../dev/simulator/throttling/throttle-model.js";
import { TokenBucket } from "../../dev/simulator/throttling/token-bucket.js";

const subject = { tenantId: "t1", userCount: 1000, appId: "app" };

describe("TokenBucket", () => {
  it("refills continuously at capacity per window and reports the wait for a cost", () => {
    const bucket = new TokenBucket(10, 10, 0);
    for (let i = 0; i < 10; i++) bucket.take(1, 0);
    expect(bucket.waitFor(1, 0)).toBeCloseTo(1);
    expect(bucket.waitFor(3, 1)).toBeCloseTo(2);
    expect(bucket.waitFor(1, 1)).toBe(0);
    expect(bucket.minimalElapsedSeconds()).toBe(0);
    bucket.take(5, 5);
    expect(bucket.minimalElapsedSeconds()).toBeCloseTo(5);
  });
});

describe("ThrottleModel", () => {
  it("sizes the identity bucket by tenant size", () => {
    expect([identityCapacity(49), identityCapacity(50), identityCapacity(500), identityCapacity(501)]).toEqual([
      3_500, 5_000, 5_000, 8_000,
    ]);
  });

  it("refuses the 3,001st write in 150 s with WriteLimitExceeded and a Retry-After", () => {
    const model = new ThrottleModel({ enabled: true, timeScale: 1 }, new ManualClock());
    const write = { resourceUnits: 1, kinds: ["resourceUnits", "writes"] as const };
    for (let i = 0; i < 3_000; i++) expect(model.decide(subject, write).allowed).toBe(true);
    const refused = model.decide(subject, write);
    expect(refused).toMatchObject({
      allowed: false,
      information: "WriteLimitExceeded",
      scope: "Tenant_Application/ReadWrite/app/t1",
      retryAfterSeconds: 0.05,
    });
  });

  it("takes nothing from any bucket when one limit refuses", () => {
    const clock = new ManualClock();
    const model = new ThrottleModel({ enabled: true, timeScale: 1 }, clock);
    const report = { resourceUnits: 1, kinds: ["resourceUnits", "reports", "signInActivity"] as const };
    for (let i = 0; i < 5; i++) model.decide(subject, report);
    expect(model.decide(subject, report).allowed).toBe(false);
    const signIn = model.stats("t1").limits.find((l) => l.limitId === "sign-in-activity-tenant");
    expect(signIn?.consumed).toBe(5);
  });

  it("scales windows and Retry-After with the time scale", () => {
    const clock = new ManualClock();
    const model = new ThrottleModel({ enabled: true, timeScale: 0.01 }, clock);
    const ca = { resourceUnits: 1, kinds: ["conditionalAccess"] as const };
    const reports = { resourceUnits: 1, kinds: ["reports"] as const };
    expect(model.decide(subject, ca).allowed).toBe(true);
    const refused = model.decide(subject, ca);
    expect(refused.allowed).toBe(false);
    expect("retryAfterSeconds" in refused).toBe(false); // Conditional Access 429s carry no Retry-After
    clock.advance(10); // 1 s simulated
    expect(model.decide(subject, ca).allowed).toBe(true);
    for (let i = 0; i < 5; i++) model.decide(subject, reports);
    expect(model.decide(subject, reports)).toMatchObject({ allowed: false, retryAfterSeconds: 0.02 });
  });

  it("counts consumption while disabled, so the minimal wait still means something", () => {
    const model = new ThrottleModel({ enabled: false, timeScale: 0.5 }, new ManualClock());
    for (let i = 0; i < 9; i++) expect(model.decide(subject, { resourceUnits: 1, kinds: ["reports"] }).allowed).toBe(true);
    // 9 requests against 5 per 10 s: 4 more tokens at 0.5/s = 8 s simulated = 4 s real.
    expect(model.stats("t1").minimalWaitMs).toBeCloseTo(4_000);
    expect(model.stats("t1").throttled).toBe(0);
  });

  it("rejects a time scale that would stop time", () => {
    expect(() => new ThrottleModel({ enabled: true, timeScale: 0 }, new ManualClock())).toThrow(RangeError);
  });
});
