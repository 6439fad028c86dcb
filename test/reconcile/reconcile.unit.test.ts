import { describe, expect, it } from "vitest";
import type { FindingRow } from "../../shared/model/findings.js";
import type { StoredFinding } from "../../shared/model/stored.js";
import { reconcile, type ReconcileInput } from "../../shared/reconcile/reconcile.js";
import { runIdAt } from "../../shared/storage/keys.js";

const TENANT = "6f1c2b1e-0000-4000-8000-000000000001";
const EARLIER = new Date("2025-03-01T02:00:00Z");
const AS_OF = new Date("2025-03-02T02:00:00Z");
const PREVIOUS_RUN = runIdAt(EARLIER);
const RUN = runIdAt(AS_OF);

/** Known-good defaults; each test changes only what it is about. */
function row(overrides: Partial<FindingRow> = {}): FindingRow {
  return { control: "mfa.admins", subjectId: "user-1", status: "fail", severity: "high", detail: { mfa: false }, ...overrides };
}

function stored(overrides: Partial<StoredFinding> = {}): StoredFinding {
  return {
    control: "mfa.admins",
    subjectId: "user-1",
    status: "fail",
    severity: "high",
    detail: { mfa: false },
    firstSeen: EARLIER,
    lastSeen: EARLIER,
    resolvedAt: null,
    lastRunId: PREVIOUS_RUN,
    ...overrides,
  };
}

function run(input: Partial<ReconcileInput>) {
  return reconcile({ tenantId: TENANT, runId: RUN, asOf: AS_OF, stored: [], rows: [], scanComplete: true, ...input });
}

/** What the findings table holds after writing `upserts` over `before`. */
function afterWrite(before: readonly StoredFinding[], upserts: readonly StoredFinding[]): StoredFinding[] {
  const table = new Map(before.map((f) => [`${f.control}|${f.subjectId}`, f]));
  for (const f of upserts) table.set(`${f.control}|${f.subjectId}`, f);
  return [...table.values()];
}

describe("reconcile: a row that was not stored", () => {
  it("inserts an open row with firstSeen = lastSeen = asOf and a `new` event", () => {
    const { upserts, events } = run({ rows: [row()] });
    expect(upserts).toEqual([stored({ firstSeen: AS_OF, lastSeen: AS_OF, lastRunId: RUN })]);
    expect(events).toEqual([
      { runId: RUN, control: "mfa.admins", subjectId: "user-1", event: "new", statusBefore: null, statusAfter: "fail", at: AS_OF },
    ]);
  });

  it("treats `unknown` as open", () => {
    const { events } = run({ rows: [row({ subjectId: null, status: "unknown" })] });
    expect(events.map((e) => [e.event, e.statusAfter])).toEqual([["new", "unknown"]]);
  });

  it.each(["pass", "not-applicable"] as const)("inserts a %s row without an event", (status) => {
    const { upserts, events } = run({ rows: [row({ subjectId: null, status })] });
    expect(upserts).toEqual([stored({ subjectId: null, status, firstSeen: AS_OF, lastSeen: AS_OF, lastRunId: RUN })]);
    expect(events).toEqual([]);
  });
});

describe("reconcile: a row that was stored", () => {
  it("refreshes a still-open finding without an event, keeping firstSeen", () => {
    const { upserts, events } = run({
      stored: [stored()],
      rows: [row({ severity: "medium", detail: { mfa: false, methods: 0 } })],
    });
    expect(upserts).toEqual([stored({ severity: "medium", detail: { mfa: false, methods: 0 }, lastSeen: AS_OF, lastRunId: RUN })]);
    expect(events).toEqual([]);
  });

  it("records `changed` when an open finding moves between fail and unknown", () => {
    const { upserts, events } = run({ stored: [stored()], rows: [row({ status: "unknown" })] });
    expect(upserts[0]?.status).toBe("unknown");
    expect(events.map((e) => [e.event, e.statusBefore, e.statusAfter])).toEqual([["changed", "fail", "unknown"]]);
  });

  it.each(["pass", "not-applicable"] as const)("resolves an open finding whose row is now %s", (status) => {
    const before = stored({ subjectId: null, status: "unknown" });
    const { upserts, events } = run({ stored: [before], rows: [row({ subjectId: null, status })] });
    expect(upserts).toEqual([{ ...before, status, lastSeen: AS_OF, resolvedAt: AS_OF, lastRunId: RUN }]);
    expect(events.map((e) => [e.event, e.statusBefore, e.statusAfter])).toEqual([["resolved", "unknown", status]]);
  });

  it("reopens a resolved finding: clears resolvedAt, keeps firstSeen", () => {
    const before = stored({ status: "pass", resolvedAt: EARLIER });
    const { upserts, events } = run({ stored: [before], rows: [row()] });
    expect(upserts).toEqual([{ ...before, status: "fail", lastSeen: AS_OF, resolvedAt: null, lastRunId: RUN }]);
    expect(events.map((e) => [e.event, e.statusBefore, e.statusAfter])).toEqual([["reopened", "pass", "fail"]]);
  });

  it("keeps resolvedAt of a resolved finding that still passes, without an event", () => {
    const before = stored({ subjectId: null, status: "pass", resolvedAt: EARLIER });
    const { upserts, events } = run({ stored: [before], rows: [row({ subjectId: null, status: "pass" })] });
    expect(upserts).toEqual([{ ...before, lastSeen: AS_OF, lastRunId: RUN }]);
    expect(events).toEqual([]);
  });

  it("records `new` when a finding that always passed starts failing", () => {
    const before = stored({ subjectId: null, status: "pass" });
    const { upserts, events } = run({ stored: [before], rows: [row({ subjectId: null })] });
    expect(upserts[0]?.firstSeen).toEqual(EARLIER);
    expect(events.map((e) => [e.event, e.statusBefore])).toEqual([["new", "pass"]]);
  });
});

describe("reconcile: a stored open finding without a row", () => {
  it("is resolved by a complete scan: status pass, resolvedAt = asOf, lastSeen kept", () => {
    const before = stored();
    const { upserts, events } = run({ stored: [before] });
    expect(upserts).toEqual([{ ...before, status: "pass", resolvedAt: AS_OF, lastRunId: RUN }]);
    expect(events).toEqual([
      { runId: RUN, control: "mfa.admins", subjectId: "user-1", event: "resolved", statusBefore: "fail", statusAfter: "pass", at: AS_OF },
    ]);
  });

  it("is left untouched by a partial scan", () => {
    const { upserts, events } = run({ stored: [stored(), stored({ control: "apps.user-consent", subjectId: null })], scanComplete: false });
    expect(upserts).toEqual([]);
    expect(events).toEqual([]);
  });

  it("a partial scan still applies the rows it has, including explicit passes", () => {
    const { events } = run({
      stored: [stored(), stored({ control: "apps.user-consent", subjectId: null })],
      rows: [row({ control: "apps.user-consent", subjectId: null, status: "pass" })],
      scanComplete: false,
    });
    expect(events.map((e) => [e.control, e.event])).toEqual([["apps.user-consent", "resolved"]]);
  });

  it("is left untouched when its control reports a tenant-level unknown; other controls resolve", () => {
    const blocked = stored({ control: "mfa.admins", subjectId: "user-1" });
    const other = stored({ control: "accounts.inactive-90", subjectId: "user-2" });
    const { upserts, events } = run({
      stored: [blocked, other],
      rows: [row({ control: "mfa.admins", subjectId: null, status: "unknown" })],
    });
    expect(upserts.map((f) => [f.control, f.subjectId, f.status])).toEqual([
      ["mfa.admins", null, "unknown"],
      ["accounts.inactive-90", "user-2", "pass"],
    ]);
    expect(events.map((e) => [e.control, e.subjectId, e.event])).toEqual([
      ["mfa.admins", null, "new"],
      ["accounts.inactive-90", "user-2", "resolved"],
    ]);
  });

  it("is not blocked by a subject-level unknown of the same control", () => {
    const { events } = run({ stored: [stored()], rows: [row({ subjectId: "user-9", status: "unknown" })] });
    expect(events.map((e) => [e.subjectId, e.event])).toEqual([
      ["user-9", "new"],
      ["user-1", "resolved"],
    ]);
  });

  it("leaves already resolved or passing findings alone", () => {
    const { upserts, events } = run({
      stored: [stored({ status: "pass", resolvedAt: EARLIER }), stored({ subjectId: null, status: "not-applicable" })],
    });
    expect(upserts).toEqual([]);
    expect(events).toEqual([]);
  });
});

describe("reconcile: runs out of order and bad input", () => {
  it("does not touch a finding written by a later run", () => {
    const later = runIdAt(new Date("2025-03-03T02:00:00Z"));
    const { upserts, events } = run({
      stored: [stored({ lastRunId: later }), stored({ subjectId: "user-2", lastRunId: later })],
      rows: [row({ status: "pass" })],
    });
    expect(upserts).toEqual([]);
    expect(events).toEqual([]);
  });

  it("rejects two rows for the same (control, subject)", () => {
    expect(() => run({ rows: [row(), row({ status: "unknown" })] })).toThrow(RangeError);
  });
});

describe("reconcile: idempotence", () => {
  const storedBefore = [
    stored({ subjectId: "open-still" }),
    stored({ subjectId: "open-gone" }),
    stored({ subjectId: "open-to-unknown" }),
    stored({ subjectId: "resolved-back", status: "pass", resolvedAt: EARLIER }),
    stored({ control: "apps.user-consent", subjectId: null, status: "fail" }),
  ];
  const rows = [
    row({ subjectId: "open-still" }),
    row({ subjectId: "open-to-unknown", status: "unknown" }),
    row({ subjectId: "resolved-back" }),
    row({ subjectId: "brand-new" }),
    row({ control: "apps.user-consent", subjectId: null, status: "pass" }),
  ];

  it("a second reconcile of the same run against what the first wrote changes nothing", () => {
    const first = run({ stored: storedBefore, rows });
    expect(first.events.map((e) => `${e.subjectId}:${e.event}`).sort()).toEqual([
      "brand-new:new",
      "null:resolved",
      "open-gone:resolved",
      "open-to-unknown:changed",
      "resolved-back:reopened",
    ]);
    const written = afterWrite(storedBefore, first.upserts);

    const second = run({ stored: written, rows });
    expect(second.events).toEqual([]);
    expect(afterWrite(written, second.upserts)).toEqual(written);
  });

  it("a retry against the state before the first write repeats exactly the same events", () => {
    expect(run({ stored: storedBefore, rows })).toEqual(run({ stored: storedBefore, rows }));
  });
});
