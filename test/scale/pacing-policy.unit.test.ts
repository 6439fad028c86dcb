import { describe, expect, it } from "vitest";
import {
  availableAt,
  GRAPH_REQUEST_LIMITS,
  holdUntil,
  IDLE,
  paceClassOf,
  paceSchedules,
  reserve,
  scheduleFor,
  type PaceSchedule,
  type PaceState,
} from "../../shared/graph/pacing-policy.js";
import { conforms } from "./buckets.js";

const GRAPH = "https://graph.microsoft.com";

describe("paceClassOf", () => {
  it("counts users with signInActivity against sign-in activity and reports, as critical", () => {
    const url = `${GRAPH}/v1.0/users?$select=id,userPrincipalName,signInActivity&$top=500`;
    expect(paceClassOf("GET", url)).toEqual({ tenantLimits: ["signInActivity", "reports"], perApp: true, priority: "critical" });
    // nextLinks repeat the query; the SDK may percent-encode the $.
    expect(paceClassOf("GET", `${GRAPH}/v1.0/users?%24select=id%2CsignInActivity&%24skiptoken=abc`).tenantLimits).toEqual([
      "signInActivity",
      "reports",
    ]);
    expect(paceClassOf("GET", `${GRAPH}/beta/users?$filter=signInActivity/lastSignInDateTime le 2026-01-01T00:00:00Z`).perApp).toBe(true);
  });

  it("counts the registration report against the reports limits, beside the sign-in pages", () => {
    const url = `${GRAPH}/v1.0/reports/authenticationMethods/userRegistrationDetails?$top=999`;
    expect(paceClassOf("GET", url)).toEqual({ tenantLimits: ["reportsBesideSignIn", "reports"], perApp: true, priority: "normal" });
  });

  it("paces Conditional Access per tenant only", () => {
    expect(paceClassOf("GET", `${GRAPH}/v1.0/identity/conditionalAccess/policies`)).toEqual({
      tenantLimits: ["conditionalAccess"],
      perApp: false,
      priority: "normal",
    });
  });

  it("leaves identity reads, writes and $batch unpaced", () => {
    for (const [method, url] of [
      ["GET", `${GRAPH}/v1.0/users?$select=id,accountEnabled&$top=999`],
      ["GET", `${GRAPH}/v1.0/roleManagement/directory/roleAssignments?$expand=principal`],
      ["POST", `${GRAPH}/beta/$batch`],
      ["PATCH", `${GRAPH}/v1.0/users/abc`],
      ["GET", `${GRAPH}/v1.0/users/abc/authentication/methods`],
    ] as const) {
      expect(paceClassOf(method, url), `${method} ${url}`).toEqual({ tenantLimits: [], perApp: false, priority: "normal" });
    }
  });
});

describe("schedules", () => {
  it("plan each limit a little below Graph's rate and burst", () => {
    const s = paceSchedules();
    expect(s.signInActivity.burst).toBe(10); // one sequential stream per tenant: no reserve
    expect(s.signInActivity.intervalInMs).toBeCloseTo(6_000 * 1.02);
    expect(s.reports.burst).toBe(4);
    expect(s.reports.intervalInMs).toBeCloseTo(2_000 * 1.02);
    expect(s.conditionalAccess).toEqual({ intervalInMs: 1_020, burst: 1 });
    expect(s.reportsPerApp.burst).toBe(GRAPH_REQUEST_LIMITS.reportsPerApp.requests - 13);
  });

  it("scale windows with the time scale and the app-wide budget with the configured share", () => {
    const s = paceSchedules({ timeScale: 0.01, reportsPerAppPer10s: 61 });
    expect(s.signInActivity.intervalInMs).toBeCloseTo(61.2);
    expect(s.reportsPerApp.intervalInMs).toBeCloseTo((100 / 61) * 1.02);
  });

  it("leave the sign-in pages their share of the per-tenant reports limit", () => {
    const s = paceSchedules();
    const perSecond = (x: PaceSchedule) => 1_000 / x.intervalInMs;
    expect(perSecond(s.reportsBesideSignIn) + perSecond(s.signInActivity)).toBeCloseTo(perSecond(s.reports));
  });

  it("reject impossible limits", () => {
    expect(() => scheduleFor({ requests: 0, windowInMs: 1_000 })).toThrow(RangeError);
    expect(() => scheduleFor({ requests: 5, windowInMs: 1_000 }, { timeScale: 0 })).toThrow(RangeError);
  });
});

/** Sends `count` requests as early as the schedules allow, starting at `now`, and returns their start times. */
function schedule(schedules: readonly PaceSchedule[], count: number, now = 1_000_000): number[] {
  let states: readonly PaceState[] = schedules.map(() => IDLE);
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    const booked = reserve(
      schedules.map((schedule, j) => ({ schedule, state: states[j] ?? IDLE })),
      now,
    );
    starts.push(booked.startInMs);
    states = booked.states;
  }
  return starts;
}

describe("reserve", () => {
  it("lets a burst go at once, then spaces requests one interval apart", () => {
    const s: PaceSchedule = { intervalInMs: 100, burst: 3 };
    expect(schedule([s], 6, 0)).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it("stays within Graph's sign-in limit (10 a minute) and within 3 % of its floor for 200 pages", () => {
    const starts = schedule([paceSchedules().signInActivity], 200);
    expect(conforms(starts, GRAPH_REQUEST_LIMITS.signInActivityPerTenant)).toBe(true);
    // Sent late (a slow response, a busy event loop): still within the limit.
    expect(
      conforms(
        starts.map((t, i) => (i % 7 === 0 ? t + 4_000 : t)),
        GRAPH_REQUEST_LIMITS.signInActivityPerTenant,
      ),
    ).toBe(true);
    const elapsed = (starts.at(-1) ?? 0) - (starts[0] ?? 0);
    // Graph's floor: (200 − 10) pages × 6 s = 1,140 s. Pacing stays within its 2 % margin of it.
    expect(elapsed / 1_140_000).toBeGreaterThanOrEqual(1);
    expect(elapsed / 1_140_000).toBeLessThanOrEqual(1.021);
  });

  it("waits for the slowest of the request's limits and conforms to each", () => {
    const s = paceSchedules();
    const starts = schedule([s.signInActivity, s.reports], 40);
    // Reports allow 4 at once then one per 2.04 s; sign-in allows 10 then one per 6.12 s.
    expect(starts.slice(0, 4).every((t) => t === starts[0])).toBe(true);
    expect((starts[4] ?? 0) - (starts[0] ?? 0)).toBeCloseTo(2_040);
    expect((starts[39] ?? 0) - (starts[38] ?? 0)).toBeCloseTo(6_120);
    expect(conforms(starts, GRAPH_REQUEST_LIMITS.signInActivityPerTenant)).toBe(true);
    expect(conforms(starts, GRAPH_REQUEST_LIMITS.reportsPerTenant)).toBe(true);
  });

  it("keeps sign-in pages and report pages together within the per-tenant reports limit", () => {
    const s = paceSchedules();
    let signIn: readonly PaceState[] = [IDLE, IDLE];
    let report: readonly PaceState[] = [IDLE, IDLE];
    const starts: number[] = [];
    // Both streams ask as soon as they may: the shared `reports` state is the second entry of each.
    for (let i = 0; i < 60; i++) {
      const a = reserve(
        [
          { schedule: s.signInActivity, state: signIn[0] ?? IDLE },
          { schedule: s.reports, state: report[1] ?? IDLE },
        ],
        starts.at(-1) ?? 0,
      );
      signIn = [a.states[0] ?? IDLE, a.states[1] ?? IDLE];
      report = [report[0] ?? IDLE, a.states[1] ?? IDLE];
      const b = reserve(
        [
          { schedule: s.reportsBesideSignIn, state: report[0] ?? IDLE },
          { schedule: s.reports, state: report[1] ?? IDLE },
        ],
        a.startInMs,
      );
      report = [b.states[0] ?? IDLE, b.states[1] ?? IDLE];
      starts.push(a.startInMs, b.startInMs);
    }
    expect(conforms(starts, GRAPH_REQUEST_LIMITS.reportsPerTenant)).toBe(true);
  });

  it("books a later start without delaying a request that only needs another limit's slack", () => {
    const s: PaceSchedule = { intervalInMs: 1_000, burst: 1 };
    const first = reserve([{ schedule: s, state: IDLE }], 0);
    const second = reserve([{ schedule: s, state: first.states[0] ?? IDLE }], 0);
    expect([first.startInMs, second.startInMs]).toEqual([0, 1_000]);
    expect(availableAt(s, second.states[0] ?? IDLE)).toBe(2_000);
  });

  it("holds a limit until Retry-After has passed after a 429, then one at a time", () => {
    const s: PaceSchedule = { intervalInMs: 100, burst: 3 };
    const held = holdUntil(s, IDLE, 5_000);
    expect(availableAt(s, held)).toBe(5_000);
    expect(schedule([s], 1, 0)).toEqual([0]);
    const after = reserve([{ schedule: s, state: held }], 1_000);
    expect(after.startInMs).toBe(5_000);
    expect(availableAt(s, after.states[0] ?? IDLE)).toBe(5_100);
  });
});
