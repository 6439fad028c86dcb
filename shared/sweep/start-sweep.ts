import type { QueueClient } from "@azure/storage-queue";
import pLimit from "p-limit";
import type { Settings } from "../config/settings.js";
import type { TenantRecord } from "../model/tenant.js";
import { enqueueAll } from "../queue/queue-client.js";
import { LONG_SCAN_USERS, type ScanMessage } from "../queue/scan-message.js";
import { runIdAt } from "../storage/keys.js";
import type { RunsRepository, RunTrigger } from "../storage/runs.js";
import type { TenantsRepository } from "../storage/tenants.js";
import { tenantOrDefault } from "./tenant-or-default.js";

export interface StartSweepDeps {
  readonly runs: Pick<RunsRepository, "createRun" | "latestRuns" | "listTenantRuns" | "queueTenantRun">;
  readonly tenants: Pick<TenantsRepository, "get" | "list">;
  /** Where the tenants to sweep come from: the Tenants table, or a fixed list of ids (TENANTS_SOURCE). */
  readonly tenantSource: Settings["tenants"];
  /** The lanes of the timer's messages (shared/queue/scan-message.ts): quick scans and long ones. */
  readonly scanQueue: QueueClient;
  readonly scanLongQueue: QueueClient;
}

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
 * Opens a run and fans out one queue message per tenant: tenants whose last scan read more than
 * LONG_SCAN_USERS users go to the long-scan lane, the others (and new tenants) to the quick one.
 * Idempotent for a given start time: the run header and tenant rows are insert-if-absent, and
 * only tenants still `queued` are sent (again), so a timer that crashed half-way repairs itself
 * when it fires again.
 */
export async function startSweep(deps: StartSweepDeps, options: StartSweepOptions): Promise<StartedSweep> {
  const tenants = await sweepTenants(deps, options.tenantIds);
  const runId = runIdAt(options.startedAt);
  const asOf = (
    await deps.runs.createRun({
      runId,
      asOf: options.asOf,
      startedAt: options.startedAt,
      trigger: options.trigger,
      tenantCount: tenants.length,
    })
  ).run.asOf;
  const sizes = await previousSizes(deps.runs, runId, tenants.length);
  const ordered = largestFirst(tenants, sizes);
  const limit = pLimit(FAN_OUT_CONCURRENCY);
  const runs = await Promise.all(ordered.map((tenant) => limit(() => deps.runs.queueTenantRun(runId, tenant.tenantId))));
  const messages: ScanMessage[] = runs
    .filter(({ run }) => run.status === "queued")
    .map(({ run }) => ({ runId, tenantId: run.tenantId, asOf: asOf.toISOString() }));
  const isLong = (m: ScanMessage) => (sizes.get(m.tenantId) ?? 0) > LONG_SCAN_USERS;
  await enqueueAll(deps.scanLongQueue, messages.filter(isLong));
  await enqueueAll(
    deps.scanQueue,
    messages.filter((m) => !isLong(m)),
  );
  return { runId, tenantIds: tenants.map((t) => t.tenantId), enqueued: messages.length };
}

/** Tenant rows written at once while fanning out. */
const FAN_OUT_CONCURRENCY = 8;
/** How many earlier runs to look through for a tenant's size. */
const SIZE_HISTORY_RUNS = 3;

/** Users each tenant's latest scan read, from the last few runs before `runId`. */
async function previousSizes(
  runs: Pick<RunsRepository, "latestRuns" | "listTenantRuns">,
  runId: string,
  tenantCount: number,
): Promise<Map<string, number>> {
  const older = (await runs.latestRuns(SIZE_HISTORY_RUNS + 1)).filter((r) => r.runId < runId).slice(0, SIZE_HISTORY_RUNS);
  const users = new Map<string, number>();
  for (const header of older) {
    for (const run of await runs.listTenantRuns(header.runId)) {
      const count = run.counts.users;
      if (count !== undefined && !users.has(run.tenantId)) users.set(run.tenantId, count);
    }
    if (users.size >= tenantCount) break;
  }
  return users;
}

/**
 * The longest scans first: a tenant's scan time grows with its users (sign-in pages are limited
 * per tenant), so the biggest tenants of the previous runs are sent first and the sweep is not
 * left waiting for one that started last. Tenants never scanned before go first of all, in the
 * order given (their size is unknown); everyone else follows by users read, most first.
 */
function largestFirst<T extends { readonly tenantId: string }>(tenants: readonly T[], users: ReadonlyMap<string, number>): T[] {
  const size = (t: T) => users.get(t.tenantId) ?? Number.POSITIVE_INFINITY;
  return [...tenants].sort((a, b) => size(b) - size(a) || 0);
}

/** Where tenants come from is a setting: the Tenants table, or a fixed list of ids. */
async function sweepTenants(deps: StartSweepDeps, only: readonly string[] | undefined): Promise<TenantRecord[]> {
  const source = deps.tenantSource;
  const ids = only ?? (source.source === "setting" ? source.tenantIds : undefined);
  if (ids) return Promise.all(ids.map((id) => tenantOrDefault(deps.tenants, id)));
  return deps.tenants.list({ enabledOnly: true });
}
