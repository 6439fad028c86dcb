import { describe, expect, it, vi } from "vitest";
import { runIdAt } from "../../shared/storage/keys.js";
import { TENANT_RUNS_TABLE, TableRunsRepository, type RunHeader } from "../../shared/storage/runs.js";
import { testStore } from "./store.js";

const TENANT = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";

function header(at: string, overrides: Partial<RunHeader> = {}): RunHeader {
  const asOf = new Date(at);
  return { runId: runIdAt(asOf), asOf, startedAt: asOf, trigger: "timer", tenantCount: 2, ...overrides };
}

describe("TableRunsRepository: run headers", () => {
  it("creates a header once; a re-fired timer gets the stored one back", async () => {
    const runs = new TableRunsRepository(testStore());
    const first = header("2025-03-02T02:00:00Z");
    expect(await runs.createRun(first)).toEqual({ created: true, run: first });
    const again = await runs.createRun({ ...first, tenantCount: 99, trigger: "manual" });
    expect(again).toEqual({ created: false, run: first });
    expect(await runs.getRun(first.runId)).toEqual(first);
  });

  it("latestRuns returns the newest first, at most `limit`", async () => {
    const runs = new TableRunsRepository(testStore());
    const headers = ["2025-03-01T02:00:00Z", "2025-03-03T02:00:00Z", "2025-03-02T02:00:00Z"].map((at) => header(at));
    for (const h of headers) await runs.createRun(h);
    expect((await runs.latestRuns(2)).map((h) => h.asOf.toISOString())).toEqual(["2025-03-03T02:00:00.000Z", "2025-03-02T02:00:00.000Z"]);
    expect(await runs.latestRuns(10)).toHaveLength(3);
    await expect(runs.latestRuns(0)).rejects.toThrow(RangeError);
  });
});

describe("TableRunsRepository: tenant run status", () => {
  const runId = runIdAt(new Date("2025-03-02T02:00:00Z"));
  const startAt = new Date("2025-03-02T02:00:05Z");
  const endAt = new Date("2025-03-02T02:01:00Z");

  it("queues once, then moves queued → running → completed", async () => {
    const runs = new TableRunsRepository(testStore());
    const queued = await runs.queueTenantRun(runId, TENANT);
    expect(queued).toMatchObject({ created: true, run: { status: "queued", attempt: 0, startedAt: null } });
    expect(await runs.queueTenantRun(runId, TENANT)).toEqual({ created: false, run: queued.run });

    const started = await runs.startTenantRun(runId, TENANT, { at: startAt });
    expect(started).toMatchObject({ outcome: "applied", run: { status: "running", attempt: 1, startedAt: startAt } });

    const outcome = {
      status: "partial",
      reason: "source-failed",
      notes: ["signIns: license"],
      counts: { fail: 3, unknown: 1 },
      requestCount: 42,
    } as const;
    const finished = await runs.finishTenantRun(runId, TENANT, outcome, { at: endAt });
    expect(finished.outcome).toBe("applied");
    expect(await runs.getTenantRun(runId, TENANT)).toEqual({
      runId,
      tenantId: TENANT,
      status: "partial",
      reason: "source-failed",
      notes: ["signIns: license"],
      counts: { fail: 3, unknown: 1 },
      requestCount: 42,
      startedAt: startAt,
      finishedAt: endAt,
      attempt: 1,
    });
  });

  it("a late duplicate `running` never overwrites a terminal status", async () => {
    const runs = new TableRunsRepository(testStore());
    await runs.startTenantRun(runId, TENANT, { at: startAt });
    await runs.finishTenantRun(runId, TENANT, { status: "completed" }, { at: endAt });
    const done = await runs.getTenantRun(runId, TENANT);

    expect(await runs.startTenantRun(runId, TENANT)).toEqual({ outcome: "already-terminal", run: done });
    expect(await runs.finishTenantRun(runId, TENANT, { status: "failed" })).toEqual({ outcome: "already-terminal", run: done });
    expect(await runs.getTenantRun(runId, TENANT)).toEqual(done);
  });

  it("a retry after a crash takes over a `running` tenant and counts the attempt", async () => {
    const runs = new TableRunsRepository(testStore());
    await runs.startTenantRun(runId, TENANT);
    expect(await runs.startTenantRun(runId, TENANT)).toMatchObject({ outcome: "applied", run: { attempt: 2 } });
  });

  it("a start that loses the ETag race to a finishing worker reports a conflict and writes nothing", async () => {
    const store = testStore();
    const runs = new TableRunsRepository(store);
    await runs.startTenantRun(runId, TENANT, { at: startAt });
    const client = await store.table(TENANT_RUNS_TABLE);
    const update = client.updateEntity.bind(client);
    // Between the duplicate's read and its write, the first worker finishes.
    vi.spyOn(client, "updateEntity").mockImplementationOnce(async (...args) => {
      await update({ partitionKey: runId, rowKey: TENANT, status: "completed", finishedAt: endAt }, "Merge");
      return update(...args);
    });
    const result = await runs.startTenantRun(runId, TENANT);
    expect(result).toMatchObject({ outcome: "conflict", run: { status: "completed", attempt: 1 } });
  });

  it("a finish that loses the ETag race re-reads and still records its result", async () => {
    const store = testStore();
    const runs = new TableRunsRepository(store);
    await runs.startTenantRun(runId, TENANT, { at: startAt });
    const client = await store.table(TENANT_RUNS_TABLE);
    const update = client.updateEntity.bind(client);
    // A duplicate message starts the tenant again just before our finish lands.
    vi.spyOn(client, "updateEntity").mockImplementationOnce(async (...args) => {
      await update({ partitionKey: runId, rowKey: TENANT, attempt: 2 }, "Merge");
      return update(...args);
    });
    const result = await runs.finishTenantRun(runId, TENANT, { status: "completed" }, { at: endAt });
    expect(result).toMatchObject({ outcome: "applied", run: { status: "completed", attempt: 2, finishedAt: endAt } });
    expect(await runs.getTenantRun(runId, TENANT)).toMatchObject({ status: "completed", attempt: 2 });
  });

  it("lists a run's tenants", async () => {
    const runs = new TableRunsRepository(testStore());
    await runs.queueTenantRun(runId, TENANT);
    await runs.queueTenantRun(runId, OTHER);
    await runs.queueTenantRun(runIdAt(new Date("2025-03-03T02:00:00Z")), OTHER);
    expect((await runs.listTenantRuns(runId)).map((r) => r.tenantId)).toEqual([TENANT, OTHER]);
  });
});

describe("TableRunsRepository.previousRunFor", () => {
  it("finds the tenant's latest earlier run, skipping sweeps it was not part of", async () => {
    const runs = new TableRunsRepository(testStore());
    const [r1, r2, r3, r4] = ["2025-03-01T02:00:00Z", "2025-03-02T02:00:00Z", "2025-03-03T02:00:00Z", "2025-03-04T02:00:00Z"].map((at) =>
      header(at),
    );
    for (const h of [r1!, r2!, r3!, r4!]) await runs.createRun(h);
    await runs.finishTenantRun(r1!.runId, TENANT, { status: "completed" });
    await runs.finishTenantRun(r2!.runId, TENANT, { status: "failed" });
    await runs.finishTenantRun(r3!.runId, OTHER, { status: "completed" });
    await runs.startTenantRun(r4!.runId, TENANT);

    expect(await runs.previousRunFor(TENANT, r4!.runId)).toMatchObject({ runId: r2!.runId, status: "failed" });
    expect(await runs.previousRunFor(TENANT, r4!.runId, { statuses: ["completed", "partial"] })).toMatchObject({ runId: r1!.runId });
    expect(await runs.previousRunFor(OTHER, r4!.runId)).toMatchObject({ runId: r3!.runId });
    expect(await runs.previousRunFor(TENANT, r1!.runId)).toBeUndefined();
    expect(await runs.previousRunFor(TENANT, r4!.runId, { statuses: ["completed"], maxRunsScanned: 2 })).toBeUndefined();
  });
});
