import { describe, expect, it } from "vitest";
import type { StoredFinding } from "../../shared/model/stored.js";
import { DETAIL_TRUNCATED_KEY } from "../../shared/model/evidence.js";
import { FINDINGS_TABLE, MAX_DETAIL_CHARS, TableFindingsRepository } from "../../shared/storage/findings.js";
import { runIdAt } from "../../shared/storage/keys.js";
import { testStore } from "./store.js";

const TENANT = "11111111-1111-4111-8111-111111111111";
const AS_OF = new Date("2025-03-02T02:00:00Z");
const RUN = runIdAt(AS_OF);

function finding(overrides: Partial<StoredFinding> = {}): StoredFinding {
  return {
    control: "mfa.admins",
    subjectId: "user-1",
    status: "fail",
    severity: "high",
    detail: { mfa: false, roles: ["Global Administrator"] },
    firstSeen: new Date("2025-01-01T02:00:00Z"),
    lastSeen: AS_OF,
    resolvedAt: null,
    lastRunId: RUN,
    ...overrides,
  };
}

const byKey = (a: StoredFinding, b: StoredFinding): number => `${a.control}|${a.subjectId}`.localeCompare(`${b.control}|${b.subjectId}`);

describe("TableFindingsRepository", () => {
  it("round-trips every field, including a tenant-level subject and resolvedAt", async () => {
    const findings = new TableFindingsRepository(testStore());
    const written = [
      finding(),
      finding({ control: "apps.user-consent", subjectId: null, status: "pass", severity: "medium", resolvedAt: AS_OF }),
    ];
    expect(await findings.applyChanges(TENANT, written)).toBe(1);
    expect((await findings.listForTenant(TENANT)).sort(byKey)).toEqual([...written].sort(byKey));
    expect(await findings.listForTenant("22222222-2222-4222-8222-222222222222")).toEqual([]);
  });

  it("replaces whole rows: a reopened finding loses its resolvedAt", async () => {
    const findings = new TableFindingsRepository(testStore());
    await findings.applyChanges(TENANT, [finding({ status: "pass", resolvedAt: AS_OF })]);
    await findings.applyChanges(TENANT, [finding()]);
    expect(await findings.listForTenant(TENANT)).toEqual([finding()]);
  });

  it("writes 250 findings in exactly 3 transactions", async () => {
    const findings = new TableFindingsRepository(testStore());
    const many = Array.from({ length: 250 }, (_, i) => finding({ subjectId: `user-${String(i).padStart(3, "0")}` }));
    expect(await findings.applyChanges(TENANT, many)).toBe(3);
    expect(await findings.listForTenant(TENANT)).toHaveLength(250);
    expect(await findings.applyChanges(TENANT, [])).toBe(0);
  });

  it("keeps hostile subject ids intact through the key encoding", async () => {
    const findings = new TableFindingsRepository(testStore());
    const subjects = ["a/b", "c\\d", "#e", "f?g", "h|i", "@tenant", "ünïcødé 😀", "tab\tand\u0001control", "100%_sure"];
    const written = subjects.map((subjectId) => finding({ subjectId }));
    await findings.applyChanges(TENANT, written);
    expect((await findings.listForTenant(TENANT)).sort(byKey)).toEqual(written.sort(byKey));
  });

  it("stores a too-large detail as a truncation envelope under the property limit", async () => {
    const store = testStore();
    const findings = new TableFindingsRepository(store);
    const users = Array.from({ length: 2_000 }, (_, i) => ({ id: `user-${i}`, upn: `"quoted"\\user-${i}@contoso.example` }));
    await findings.applyChanges(TENANT, [finding({ detail: { users } })]);

    const [stored] = await findings.listForTenant(TENANT);
    expect(stored?.detail).toMatchObject({ [DETAIL_TRUNCATED_KEY]: true, originalChars: JSON.stringify({ users }).length });
    expect(String(stored?.detail.preview)).toMatch(/^\{"users":\[\{"id":"user-0"/);
    const client = await store.table(FINDINGS_TABLE);
    for await (const entity of client.listEntities<{ detail: string }>()) {
      expect(entity.detail.length).toBeLessThanOrEqual(MAX_DETAIL_CHARS);
    }
  });
});
