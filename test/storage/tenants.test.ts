import { describe, expect, it } from "vitest";
import type { TenantRecord } from "../../shared/model/tenant.js";
import { TableTenantsRepository, TENANTS_TABLE } from "../../shared/storage/tenants.js";
import { testStore } from "./store.js";

function tenant(tenantId: string, overrides: Partial<TenantRecord> = {}): TenantRecord {
  return {
    tenantId,
    displayName: `Tenant ${tenantId}`,
    enabled: true,
    config: { approvers: ["it@contoso.example"], exclusions: { userIds: ["bg-1"], groupIds: ["g-1"] } },
    ...overrides,
  };
}

describe("TableTenantsRepository", () => {
  it("round-trips a record, and get() of an unknown tenant is undefined", async () => {
    const tenants = new TableTenantsRepository(testStore());
    const record = tenant("11111111-1111-4111-8111-111111111111");
    await tenants.upsert(record);
    const stored = await tenants.get(record.tenantId);
    expect(stored).toMatchObject(record);
    expect(stored?.createdAt).toEqual(stored?.updatedAt);
    expect(await tenants.get("22222222-2222-4222-8222-222222222222")).toBeUndefined();
  });

  it("upsert replaces the settings but keeps createdAt", async () => {
    const tenants = new TableTenantsRepository(testStore());
    const id = "11111111-1111-4111-8111-111111111111";
    await tenants.upsert(tenant(id));
    const first = await tenants.get(id);
    await tenants.upsert(tenant(id, { displayName: "Renamed", config: { approvers: [], exclusions: { userIds: [], groupIds: [] } } }));
    const second = await tenants.get(id);
    expect(second).toMatchObject({ displayName: "Renamed", config: { approvers: [], exclusions: { userIds: [], groupIds: [] } } });
    expect(second?.createdAt).toEqual(first?.createdAt);
    expect(second!.updatedAt.getTime()).toBeGreaterThanOrEqual(first!.updatedAt.getTime());
  });

  it("lists all or only enabled tenants, and setEnabled flips one", async () => {
    const tenants = new TableTenantsRepository(testStore());
    await tenants.upsert(tenant("a"));
    await tenants.upsert(tenant("b", { enabled: false }));
    await tenants.upsert(tenant("c"));
    expect((await tenants.list()).map((t) => t.tenantId)).toEqual(["a", "b", "c"]);
    expect((await tenants.list({ enabledOnly: true })).map((t) => t.tenantId)).toEqual(["a", "c"]);

    expect(await tenants.setEnabled("a", false)).toBe(true);
    expect(await tenants.setEnabled("b", true)).toBe(true);
    expect((await tenants.list({ enabledOnly: true })).map((t) => t.tenantId)).toEqual(["b", "c"]);
    expect(await tenants.setEnabled("missing", true)).toBe(false);
    expect(await tenants.get("missing")).toBeUndefined();
  });

  it("refuses tenant ids that cannot be keys", async () => {
    const tenants = new TableTenantsRepository(testStore());
    await expect(tenants.upsert(tenant("a/b"))).rejects.toThrow(RangeError);
  });

  it("keeps the optional remediation config, and clears it when the record drops it", async () => {
    const tenants = new TableTenantsRepository(testStore());
    const id = "11111111-1111-4111-8111-111111111111";
    const remediation = { actions: ["block-account", "enforce-mfa"] as const, blockUnregisteredAdmins: true };
    const withPolicy = tenant(id, { config: { ...tenant(id).config, remediation } });
    await tenants.upsert(withPolicy);
    expect((await tenants.get(id))?.config).toEqual(withPolicy.config);
    await tenants.upsert(tenant(id));
    expect((await tenants.get(id))?.config).toEqual(tenant(id).config);
    expect((await tenants.get(id))?.config).not.toHaveProperty("remediation");
  });

  it("still reads rows written before the remediation column existed", async () => {
    const store = testStore();
    const client = await store.table(TENANTS_TABLE);
    const now = new Date();
    await client.createEntity({
      partitionKey: "tenant",
      rowKey: "old",
      displayName: "Old",
      enabled: true,
      approvers: JSON.stringify(["it@contoso.example"]),
      exclusions: JSON.stringify({ userIds: [], groupIds: [] }),
      createdAt: now,
      updatedAt: now,
    });
    expect((await new TableTenantsRepository(store).get("old"))?.config).toEqual({
      approvers: ["it@contoso.example"],
      exclusions: { userIds: [], groupIds: [] },
    });
  });

  it("refuses a stored remediation config naming an unknown action", async () => {
    const store = testStore();
    const client = await store.table(TENANTS_TABLE);
    const now = new Date();
    await client.createEntity({
      partitionKey: "tenant",
      rowKey: "bad",
      displayName: "Bad",
      enabled: true,
      approvers: "[]",
      exclusions: JSON.stringify({ userIds: [], groupIds: [] }),
      remediation: JSON.stringify({ actions: ["wipe-tenant"] }),
      createdAt: now,
      updatedAt: now,
    });
    await expect(new TableTenantsRepository(store).get("bad")).rejects.toThrow(/remediation/);
  });
});
