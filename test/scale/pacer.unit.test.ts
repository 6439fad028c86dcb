import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Pacer, sharedPacer } from "../../shared/graph/pacer.js";
import { GRAPH_REQUEST_LIMITS, paceClassOf } from "../../shared/graph/pacing-policy.js";
import { conforms } from "./buckets.js";

const SIGN_IN = paceClassOf("GET", "https://graph.microsoft.com/v1.0/users?$select=id,signInActivity&$top=500");
const REPORT = paceClassOf("GET", "https://graph.microsoft.com/v1.0/reports/authenticationMethods/userRegistrationDetails");
const A = "tenant-a";
const B = "tenant-b";

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

/** Starts `acquire` calls and records when each one may send. */
function track(pacer: Pacer, calls: readonly (readonly [string, typeof REPORT])[]): number[] {
  const starts: number[] = [];
  calls.forEach(([tenant, pace], i) => void pacer.acquire(tenant, pace).then(() => (starts[i] = Date.now())));
  return starts;
}

describe("Pacer", () => {
  it("shares the app-wide reports budget between tenants", async () => {
    // 10 per 10 s for the whole app: 9 at once, then one per 1.02 s, whoever asks.
    const pacer = new Pacer({ reportsPerAppPer10s: 10 });
    const calls = Array.from({ length: 12 }, (_, i) => [i % 2 === 0 ? A : B, REPORT] as const);
    const starts = track(pacer, calls);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(starts.filter((t) => t !== undefined)).toHaveLength(12);
    expect(conforms(starts, { requests: 10, windowInMs: 10_000 })).toBe(true);
    for (const tenant of [0, 1])
      expect(
        conforms(
          starts.filter((_, i) => i % 2 === tenant),
          GRAPH_REQUEST_LIMITS.reportsPerTenant,
        ),
      ).toBe(true);
  });

  it("serves sign-in pages before other reports waiting for the app-wide budget", async () => {
    const pacer = new Pacer({ reportsPerAppPer10s: 2 });
    // Budget of 2 per 10 s: one at a time (burst 1), every 5.1 s.
    const starts = track(pacer, [
      [A, REPORT],
      [A, REPORT],
      [B, REPORT],
      [B, SIGN_IN],
    ]);
    await vi.advanceTimersByTimeAsync(60_000);
    const order = starts
      .map((t, i) => [t, i] as const)
      .sort((x, y) => x[0] - y[0])
      .map(([, i]) => i);
    expect(order.indexOf(3)).toBeLessThan(order.indexOf(2));
  });

  it("keeps each tenant within its own limit when the app-wide budget held its requests back", async () => {
    // Tenant B's sign-in pages take the app-wide budget first; tenant A's reports wait behind them
    // and must not reach Graph in one bunch once the app-wide budget frees.
    const pacer = new Pacer();
    const others = 300;
    const calls = [
      ...Array.from({ length: others }, (_, i) => [`tenant-${i}`, SIGN_IN] as const),
      ...Array.from({ length: 8 }, () => [A, REPORT] as const),
    ];
    const starts = track(pacer, calls);
    await vi.advanceTimersByTimeAsync(120_000);
    const startsOfA = starts.slice(others);
    expect(startsOfA.filter((t) => t !== undefined)).toHaveLength(8);
    expect(conforms(startsOfA, GRAPH_REQUEST_LIMITS.reportsPerTenant)).toBe(true);
    expect(conforms(starts, GRAPH_REQUEST_LIMITS.reportsPerApp)).toBe(true);
  });

  it("starts a full bucket's count when the first request was answered, so a slow first page costs no 429 later", async () => {
    const pacer = new Pacer();
    const firstPageLatencyInMs = 2_000;
    // Sign-in pages one after the other; Graph counts the first only when it arrives, here just before its answer.
    const arrivals: number[] = [];
    const pages = (async () => {
      for (let page = 0; page < 16; page++) {
        const grant = await pacer.acquire(A, SIGN_IN);
        if (page === 0) await new Promise((resolve) => setTimeout(resolve, firstPageLatencyInMs));
        arrivals.push(Date.now());
        grant.answered(Date.now());
      }
    })();
    await vi.advanceTimersByTimeAsync(200_000);
    await pages;
    expect(conforms(arrivals, GRAPH_REQUEST_LIMITS.signInActivityPerTenant)).toBe(true);
    expect(conforms(arrivals, GRAPH_REQUEST_LIMITS.reportsPerTenant)).toBe(true);
  });

  it("carries a tenant's schedule to another pacer (a scan continued elsewhere keeps its pace)", async () => {
    const first = new Pacer();
    track(
      first,
      Array.from({ length: 10 }, () => [A, SIGN_IN] as const),
    );
    await vi.advanceTimersByTimeAsync(13_000); // the sign-in burst is spent
    const pages = Array.from({ length: 3 }, () => [A, SIGN_IN] as const);

    const continued = new Pacer();
    continued.importTenant(A, first.exportTenant(A));
    const fresh = new Pacer();
    const startsContinued = track(continued, pages);
    const startsFresh = track(fresh, pages);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(startsFresh.filter((t) => t !== undefined)).toHaveLength(3);
    expect(startsContinued.filter((t) => t !== undefined)).toHaveLength(2);
  });

  it("holds a tenant's limits after a 429 until Retry-After", async () => {
    const pacer = new Pacer();
    pacer.hold(A, REPORT, Date.now() + 30_000);
    const starts = track(pacer, [
      [A, REPORT],
      [B, REPORT],
    ]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(starts[1]).toBe(1_000_000); // another tenant is not held back
    expect(starts[0]).toBeUndefined();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(starts[0]).toBe(1_030_000);
  });

  it("is one per app and options in a process", () => {
    expect(sharedPacer("app-1", { timeScale: 0.5 })).toBe(sharedPacer("app-1", { timeScale: 0.5 }));
    expect(sharedPacer("app-1", { timeScale: 0.5 })).not.toBe(sharedPacer("app-2", { timeScale: 0.5 }));
  });
});
