import { describe, expect, it } from "vitest";
import { csv } from "../../shared/reports/csv.js";
import { summarize, withTrendPoint } from "../../shared/reports/summary.js";
import type { Acceptance, StoredFinding } from "../../shared/model/stored.js";
import { TREND_RUNS } from "../../shared/model/summary.js";
import { CONTROL_IDS } from "../../shared/model/findings.js";

const NOW = new Date("2026-12-01T02:00:00Z");
const RUN = "20261201T020000.000Z";

const finding = (overrides: Partial<StoredFinding> = {}): StoredFinding => ({
  control: "accounts.inactive-90",
  subjectId: "user-1",
  status: "fail",
  severity: "medium",
  detail: {},
  firstSeen: NOW,
  lastSeen: NOW,
  resolvedAt: null,
  lastRunId: RUN,
  ...overrides,
});

const acceptance = (subjectId: string): Acceptance => ({
  tenantId: "t",
  control: "accounts.inactive-90",
  subjectId,
  reason: "why",
  acceptedBy: "a",
  acceptedAt: NOW,
  expiresAt: new Date(NOW.getTime() + 86_400_000),
});

const summary = (findings: StoredFinding[], acceptances: Acceptance[] = []) =>
  summarize({ tenantId: "t", findings, acceptances, lastRun: null, changes: {}, trend: [], now: NOW });

describe("summarize", () => {
  it("counts open findings, leaves accepted and resolved ones out, and says why a control is unknown", () => {
    const s = summary(
      [
        finding(),
        finding({ subjectId: "user-2" }),
        finding({ subjectId: "user-3", status: "pass", resolvedAt: NOW }),
        finding({ control: "mfa.admins", subjectId: null, status: "unknown", severity: "high", detail: { reason: "license" } }),
      ],
      [acceptance("user-2")],
    );
    expect(s.open).toBe(2);
    expect(s.accepted).toBe(1);
    expect(s.openBySeverity).toEqual({ high: 1, medium: 1, low: 0 });
    expect(s.controls["accounts.inactive-90"]).toEqual({ state: "fail", open: 1, accepted: 1, reason: null });
    expect(s.controls["mfa.admins"]).toMatchObject({ state: "unknown", reason: "license" });
  });

  it("a control whose every open finding is accepted reads accepted, and scores as passing", () => {
    const failing = summary([finding()]);
    const accepted = summary([finding()], [acceptance("user-1")]);
    expect(accepted.controls["accounts.inactive-90"].state).toBe("accepted");
    expect(accepted.score).toBeGreaterThan(failing.score ?? 0);
    expect(accepted.score).toBe(100);
  });

  it("scores only what was judged: nothing found is 100, nothing judged is no score", () => {
    expect(summary([]).score).toBe(100);
    const unknownEverywhere = CONTROL_IDS.map((control) => finding({ control, subjectId: null, status: "unknown" }));
    expect(summary(unknownEverywhere).score).toBeNull();
  });
});

describe("withTrendPoint", () => {
  it("keeps the last runs in order, and a retried run replaces its own point", () => {
    let trend = [] as ReturnType<typeof withTrendPoint>;
    for (let i = 0; i < TREND_RUNS + 5; i++) {
      trend = withTrendPoint(trend, { runId: `202612${String(i + 1).padStart(2, "0")}T020000.000Z`, asOf: "", open: i });
    }
    expect(trend).toHaveLength(TREND_RUNS);
    expect(trend.at(-1)?.open).toBe(TREND_RUNS + 4);
    const retried = withTrendPoint(trend, { ...trend.at(-1)!, open: 0 });
    expect(retried).toHaveLength(TREND_RUNS);
    expect(retried.at(-1)?.open).toBe(0);
  });
});

describe("csv", () => {
  it("neutralises formula starts and quotes what needs it", () => {
    expect(csv([["=1+1", "+x", "-2", "@SUM(A1)", "\tcmd", "plain", 'a "b", c']])).toBe(
      `'=1+1,'+x,'-2,'@SUM(A1),'\tcmd,plain,"a ""b"", c"\r\n`,
    );
    expect(csv([["line\nbreak"]])).toBe('"line\nbreak"\r\n');
  });
});
