import { describe, expect, it } from "vitest";
import type { Approval } from "../../shared/model/approval.js";
import { TableApprovalsRepository } from "../../shared/storage/approvals.js";
import { TableDigestsRepository } from "../../shared/storage/digests.js";
import { DETAIL_TRUNCATED_KEY } from "../../shared/model/evidence.js";
import { testStore } from "../storage/store.js";
import { pendingApproval } from "./builders.js";

const TENANT = "11111111-1111-4111-8111-111111111111";
const RUN = "20261128T020000.000Z";
const CREATED = new Date("2026-11-28T02:05:00Z");
const EXPIRES = new Date("2026-12-01T02:05:00Z");

function approval(approvalId: string, overrides: Partial<Approval> = {}): Approval {
  return pendingApproval({
    tenantId: TENANT,
    approvalId,
    runId: RUN,
    control: "accounts.inactive-90",
    subjectId: `user-${approvalId}`,
    evidence: { userPrincipalName: "bobby@contoso.com", displayName: '<img src=x onerror=alert(1)> "Bobby"', daysInactive: 120 },
    createdAt: CREATED,
    expiresAt: EXPIRES,
    ...overrides,
  });
}

/** A repository whose clock reads `at` (mutable per test). */
function repository(at = { now: new Date("2026-11-28T03:00:00Z") }) {
  return { approvals: new TableApprovalsRepository(testStore(), { now: () => at.now }), at };
}

describe("TableApprovalsRepository", () => {
  it("round-trips a request; a second createIfAbsent returns the stored one untouched", async () => {
    const { approvals } = repository();
    const first = approval("a1");
    expect(await approvals.createIfAbsent(first)).toEqual({ created: true, approval: first });
    expect(await approvals.get(TENANT, "a1")).toEqual(first);
    const again = await approvals.createIfAbsent({ ...first, evidence: { changed: true } });
    expect(again).toEqual({ created: false, approval: first });
    expect(await approvals.get(TENANT, "missing")).toBeUndefined();
  });

  it("keeps a null subject and refuses to create a request that is not pending", async () => {
    const { approvals } = repository();
    const tenantLevel = approval("a2", { control: "apps.user-consent", action: "disable-user-consent", subjectId: null });
    await approvals.createIfAbsent(tenantLevel);
    expect((await approvals.get(TENANT, "a2"))?.subjectId).toBeNull();
    await expect(approvals.createIfAbsent(approval("a3", { state: "approved" }))).rejects.toThrow(RangeError);
  });

  it("stores oversized evidence as a truncation marker", async () => {
    const { approvals } = repository();
    const big = approval("big", { evidence: { roles: Array.from({ length: 4000 }, (_, i) => `Role number ${i}`) } });
    const { approval: stored } = await approvals.createIfAbsent(big);
    expect(stored.evidence[DETAIL_TRUNCATED_KEY]).toBe(true);
    expect((await approvals.get(TENANT, "big"))?.evidence).toEqual(stored.evidence);
  });

  it("reports a pending request past its expiresAt as expired, and leaves it out of listPending", async () => {
    const { approvals, at } = repository();
    await approvals.createIfAbsent(approval("soon", { expiresAt: new Date("2026-11-29T00:00:00Z") }));
    await approvals.createIfAbsent(approval("later"));
    expect((await approvals.listPending(TENANT)).map((a) => a.approvalId).sort()).toEqual(["later", "soon"]);

    at.now = new Date("2026-11-29T00:00:00Z");
    expect((await approvals.get(TENANT, "soon"))?.state).toBe("expired");
    expect((await approvals.listPending(TENANT)).map((a) => a.approvalId)).toEqual(["later"]);
    expect((await approvals.listForTenant(TENANT)).map((a) => [a.approvalId, a.state]).sort()).toEqual([
      ["later", "pending"],
      ["soon", "expired"],
    ]);
    expect((await approvals.listForTenant(TENANT, { unexpiredAt: at.now })).map((a) => a.approvalId)).toEqual(["later"]);
  });

  it("decides pending → approved once; later deciders get the recorded decision", async () => {
    const { approvals } = repository();
    await approvals.createIfAbsent(approval("d1"));
    const at = new Date("2026-11-28T09:00:00Z");
    const won = await approvals.decide(TENANT, "d1", { decision: "approved", decidedBy: "it@contoso.com", at });
    expect(won).toMatchObject({ won: true, approval: { state: "approved", decidedBy: "it@contoso.com", decidedAt: at } });
    const lost = await approvals.decide(TENANT, "d1", { decision: "rejected", decidedBy: "eve@contoso.com", at: new Date() });
    expect(lost).toMatchObject({ won: false, approval: { state: "approved", decidedBy: "it@contoso.com" } });
    expect(await approvals.decide(TENANT, "nope", { decision: "rejected", decidedBy: "x", at })).toBeUndefined();
  });

  it("refuses to decide an expired request", async () => {
    const { approvals } = repository();
    await approvals.createIfAbsent(approval("late"));
    const result = await approvals.decide(TENANT, "late", { decision: "approved", decidedBy: "it@contoso.com", at: EXPIRES });
    expect(result).toMatchObject({ won: false, approval: { state: "expired", decidedBy: null } });
    expect((await approvals.listPending(TENANT)).map((a) => a.approvalId)).toEqual(["late"]);
  });

  it("lets exactly one of 20 concurrent deciders win", async () => {
    const { approvals } = repository();
    await approvals.createIfAbsent(approval("race"));
    const at = new Date("2026-11-28T09:00:00Z");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        approvals.decide(TENANT, "race", { decision: i % 2 === 0 ? "approved" : "rejected", decidedBy: `approver${i}@contoso.com`, at }),
      ),
    );
    const winners = results.filter((r) => r?.won === true);
    expect(winners).toHaveLength(1);
    const recorded = await approvals.get(TENANT, "race");
    expect(recorded?.decidedBy).toBe(winners[0]!.approval.decidedBy);
    expect(recorded?.state).toBe(winners[0]!.approval.state);
    for (const loser of results.filter((r) => r?.won === false)) {
      expect(loser.approval).toMatchObject({ state: recorded!.state, decidedBy: recorded!.decidedBy });
    }
  });

  it("records the outcome of an approved request only", async () => {
    const { approvals } = repository();
    await approvals.createIfAbsent(approval("o1"));
    await expect(approvals.recordOutcome(TENANT, "o1", { outcome: "done", message: "Blocked.", auditId: "audit-1" })).rejects.toThrow(
      /pending/,
    );
    await approvals.decide(TENANT, "o1", { decision: "approved", decidedBy: "it@contoso.com", at: new Date("2026-11-28T09:00:00Z") });
    const recorded = await approvals.recordOutcome(TENANT, "o1", { outcome: "done", message: "Blocked.", auditId: "audit-1" });
    expect(recorded).toMatchObject({ state: "approved", outcome: "done", outcomeMessage: "Blocked.", auditId: "audit-1" });
    expect(await approvals.get(TENANT, "o1")).toEqual(recorded);
    expect(await approvals.recordOutcome(TENANT, "nope", { outcome: "done", message: "", auditId: "a" })).toBeUndefined();
  });
});

describe("TableDigestsRepository", () => {
  const request = { approvalCount: 3, recipients: ["it@contoso.com"], at: CREATED };

  it("claims once; a sent digest is never claimed again", async () => {
    const digests = new TableDigestsRepository(testStore());
    expect(await digests.claim(TENANT, RUN, request)).toMatchObject({ claimed: true, digest: { status: "sending", attempts: 1 } });
    await digests.markSent(TENANT, RUN, new Date("2026-11-28T02:06:00Z"));
    expect(await digests.claim(TENANT, RUN, request)).toMatchObject({
      claimed: false,
      digest: { status: "sent", attempts: 1, sentAt: new Date("2026-11-28T02:06:00Z"), approvalCount: 3 },
    });
  });

  it("takes over a digest left `sending` by a crash, counting attempts, until it is marked sent", async () => {
    const digests = new TableDigestsRepository(testStore());
    await digests.claim(TENANT, RUN, request);
    // The first attempt crashed between claim and markSent: the retry sends again.
    expect(await digests.claim(TENANT, RUN, { ...request, approvalCount: 4 })).toMatchObject({
      claimed: true,
      digest: { status: "sending", attempts: 2, approvalCount: 4 },
    });
    await digests.markSent(TENANT, RUN, new Date("2026-11-28T02:10:00Z"));
    expect(await digests.claim(TENANT, RUN, request)).toMatchObject({ claimed: false, digest: { status: "sent", attempts: 2 } });
  });
});
