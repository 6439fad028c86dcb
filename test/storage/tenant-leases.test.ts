/** TenantLeases on Azurite: one holder at a time, waiting, expiry takeover, renewal, release. */
import { describe, expect, it } from "vitest";
import { TableTenantLeaseRepository, TENANT_LEASES_TABLE } from "../../shared/storage/tenant-leases.js";
import { testStore } from "./store.js";

const TENANT = "aaaaaaaa-0000-4000-8000-00000000000a";
const OTHER = "bbbbbbbb-0000-4000-8000-00000000000b";

function repository() {
  const store = testStore();
  return { store, leases: new TableTenantLeaseRepository(store) };
}

describe("TableTenantLeaseRepository", () => {
  it("gives a tenant's lease to one caller at a time; other tenants and purposes are independent", async () => {
    const { leases } = repository();
    const first = await leases.acquire(TENANT, "remediation", { waitInMs: 0 });
    expect(first?.held).toBe(true);
    expect(await leases.acquire(TENANT, "remediation", { waitInMs: 0 })).toBeUndefined();
    const other = await leases.acquire(OTHER, "remediation", { waitInMs: 0 });
    const purpose = await leases.acquire(TENANT, "onboarding", { waitInMs: 0 });
    expect([other?.held, purpose?.held]).toEqual([true, true]);
    await first?.release();
    expect(first?.held).toBe(false);
    const next = await leases.acquire(TENANT, "remediation", { waitInMs: 0 });
    expect(next?.held).toBe(true);
    await Promise.all([next?.release(), other?.release(), purpose?.release()]);
  });

  it("of many concurrent callers exactly one wins; the others get it in turn while waiting", async () => {
    const { leases } = repository();
    const order: number[] = [];
    let inside = 0;
    await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        const lease = await leases.acquire(TENANT, "remediation", { waitInMs: 10_000 });
        if (!lease) throw new Error(`caller ${n} got no lease`);
        inside++;
        expect(inside).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push(n);
        inside--;
        await lease.release();
      }),
    );
    expect(order.sort()).toEqual([1, 2, 3, 4]);
  });

  it("takes over a lease whose holder crashed once it has expired; the old holder can no longer free it", async () => {
    const { store, leases } = repository();
    const crashed = await leases.acquire(TENANT, "remediation", { durationInMs: 1_000, waitInMs: 0 });
    // A crash: the process is gone, so its renewals stop. Simulate by writing an expired row.
    const table = await store.table(TENANT_LEASES_TABLE);
    await table.updateEntity(
      { partitionKey: TENANT, rowKey: "remediation", holder: "crashed", expiresAt: new Date(Date.now() - 1) },
      "Replace",
    );
    const taker = await leases.acquire(TENANT, "remediation", { waitInMs: 0 });
    expect(taker?.held).toBe(true);
    await crashed?.release(); // its ETag is stale: nothing is deleted
    expect(await leases.acquire(TENANT, "remediation", { waitInMs: 0 })).toBeUndefined();
    await taker?.release();
  });

  it("renews while held, and reports the lease lost when someone took the row over", async () => {
    const { store, leases } = repository();
    const lease = await leases.acquire(TENANT, "remediation", { durationInMs: 1_000, waitInMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the first expiry: renewals kept it
    expect(lease?.held).toBe(true);
    expect(await leases.acquire(TENANT, "remediation", { waitInMs: 0 })).toBeUndefined();

    const table = await store.table(TENANT_LEASES_TABLE);
    await table.updateEntity(
      { partitionKey: TENANT, rowKey: "remediation", holder: "thief", expiresAt: new Date(Date.now() + 60_000) },
      "Replace",
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // the next renewal meets a changed ETag
    expect(lease?.held).toBe(false);
    await lease?.release();
  });

  it("rejects unusable arguments", async () => {
    const { leases } = repository();
    await expect(leases.acquire("a/b", "remediation")).rejects.toThrow(RangeError);
    await expect(leases.acquire(TENANT, "remediation", { durationInMs: 10 })).rejects.toThrow(/durationInMs/);
  });
});
