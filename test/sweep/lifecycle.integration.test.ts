import { ClientSecretCredential } from "@azure/identity";
import functionsRuntime from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { startNightlySweep } from "../../functions/nightly-sweep.js";
import { drainRun, runSweepToEnd } from "../../dev/sweep/run.js";
import { TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET } from "../../dev/simulator/index.js";
import { createGraphClient } from "../../shared/graph/client.js";
import { buildRunReport } from "../../shared/sweep/report.js";
import type { QueueClient } from "@azure/storage-queue";
import { decodeMessage, enqueueAll } from "../../shared/queue/queue-client.js";
import { LONG_SCAN_USERS, parseScanMessage } from "../../shared/queue/scan-message.js";
import { runIdAt } from "../../shared/storage/keys.js";
import { startSweep } from "../../shared/sweep/start-sweep.js";
import { DEMO_AS_OF, demoFixture, rowKeys, startSweepHarness, tenantReport, type SweepHarness } from "./harness.js";

const { InvocationContext } = functionsRuntime;
const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const FABRIKAM = "9c9e3ba8-f8eb-532d-bea5-bee0e1548e18";
const LATER = new Date("2026-11-29T02:00:00Z");

let harness: SweepHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function contosoHarness(): Promise<SweepHarness> {
  harness = await startSweepHarness([await demoFixture("contoso-messy"), await demoFixture("fabrikam-healthy")]);
  return harness;
}

/** Changes the simulated tenant through Graph itself, as an admin would in the portal. */
async function disableUser(h: SweepHarness, tenantId: string, userId: string): Promise<void> {
  const credential = new ClientSecretCredential(tenantId, TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET, {
    authorityHost: h.sim.authorityHost,
    disableInstanceDiscovery: true,
  });
  await createGraphClient({ credential, baseUrl: h.sim.baseUrl }).client.api(`/users/${userId}`).patch({ accountEnabled: false });
}

async function storedFinding(h: SweepHarness, tenantId: string, control: string, subjectId: string) {
  return (await h.app.findings.listForTenant(tenantId)).find((f) => f.control === control && f.subjectId === subjectId);
}

function firstFailing(findings: readonly { control: string; subjectId: string | null; status: string }[], control: string): string {
  const row = findings.find((f) => f.control === control && f.status === "fail" && f.subjectId !== null);
  if (!row?.subjectId) throw new Error(`no failing ${control} row`);
  return row.subjectId;
}

/** Tenants whose scan messages wait in `queue` (peeked, not taken). */
async function waitingTenants(queue: QueueClient): Promise<string[]> {
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((item) => parseScanMessage(decodeMessage(item.messageText)).tenantId);
}

describe("findings across runs", () => {
  it("resolves a finding once the tenant is fixed, and says so in the next run's changes", async () => {
    const h = await contosoHarness();
    const first = tenantReport(await h.sweep(), CONTOSO);
    const userId = firstFailing(first.findings, "accounts.inactive-90");
    await disableUser(h, CONTOSO, userId);

    const second = tenantReport(await h.sweep(LATER), CONTOSO);
    expect(second.findings.some((f) => f.control === "accounts.inactive-90" && f.subjectId === userId)).toBe(false);
    expect(second.changes.resolved).toBeGreaterThanOrEqual(1);
    const stored = await storedFinding(h, CONTOSO, "accounts.inactive-90", userId);
    expect(stored).toMatchObject({ status: "pass", resolvedAt: LATER });
    expect(stored?.firstSeen).toEqual(DEMO_AS_OF);
  });

  it("never resolves findings a partial scan could not re-check", async () => {
    const h = await contosoHarness();
    const first = tenantReport(await h.sweep(), CONTOSO);
    const userId = firstFailing(first.findings, "accounts.inactive-90");
    await disableUser(h, CONTOSO, userId);
    h.sim.faults.add({
      tenantId: CONTOSO,
      method: "GET",
      path: /^v1\.0\/users$/,
      times: Infinity,
      fault: { type: "status", status: 500, code: "generalException", message: "boom" },
    });

    const second = tenantReport(await h.sweep(LATER), CONTOSO);
    expect(second.status).toBe("partial");
    expect(second.notes.join("\n")).toMatch(/Could not read users/);
    expect(second.changes.resolved).toBe(0);
    expect(await storedFinding(h, CONTOSO, "accounts.inactive-90", userId)).toMatchObject({
      status: "fail",
      resolvedAt: null,
      lastSeen: DEMO_AS_OF,
    });
  });

  it("keeps stored state unchanged when the same run's message is delivered again", async () => {
    const h = await contosoHarness();
    const report = await h.sweep();
    const before = await h.app.findings.listForTenant(CONTOSO);
    const eventsBefore = await h.app.events.listForRun(CONTOSO, report.runId);

    await enqueueAll(h.app.scanQueue, [{ runId: report.runId, tenantId: CONTOSO, asOf: report.asOf }]);
    await runSweepToEnd(h.app, { asOf: DEMO_AS_OF, startedAt: new Date(), trigger: "manual", tenantIds: [FABRIKAM] });

    expect(await h.app.findings.listForTenant(CONTOSO)).toEqual(before);
    expect(await h.app.events.listForRun(CONTOSO, report.runId)).toEqual(eventsBefore);
    expect((await h.app.runs.getTenantRun(report.runId, CONTOSO))?.attempt).toBe(1);
  });

  it("repairs a crash between writing events and findings on the queue's retry", async () => {
    const h = await contosoHarness();
    const clean = tenantReport(await h.sweep(), CONTOSO);

    const crashing = await startSweepHarness([await demoFixture("contoso-messy")]);
    try {
      const applyChanges = crashing.app.findings.applyChanges.bind(crashing.app.findings);
      let crashes = 1;
      crashing.app.findings.applyChanges = async (...args) => {
        if (crashes-- > 0) throw new Error("simulated crash while writing findings");
        return applyChanges(...args);
      };
      const report = await crashing.sweep();
      const tenant = tenantReport(report, CONTOSO);
      expect(tenant.status).toBe("completed");
      expect((await crashing.app.runs.getTenantRun(report.runId, CONTOSO))?.attempt).toBe(2);
      expect(rowKeys(tenant.findings)).toEqual(rowKeys(clean.findings));
      expect(tenant.changes).toEqual(clean.changes);
      expect(await crashing.app.events.listForRun(CONTOSO, report.runId)).toHaveLength(clean.changes.new ?? 0);
    } finally {
      await crashing.close();
    }
  });
});

describe("failures stay with their tenant", () => {
  it("records a tenant Graph keeps failing for as failed, with the reason, and scans the others", async () => {
    const h = await contosoHarness();
    h.sim.faults.add({ tenantId: CONTOSO, path: /.*/, times: Infinity, fault: { type: "status", status: 503, retryAfterSeconds: 0 } });
    const report = await h.sweep();
    expect(tenantReport(report, CONTOSO)).toMatchObject({ status: "failed", findings: [] });
    expect(tenantReport(report, CONTOSO).reason).toMatch(/Nothing could be read from Graph: Graph 503/);
    expect(tenantReport(report, FABRIKAM).status).toBe("completed");
    expect(await h.app.findings.listForTenant(CONTOSO)).toEqual([]);
  });

  it("records a tenant the app cannot sign in to as failed, naming the sign-in error", async () => {
    const h = await contosoHarness();
    const stranger = "0f0e0d0c-0b0a-4909-8807-060504030201";
    await h.app.tenants.upsert({
      tenantId: stranger,
      displayName: "Not consented",
      enabled: true,
      config: { exclusions: { userIds: [], groupIds: [] }, approvers: [] },
    });
    const report = await h.sweep();
    expect(tenantReport(report, stranger).status).toBe("failed");
    expect(tenantReport(report, stranger).reason).toMatch(/^Could not sign in to the tenant .*endpoints_resolution_error/);
    expect(tenantReport(report, CONTOSO).status).toBe("completed");
  });

  it("absorbs 429 storms and 503s with Retry-After and finds the same rows", async () => {
    const h = await contosoHarness();
    const clean = tenantReport(await h.sweep(), CONTOSO);
    h.sim.faults.add({
      tenantId: CONTOSO,
      path: /^v1\.0\/users$/,
      times: 3,
      fault: { type: "status", status: 429, retryAfterSeconds: 0.01 },
    });
    h.sim.faults.add({
      tenantId: CONTOSO,
      path: /userRegistrationDetails/,
      times: 2,
      fault: { type: "status", status: 503, retryAfterSeconds: 0.01 },
    });
    h.sim.faults.add({ tenantId: CONTOSO, path: /conditionalAccess/, times: 2, fault: { type: "status", status: 429 } });
    const retried = tenantReport(await h.sweep(), CONTOSO);
    expect(retried.status).toBe("completed");
    expect(rowKeys(retried.findings)).toEqual(rowKeys(clean.findings));
    expect(h.sim.tenant(CONTOSO).counters.byStatus[429]).toBeGreaterThanOrEqual(5);
  });

  it("sends a read again when its connection broke before an answer, and finds the same rows", async () => {
    const h = await contosoHarness();
    const clean = tenantReport(await h.sweep(), CONTOSO);
    const dropped = h.sim.faults.add({ tenantId: CONTOSO, path: /^v1\.0\/users$/, times: 2, fault: { type: "drop-connection" } });
    const retried = tenantReport(await h.sweep(), CONTOSO);
    expect(dropped.fired).toBe(2);
    expect(retried.status).toBe("completed");
    expect(rowKeys(retried.findings)).toEqual(rowKeys(clean.findings));
  });

  it("completes under the simulator's Graph throttling model (time-scaled)", async () => {
    harness = await startSweepHarness([await demoFixture("contoso-messy")], { enabled: true, timeScale: 0.01 });
    const report = await harness.sweep();
    expect(tenantReport(report, CONTOSO).status).toBe("completed");
  });
});

describe("the nightly timer", () => {
  it("fans out one message per enabled tenant, and a second firing in the same minute reuses the run", async () => {
    const h = await contosoHarness();
    await h.app.tenants.setEnabled(FABRIKAM, false);
    const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
    const now = new Date("2026-11-28T02:00:07Z");
    const first = await startNightlySweep(h.app, timer, new InvocationContext(), now);
    const again = await startNightlySweep(h.app, timer, new InvocationContext(), now);
    expect(again.runId).toBe(first.runId);
    expect(first.tenantIds).toEqual([CONTOSO]);

    await drainRun(h.app, first.runId);
    const report = await buildRunReport(h.app, first.runId);
    expect(report.asOf).toBe("2026-11-28T02:00:00.000Z");
    expect(report.tenants.map((t) => [t.tenantId, t.status])).toEqual([[CONTOSO, "completed"]]);
    expect((await h.app.runs.getTenantRun(first.runId, CONTOSO))?.attempt).toBe(1);
  });
  it("sends a tenant whose last scan read more than 5,000 users to the long-scan lane, the others to the quick one", async () => {
    const h = await contosoHarness();
    const yesterday = new Date("2026-11-27T02:00:00Z");
    const previous = runIdAt(yesterday);
    await h.app.runs.createRun({ runId: previous, asOf: yesterday, startedAt: yesterday, trigger: "timer", tenantCount: 2 });
    for (const [tenantId, users] of [
      [CONTOSO, LONG_SCAN_USERS + 1],
      [FABRIKAM, LONG_SCAN_USERS],
    ] as const) {
      await h.app.runs.queueTenantRun(previous, tenantId);
      await h.app.runs.finishTenantRun(previous, tenantId, { status: "completed", counts: { users } });
    }

    const sweep = await startSweep(h.app, { asOf: DEMO_AS_OF, startedAt: DEMO_AS_OF, trigger: "timer" });
    expect(await waitingTenants(h.app.scanLongQueue)).toEqual([CONTOSO]);
    expect(await waitingTenants(h.app.scanQueue)).toEqual([FABRIKAM]);

    await drainRun(h.app, sweep.runId);
    const report = await buildRunReport(h.app, sweep.runId);
    expect(report.tenants.map((t) => t.status)).toEqual(["completed", "completed"]);
  });
});
