import type { TenantRecord } from "../model/tenant.js";
import { enqueueAll } from "../queue/queue-client.js";
import type { ScanMessage } from "../queue/scan-message.js";
import { runIdAt } from "../storage/keys.js";
import type { RunTrigger } from "../storage/runs.js";
import { tenantOrDefault, type SweepServices } from "./services.js";

export interface StartSweepOptions {
  /** The evaluation instant the controls use. */
  readonly asOf: Date;
  /** Identifies the run: the timer passes its scheduled time, so a re-fired timer reuses the run. */
  readonly startedAt: Date;
  readonly trigger: RunTrigger;
  /** Sweep only these tenants (the CLI's fixtures); default: every enabled tenant. */
  readonly tenantIds?: readonly string[];
}

export interface StartedSweep {
  readonly runId: string;
  readonly tenantIds: readonly string[];
  /** Tenants whose scan message was (re)sent: those not yet started in this run. */
  readonly enqueued: number;
}

/**
 * Opens a run and fans out one queue message per tenant. Idempotent for a given start time: the
 * run header and tenant rows are insert-if-absent, and only tenants still `queued` are sent
 * (again), so a timer that crashed half-way repairs itself when it fires again.
 */
export async function startSweep(services: SweepServices, options: StartSweepOptions): Promise<StartedSweep> {
  const tenants = await sweepTenants(services, options.tenantIds);
  const runId = runIdAt(options.startedAt);
  const asOf = (await services.runs.createRun({ runId, asOf: options.asOf, startedAt: options.startedAt, trigger: options.trigger, tenantCount: tenants.length })).run.asOf;
  const messages: ScanMessage[] = [];
  for (const tenant of tenants) {
    const { run } = await services.runs.queueTenantRun(runId, tenant.tenantId);
    if (run.status === "queued") messages.push({ runId, tenantId: tenant.tenantId, asOf: asOf.toISOString() });
  }
  await enqueueAll(services.scanQueue, messages);
  return { runId, tenantIds: tenants.map((t) => t.tenantId), enqueued: messages.length };
}

/** Where tenants come from is a setting: the Tenants table, or a fixed list of ids. */
async function sweepTenants(services: SweepServices, only: readonly string[] | undefined): Promise<TenantRecord[]> {
  const source = services.settings.tenants;
  const ids = only ?? (source.source === "setting" ? source.tenantIds : undefined);
  if (ids) return Promise.all(ids.map((id) => tenantOrDefault(services, id)));
  return services.tenants.list({ enabledOnly: true });
}
