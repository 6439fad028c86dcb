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

/**
 * Sweeps before the session's own, `daysBefore` its instant (oldest first), without approvals (no
 * digests for the past): the reports' trend then has a history, from the same demo tenants seen
 * earlier (fewer accounts inactive for 30 or 90 days a few weeks ago).
 */
export async function sweepHistory(app: App, asOf: Date, daysBefore: readonly number[], hooks: RunSweepHooks = {}): Promise<void> {
  const quiet: App = { ...app, approvalSettings: undefined };
  for (const days of [...daysBefore].sort((a, b) => b - a)) {
    await runSweepToEnd(quiet, { asOf: new Date(asOf.getTime() - days * 86_400_000), startedAt: new Date(), trigger: "manual" }, hooks);
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
