/**
 * A scan that stops at its time budget continues in a follow-up queue message from the stored
 * nextLinks: no page is read twice, and the findings equal an uninterrupted scan's. A stored
 * nextLink that has expired meanwhile restarts its stream from the first page.
 */
import type { QueueClient } from "@azure/storage-queue";
import { afterEach, describe, expect, it } from "vitest";
import { drainRun, runSweepToEnd } from "../../dev/sweep/run.js";
import { generateTenantFixture } from "../../dev/fixtures/generate.js";
import { parseTenantFixture, type RequestLogEntry, type TenantFixture } from "../../dev/simulator/index.js";
import { MAX_RESTARTS } from "../../shared/collect/paged.js";
import { decodeMessage } from "../../shared/queue/queue-client.js";
import { parseScanMessage, type ScanMessage } from "../../shared/queue/scan-message.js";
import { buildRunReport } from "../../shared/sweep/report.js";
import { pageBudget } from "../../shared/collect/scan-budget.js";
import { scanTenant } from "../../shared/sweep/scan-tenant.js";
import type { App } from "../../shared/app/wiring.js";
import { startSweep } from "../../shared/sweep/start-sweep.js";
import { DEMO_AS_OF, rowKeys, startSweepHarness, tenantReport, type SweepHarness } from "../sweep/harness.js";

const USERS = 2_600; // 6 pages of users, 3 of the registration report
const harnesses: SweepHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function harnessFor(fixture: TenantFixture): Promise<SweepHarness> {
  // Onboarded before: these tests count the scan's own pages and requests, not the onboarding check's.
  const h = await startSweepHarness([fixture], undefined, { onboarded: true });
  harnesses.push(h);
  return h;
}

function fixture(users = USERS): TenantFixture {
  return parseTenantFixture(generateTenantFixture({ users, license: "p1", seed: 5, asOf: DEMO_AS_OF }), `generated ${users}`);
}

/** Users and registration-report pages requested, keyed by path and skiptoken (first page: "-"). */
function pageReads(requests: readonly RequestLogEntry[]): Map<string, number> {
  const reads = new Map<string, number>();
  for (const r of requests) {
    if (r.method !== "GET" || !/^v1\.0\/(users|reports\/authenticationMethods\/userRegistrationDetails)$/.test(r.path)) continue;
    const key = `${r.path} ${r.query.$skiptoken ?? "-"}`;
    reads.set(key, (reads.get(key) ?? 0) + 1);
  }
  return reads;
}

function withBudget(app: App, pages: number): App {
  return { ...app, scanBudget: () => pageBudget(pages) };
}

/** The messages waiting in a scan queue (removed from it). */
async function take(queue: QueueClient): Promise<ScanMessage[]> {
  await queue.createIfNotExists();
  const received = await queue.receiveMessages({ numberOfMessages: 32 });
  for (const item of received.receivedMessageItems) await queue.deleteMessage(item.messageId, item.popReceipt);
  return received.receivedMessageItems.map((item) => parseScanMessage(decodeMessage(item.messageText)));
}

const takeFollowUps = (app: App) => take(app.scanContinueQueue);

describe("a scan interrupted after k pages", () => {
  it("continues where it stopped in follow-up messages, reads no page twice, and finds what an uninterrupted scan finds", async () => {
    const tenant = fixture();
    const whole = await harnessFor(tenant);
    const uninterrupted = tenantReport(await whole.sweep(), tenant.tenant.id);
    const wholeReads = pageReads(whole.sim.tenant(tenant.tenant.id).requests);

    const h = await harnessFor(tenant);
    const app = withBudget(h.app, 2);
    const runId = await runSweepToEnd(app, { asOf: DEMO_AS_OF, startedAt: new Date(), trigger: "manual" });
    const report = tenantReport(await buildRunReport(app, runId), tenant.tenant.id);

    expect(report.status).toBe("completed");
    expect(rowKeys(report.findings)).toEqual(rowKeys(uninterrupted.findings));
    expect(report.changes).toEqual(uninterrupted.changes);
    const reads = pageReads(h.sim.tenant(tenant.tenant.id).requests);
    expect([...reads.keys()].sort()).toEqual([...wholeReads.keys()].sort());
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
    const run = await app.runs.getTenantRun(runId, tenant.tenant.id);
    // 9 pages; each invocation stops once it has read 2 (the two collections may each finish one more).
    expect(run?.counts.invocations).toBeGreaterThanOrEqual(3);
    expect(run?.counts.users).toBe(USERS);
    expect(run?.attempt).toBe(1); // follow-ups are not new attempts
    // Every invocation's requests add up ($batch envelopes count once, their items not).
    expect(run?.requestCount).toBe(h.sim.tenant(tenant.tenant.id).requests.filter((r) => !r.batchItem).length);
    expect(await app.checkpoints.load(runId, tenant.tenant.id)).toBeUndefined();
  });

  it("resumes from the last save when the worker crashes, re-reading only the pages after it", async () => {
    const tenant = fixture(11_000); // 22 pages of users + 11 of the report: one save after 20
    const h = await harnessFor(tenant);
    let crashes = 1;
    const listForTenant = h.app.findings.listForTenant.bind(h.app.findings);
    h.app.findings.listForTenant = async (...args) => {
      if (crashes-- > 0) throw new Error("simulated crash after collecting");
      return listForTenant(...args);
    };
    const report = tenantReport(await h.sweep(), tenant.tenant.id);
    expect(report.status).toBe("completed");
    const reads = [...pageReads(h.sim.tenant(tenant.tenant.id).requests).values()];
    expect(reads).toHaveLength(33);
    expect(reads.filter((n) => n === 1)).toHaveLength(20);
    expect(reads.filter((n) => n === 2)).toHaveLength(13);
  });
});

describe("follow-up messages", () => {
  async function interrupted(): Promise<{ h: SweepHarness; app: App; first: ScanMessage; followUp: ScanMessage }> {
    const tenant = fixture();
    const h = await harnessFor(tenant);
    const app = withBudget(h.app, 2);
    const sweep = await startSweep(app, { asOf: DEMO_AS_OF, startedAt: new Date(), trigger: "manual" });
    const [first] = await take(app.scanQueue);
    if (!first) throw new Error("no scan message");
    expect(await scanTenant(app, first)).toEqual({ outcome: "continued", chain: 1 });
    const [followUp] = await takeFollowUps(app);
    if (!followUp) throw new Error("no follow-up message");
    expect(followUp).toEqual({ runId: sweep.runId, tenantId: tenant.tenant.id, asOf: first.asOf, continuation: 1 });
    return { h, app, first, followUp };
  }

  it("are not duplicates: the run stays running, one attempt, until the last one finishes it", async () => {
    const { h, app, followUp } = await interrupted();
    expect((await app.runs.getTenantRun(followUp.runId, followUp.tenantId))?.status).toBe("running");
    const result = await scanTenant(h.app, followUp);
    expect(result.outcome).toBe("finished");
    expect(result.outcome === "finished" && result.transition.run).toMatchObject({ status: "completed", attempt: 1 });
  });

  it("delivered twice: the second delivery reads nothing and changes nothing", async () => {
    const { h, followUp } = await interrupted();
    await scanTenant(h.app, followUp);
    const requests = h.sim.tenant(followUp.tenantId).counters.requests;
    const findings = await h.app.findings.listForTenant(followUp.tenantId);
    const again = await scanTenant(h.app, followUp);
    expect(again).toMatchObject({ outcome: "skipped", transition: { outcome: "already-terminal" } });
    expect(h.sim.tenant(followUp.tenantId).counters.requests).toBe(requests);
    expect(await h.app.findings.listForTenant(followUp.tenantId)).toEqual(findings);
  });

  it("delivered twice at once: one delivery finishes the scan, the other stops", async () => {
    const { h, followUp } = await interrupted();
    const results = await Promise.all([scanTenant(h.app, followUp), scanTenant(h.app, followUp)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["finished", "skipped"]);
    const report = tenantReport(await buildRunReport(h.app, followUp.runId), followUp.tenantId);
    expect(report.status).toBe("completed");
  });

  it("a late copy of an earlier message sends the follow-up again instead of starting over", async () => {
    const { h, app, first, followUp } = await interrupted();
    // The timer's message comes back (e.g. its worker died after saving): the checkpoint is past it.
    expect(await scanTenant(app, first)).toEqual({ outcome: "continued", chain: 1 });
    expect(await takeFollowUps(app)).toEqual([followUp]);
    // Once follow-up 1 has moved the scan on, the timer's message is simply stale.
    expect((await scanTenant(app, followUp)).outcome).toBe("continued");
    expect((await scanTenant(app, first)).outcome).toBe("skipped");
    await drainRun(h.app, followUp.runId);
    const run = await h.app.runs.getTenantRun(followUp.runId, followUp.tenantId);
    expect(run).toMatchObject({ status: "completed", attempt: 1 });
    expect([...pageReads(h.sim.tenant(followUp.tenantId).requests).values()].every((n) => n === 1)).toBe(true);
  });
});

describe("stored page links that expired before the follow-up", () => {
  const USERS_PATH = "v1.0/users";
  const REPORT_PATH = "v1.0/reports/authenticationMethods/userRegistrationDetails";
  /** Page requests Graph refused with Directory_ExpiredPageToken, by path. */
  const expiredReads = (requests: readonly RequestLogEntry[]) =>
    requests
      .filter((r) => r.status === 400 && r.query.$skiptoken !== undefined)
      .map((r) => r.path)
      .sort();

  it("restart their streams from the first page: the run completes with exactly the rows of an uncut scan, none counted twice", async () => {
    const tenant = fixture();
    const id = tenant.tenant.id;
    const whole = await harnessFor(tenant);
    const uninterrupted = tenantReport(await whole.sweep(), id);

    const h = await harnessFor(tenant);
    const app = withBudget(h.app, 2);
    const { runId } = await startSweep(app, { asOf: DEMO_AS_OF, startedAt: new Date(), trigger: "manual" });
    const [first] = await take(app.scanQueue);
    if (!first) throw new Error("no scan message");
    expect(await scanTenant(app, first)).toEqual({ outcome: "continued", chain: 1 });
    h.sim.tenant(id).expireSkipTokens(); // e.g. the follow-up waited in the queue
    await drainRun(h.app, runId); // a full budget: the restarted streams end in this invocation

    const report = tenantReport(await buildRunReport(app, runId), id);
    expect(report.status).toBe("completed");
    expect(rowKeys(report.findings)).toEqual(rowKeys(uninterrupted.findings));
    expect(report.changes).toEqual(uninterrupted.changes);
    expect((await app.runs.getTenantRun(runId, id))?.counts.users).toBe(USERS);
    const requests = h.sim.tenant(id).requests;
    expect(expiredReads(requests)).toEqual([REPORT_PATH, USERS_PATH]);
    const reads = pageReads(requests);
    expect([reads.get(`${USERS_PATH} -`), reads.get(`${REPORT_PATH} -`)]).toEqual([2, 2]);
    expect(await app.checkpoints.load(runId, id)).toBeUndefined();
  });

  it("restart their streams within an invocation too, dropping the rows it read of them", async () => {
    const tenant = fixture();
    const id = tenant.tenant.id;
    const whole = await harnessFor(tenant);
    const uninterrupted = tenantReport(await whole.sweep(), id);

    const h = await harnessFor(tenant);
    const { runId } = await startSweep(h.app, { asOf: DEMO_AS_OF, startedAt: new Date(), trigger: "manual" });
    const [message] = await take(h.app.scanQueue);
    if (!message) throw new Error("no scan message");
    let expired = false;
    const expireOnce = (line: string) => {
      if (expired || !line.startsWith("users:")) return;
      expired = true; // after the first page of users, e.g. a long pause for throttling
      h.sim.tenant(id).expireSkipTokens();
    };
    expect((await scanTenant(h.app, message, { onProgress: expireOnce })).outcome).toBe("finished");

    const report = tenantReport(await buildRunReport(h.app, runId), id);
    expect(report.status).toBe("completed");
    expect(rowKeys(report.findings)).toEqual(rowKeys(uninterrupted.findings));
    expect((await h.app.runs.getTenantRun(runId, id))?.counts.users).toBe(USERS);
    expect(expiredReads(h.sim.tenant(id).requests)).toContain(USERS_PATH);
  });

  it("that expire before every follow-up fail their streams after a few restarts: the run is partial and resolves nothing", async () => {
    const tenant = fixture();
    const id = tenant.tenant.id;
    const h = await harnessFor(tenant);
    expect(tenantReport(await h.sweep(), id).status).toBe("completed");
    const openBefore = (await h.app.findings.listForTenant(id)).filter((f) => f.resolvedAt === null && f.status !== "pass");
    expect(openBefore.length).toBeGreaterThan(0);
    h.sim.tenant(id).reset();

    const app = withBudget(h.app, 2);
    const { runId } = await startSweep(app, { asOf: DEMO_AS_OF, startedAt: new Date(), trigger: "manual" });
    let invocations = 0;
    for (let message = (await take(app.scanQueue))[0]; message; message = (await takeFollowUps(app))[0]) {
      h.sim.tenant(id).expireSkipTokens();
      await scanTenant(app, message);
      if (++invocations > 10) throw new Error("the scan keeps restarting");
    }

    const report = tenantReport(await buildRunReport(app, runId), id);
    expect(report.status).toBe("partial");
    expect(report.notes.join("\n")).toContain("Could not read users (error): Graph 400: Directory_ExpiredPageToken");
    const refusedEach = (path: string) => Array.from({ length: MAX_RESTARTS + 1 }, () => path);
    expect(expiredReads(h.sim.tenant(id).requests)).toEqual([...refusedEach(REPORT_PATH), ...refusedEach(USERS_PATH)]);
    expect(report.changes.resolved).toBe(0);
    const stored = new Map((await h.app.findings.listForTenant(id)).map((f) => [`${f.control} ${f.subjectId}`, f]));
    for (const f of openBefore) expect(stored.get(`${f.control} ${f.subjectId}`)?.resolvedAt, `${f.control} ${f.subjectId}`).toBeNull();
  });
});
