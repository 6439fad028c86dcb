/**
 * One local session's setup, shared by `npm run dev` and the browser test: register the fixture
 * tenants, then run a sweep to its end through the real queues (runSweepToEnd: scan-tenant, then
 * send-approvals, which plans the approval requests and emails the digests into the simulator).
 */
import type { DigestRecord } from "../../shared/storage/digests.js";
import type { App } from "../../shared/app/wiring.js";
import type { TenantFixture } from "../simulator/index.js";
import { runSweepToEnd, type RunSweepHooks } from "../sweep/run.js";

export interface SessionSweep {
  readonly runId: string;
  /** The digest each tenant got for this run (tenants without one are absent). */
  readonly digests: ReadonlyMap<string, DigestRecord>;
}

export async function registerFixtureTenants(app: Pick<App, "tenants">, fixtures: readonly TenantFixture[]): Promise<void> {
  for (const f of fixtures) {
    await app.tenants.upsert({ tenantId: f.tenant.id, displayName: f.tenant.displayName, enabled: true, config: f.config });
  }
}

export async function sweepWithDigests(app: App, asOf: Date, hooks: RunSweepHooks = {}): Promise<SessionSweep> {
  const runId = await runSweepToEnd(app, { asOf, startedAt: new Date(), trigger: "manual" }, hooks);
  const digests = new Map<string, DigestRecord>();
  for (const run of await app.runs.listTenantRuns(runId)) {
    const digest = await app.digests.get(run.tenantId, runId);
    if (digest) digests.set(run.tenantId, digest);
  }
  return { runId, digests };
}
