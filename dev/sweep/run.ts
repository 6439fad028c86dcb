import { handleScanMessage, MAX_DEQUEUE_COUNT } from "../../functions/scan-tenant.js";
import { handleSendApprovals } from "../../functions/send-approvals.js";
import type { SweepServices } from "../../shared/sweep/services.js";
import { startSweep, type StartSweepOptions } from "../../shared/sweep/start-sweep.js";
import { isTerminal, type TenantRun } from "../../shared/storage/runs.js";
import { pumpUntil } from "../local-host/queue-pump.js";

export interface RunSweepHooks {
  readonly onTenantEnded?: (run: TenantRun, ended: number, total: number) => void;
  /** The queue function's log lines (per-page progress). */
  readonly log?: (line: string) => void;
  readonly warn?: (line: string) => void;
}

/**
 * One sweep, start to end, on this machine: open the run as the timer does (startSweep), then
 * play the scan-tenant queue trigger against the real queue until every tenant has ended.
 * Used by `npm run sweep`, `npm run dev` and the integration tests.
 */
export async function runSweepToEnd(services: SweepServices, options: StartSweepOptions, hooks: RunSweepHooks = {}): Promise<string> {
  const sweep = await startSweep(services, options);
  await drainRun(services, sweep.runId, hooks);
  return sweep.runId;
}

/** Plays the scan-tenant queue trigger until every tenant of `runId` has ended. */
export async function drainRun(services: SweepServices, runId: string, hooks: RunSweepHooks = {}): Promise<void> {
  const reported = new Set<string>();
  const allEnded = async () => {
    const runs = await services.runs.listTenantRuns(runId);
    for (const run of runs) {
      if (isTerminal(run.status) && !reported.has(run.tenantId)) {
        reported.add(run.tenantId);
        hooks.onTenantEnded?.(run, reported.size, runs.length);
      }
    }
    return runs.every((r) => isTerminal(r.status));
  };
  const logHooks = { ...(hooks.log ? { log: hooks.log } : {}), ...(hooks.warn ? { warn: hooks.warn } : {}) };
  const pumped = await pumpUntil(
    {
      functionName: "scan-tenant",
      handler: (item, context) => handleScanMessage(services, item, context),
      queue: services.scanQueue,
      poisonQueue: services.scanPoisonQueue,
      ...logHooks,
    },
    allEnded,
  );
  if (!(await allEnded())) {
    throw new Error(`${pumped.poisoned} scan message(s) failed ${MAX_DEQUEUE_COUNT} times and went to the poison queue; some tenants were not scanned.`);
  }
  // Scans enqueue their approval digests; send them before reporting the run as done.
  await pumpUntil(
    {
      functionName: "send-approvals",
      handler: (item, context) => handleSendApprovals(services, item, context),
      queue: services.sendApprovalsQueue,
      poisonQueue: services.sendApprovalsPoisonQueue,
      ...logHooks,
    },
    () => Promise.resolve(false),
  );
}
