/** Acceptances and TenantSummaries on Azurite: one acceptance per finding, races, expiry, conditional removal; summaries round-trip. */
import { describe, expect, it } from "vitest";
import type { Acceptance } from "../../shared/model/stored.js";
import { summarize } from "../../shared/reports/summary.js";
import { TableAcceptancesRepository } from "../../shared/storage/acceptances.js";
import { TableSummariesRepository } from "../../shared/storage/summaries.js";
import { testStore } from "./store.js";

const TENANT = "aaaaaaaa-0000-4000-8000-00000000000a";
const NOW = new Date("2026-12-01T10:00:00Z");
const DAY = 86_400_000;

const acceptance = (overrides: Partial<Acceptance> = {}): Acceptance => ({
  tenantId: TENANT,
  control: "accounts.inactive-90",
  subjectId: "user/with#odd?chars",
  reason: "kept for the auditors",
  acceptedBy: "analyst@msp.example",
  acceptedAt: NOW,
  expiresAt: new Date(NOW.getTime() + 30 * DAY),
  ...overrides,
});

describe("TableAcceptancesRepository", () => {
  it("stores one acceptance per finding; a second is refused while the first holds, and replaces it once expired", async () => {
    const acceptances = new TableAcceptancesRepository(testStore());
    expect(await acceptances.accept(acceptance(), NOW)).toEqual({ outcome: "accepted" });
    const again = await acceptances.accept(acceptance({ acceptedBy: "someone else" }), NOW);
    expect(again).toMatchObject({ outcome: "already-accepted", existing: { acceptedBy: "analyst@msp.example" } });
    const later = new Date(NOW.getTime() + 31 * DAY);
    expect(
      await acceptances.accept(acceptance({ acceptedBy: "renewer", acceptedAt: later, expiresAt: new Date(later.getTime() + DAY) }), later),
    ).toEqual({
      outcome: "accepted",
    });
    const stored = await acceptances.listForTenant(TENANT);
    expect(stored.map((s) => s.acceptance)).toEqual([
      acceptance({ acceptedBy: "renewer", acceptedAt: later, expiresAt: new Date(later.getTime() + DAY) }),
    ]);
  });

  it("of 10 concurrent accepts of one finding exactly one wins", async () => {
    const acceptances = new TableAcceptancesRepository(testStore());
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => acceptances.accept(acceptance({ acceptedBy: `person ${i}` }), NOW)),
    );
    expect(outcomes.filter((o) => o.outcome === "accepted")).toHaveLength(1);
    expect(await acceptances.listForTenant(TENANT)).toHaveLength(1);
  });

  it("removes only the acceptance it read (a renewed one stays)", async () => {
    const acceptances = new TableAcceptancesRepository(testStore());
    await acceptances.accept(acceptance({ expiresAt: new Date(NOW.getTime() + DAY) }), NOW);
    const read = (await acceptances.get(TENANT, "accounts.inactive-90", "user/with#odd?chars"))!;
    const later = new Date(NOW.getTime() + 2 * DAY);
    await acceptances.accept(acceptance({ acceptedAt: later, expiresAt: new Date(later.getTime() + DAY) }), later);
    expect(await acceptances.remove(TENANT, read)).toBe(false);
    const renewed = (await acceptances.get(TENANT, "accounts.inactive-90", "user/with#odd?chars"))!;
    expect(await acceptances.remove(TENANT, renewed)).toBe(true);
    expect(await acceptances.listForTenant(TENANT)).toEqual([]);
  });
});

describe("TableSummariesRepository", () => {
  it("round-trips a summary and lists every tenant's", async () => {
    const summaries = new TableSummariesRepository(testStore());
    const summary = summarize({
      tenantId: TENANT,
      findings: [],
      acceptances: [],
      lastRun: { runId: "20261201T020000.000Z", status: "completed", reason: null, asOf: NOW.toISOString(), finishedAt: NOW.toISOString() },
      changes: { new: 1 },
      trend: [{ runId: "20261201T020000.000Z", asOf: NOW.toISOString(), open: 3 }],
      now: NOW,
    });
    await summaries.put(summary);
    expect(await summaries.get(TENANT)).toEqual(summary);
    expect(await summaries.list()).toEqual([summary]);
    expect(await summaries.get("bbbbbbbb-0000-4000-8000-00000000000b")).toBeUndefined();
  });
});
