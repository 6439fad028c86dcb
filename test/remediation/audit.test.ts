/** TableAuditRepository on Azurite: insert-only rows, newest first, point reads by audit id. */
import { describe, expect, it } from "vitest";
import {
  AUDIT_TABLE,
  auditRowKey,
  isAuditId,
  newAuditId,
  TableAuditRepository,
  type AuditRepository,
  type NewAuditEntry,
} from "../../shared/storage/audit.js";
import { testStore } from "../storage/store.js";

const TENANT = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";

function entry(at: string, overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    tenantId: TENANT,
    at: new Date(at),
    channel: "approval",
    requestedBy: "approver@contoso.com",
    action: "block-account",
    mode: "apply",
    subjectId: "00000000-0000-4000-8000-000000000001",
    control: "accounts.inactive-90",
    approvalId: "appr-1",
    undoOf: null,
    before: { accountEnabled: true },
    after: { accountEnabled: false, sessionsRevoked: true },
    graphRequestId: "9f1c2d3e-0000-4000-8000-000000000000",
    outcome: "done",
    message: "Blocked user1@contoso.com.",
    ...overrides,
  };
}

describe("audit ids and keys", () => {
  it("carry their time, sort newest first, and are key-safe", () => {
    const earlier = newAuditId(new Date("2026-01-28T02:00:00.123Z"));
    const later = newAuditId(new Date("2026-01-28T02:00:00.124Z"));
    expect(earlier).toMatch(/^20260128T020000\.123Z-[0-9a-f]{12}$/);
    expect(isAuditId(earlier)).toBe(true);
    expect(auditRowKey(later) < auditRowKey(earlier)).toBe(true);
    expect(auditRowKey(earlier)).toMatch(/^[0-9T.Z|-]+[0-9a-f]{12}$/);
    expect(() => auditRowKey("../x")).toThrow(RangeError);
    expect(isAuditId("20260128T020000.123Z-XYZ")).toBe(false);
  });
});

describe("TableAuditRepository", () => {
  it("records a row and reads it back whole, nulls included", async () => {
    const audit = new TableAuditRepository(testStore());
    const stored = await audit.record(entry("2026-01-28T02:00:00Z"));
    expect(isAuditId(stored.auditId)).toBe(true);
    expect(await audit.get(TENANT, stored.auditId)).toEqual(stored);

    const bare = await audit.record(
      entry("2026-01-28T02:00:01Z", {
        action: null,
        control: null,
        subjectId: null,
        approvalId: null,
        before: null,
        after: null,
        graphRequestId: null,
        mode: "undo",
        undoOf: "whatever",
        outcome: "refused",
      }),
    );
    expect(await audit.get(TENANT, bare.auditId)).toEqual(bare);
  });

  it("defaults `at` to now", async () => {
    const audit = new TableAuditRepository(testStore());
    const { at: _at, ...withoutAt } = entry("2026-01-28T02:00:00Z");
    const before = Date.now();
    const stored = await audit.record(withoutAt);
    expect(stored.at.getTime()).toBeGreaterThanOrEqual(before);
  });

  it("lists a tenant's rows newest first, at most `limit`, never another tenant's", async () => {
    const audit = new TableAuditRepository(testStore());
    const times = ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-01T00:00:00Z"];
    for (const at of times) await audit.record(entry(at));
    await audit.record(entry("2026-01-04T00:00:00Z", { tenantId: OTHER }));

    const listed = await audit.listForTenant(TENANT, { limit: 2 });
    expect(listed.map((row) => row.at.toISOString())).toEqual(["2026-01-03T00:00:00.000Z", "2026-01-02T00:00:00.000Z"]);
    expect(await audit.listForTenant(TENANT)).toHaveLength(3);
    await expect(audit.listForTenant(TENANT, { limit: 0 })).rejects.toThrow(RangeError);
  });

  it("answers undefined for an id the tenant does not have, RangeError for a non-id", async () => {
    const audit = new TableAuditRepository(testStore());
    const stored = await audit.record(entry("2026-01-28T02:00:00Z"));
    expect(await audit.get(OTHER, stored.auditId)).toBeUndefined();
    await expect(audit.get(TENANT, "not-an-id")).rejects.toThrow(RangeError);
    await expect(audit.get("bad/tenant", stored.auditId)).rejects.toThrow(RangeError);
  });

  it("refuses columns a Table string cannot hold, and tenant ids that cannot be keys", async () => {
    const audit = new TableAuditRepository(testStore());
    await expect(audit.record(entry("2026-01-28T02:00:00Z", { message: "x".repeat(40_000) }))).rejects.toThrow(RangeError);
    await expect(audit.record(entry("2026-01-28T02:00:00Z", { tenantId: "a#b" }))).rejects.toThrow(RangeError);
  });

  it("has no way to update or delete a row", () => {
    const audit: AuditRepository = new TableAuditRepository(testStore());
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(audit))
      .filter((name) => name !== "constructor")
      .sort();
    expect(methods).toEqual(["get", "listActionAfter", "listForTenant", "record"]);
    // @ts-expect-error -- the interface has no delete
    expect(audit.delete).toBeUndefined();
    expect(AUDIT_TABLE).toBe("Audit");
  });
});
