import type { StorageQueueHandler } from "@azure/functions";
import type { QueueClient } from "@azure/storage-queue";
import { handleScanMessage } from "../../functions/scan-tenant.js";
import { handleNotifyDelivery, handleNotifyEvents } from "../../functions/notify-events.js";
import { handleSendApprovals } from "../../functions/send-approvals.js";
import type { App } from "../../shared/app/wiring.js";
import { startSweep, type StartSweepOptions } from "../../shared/sweep/start-sweep.js";
import { MAX_DEQUEUE_COUNT } from "../../shared/queue/queue-client.js";
import { isTerminal, type TenantRun } from "../../shared/storage/runs.js";
import { pumpOnce, pumpUntil, type QueuePumpOptions } from "../local-host/queue-pump.js";

/** Wait before polling again while retried messages are invisible. */
const IDLE_WAIT_IN_MS = 200;

export interface RunSweepHooks {
  readonly onTenantEnded?: (run: TenantRun, ended: number, total: number) => void;
  /** The queue function's log lines (per-page progress). */
  readonly log?: (line: string) => void;
  readonly warn?: (line: string) => void;
}

/**
 * One sweep, start to end, on this machine: open the run as the timer does (startSweep), then
 * play the scan queue functions against the real queues until every tenant has ended.
 * Used by `npm run sweep`, `npm run dev` and the integration tests.
 */
export async function runSweepToEnd(app: App, options: StartSweepOptions, hooks: RunSweepHooks = {}): Promise<string> {
  const sweep = await startSweep(app, options);
  await drainRun(app, sweep.runId, hooks);
  return sweep.runId;
}

/** Plays the scan queue functions (every lane, app.scanLanes) until every tenant of `runId` has ended. */
export async function drainRun(app: App, runId: string, hooks: RunSweepHooks = {}): Promise<void> {
  const reported = new Set<string>();
  const allEnded = async () => {
    const runs = await app.runs.listTenantRuns(runId);
    for (const run of runs) {
      if (isTerminal(run.status) && !reported.has(run.tenantId)) {
        reported.add(run.tenantId);
        hooks.onTenantEnded?.(run, reported.size, runs.length);
      }
    }
    return runs.every((r) => isTerminal(r.status));
  };
  const logHooks = { ...(hooks.log ? { log: hooks.log } : {}), ...(hooks.warn ? { warn: hooks.warn } : {}) };
  const handler: StorageQueueHandler = (item, context) => handleScanMessage(app, item, context);
  const scanQueues: QueuePumpOptions[] = app.scanLanes.map((lane) => ({ ...lane, handler, ...logHooks }));
  await Promise.all(scanQueues.map((q) => q.queue.createIfNotExists()));
  let poisoned = 0;
  while (!(await allEnded())) {
    const pumped = await Promise.all(scanQueues.map((q) => pumpOnce(q)));
    poisoned += pumped.reduce((n, p) => n + p.poisoned, 0);
    if (pumped.some((p) => p.handled + p.failed > 0)) continue;
    const waiting = await Promise.all(scanQueues.map(async (q) => (await q.queue.getProperties()).approximateMessagesCount ?? 0));
    if (waiting.every((n) => n === 0)) break;
    await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_IN_MS));
  }
  if (!(await allEnded())) {
    throw new Error(
      `${poisoned} scan message(s) failed ${MAX_DEQUEUE_COUNT} times and went to the poison queue; some tenants were not scanned.`,
    );
  }
  // Scans enqueue their approval digests; send them before reporting the run as done.
  await drainQueue(
    "send-approvals",
    (item, context) => handleSendApprovals(app, item, context),
    app.sendApprovalsQueue,
    app.sendApprovalsPoisonQueue,
    logHooks,
  );
  await drainNotifications(app, logHooks);
}

type LogHooks = Pick<RunSweepHooks, "log" | "warn">;

/**
 * Plays notify-events (one delivery per sink) and notify-delivery until both queues are empty,
 * retries with backoff included (they wait invisible in the queue): the run's outbound events.
 */
export async function drainNotifications(app: App, hooks: LogHooks = {}): Promise<void> {
  await drainQueue(
    "notify-events",
    (item, context) => handleNotifyEvents(app, item, context),
    app.notifyEventsQueue,
    app.notifyEventsPoisonQueue,
    hooks,
  );
  await drainQueue(
    "notify-delivery",
    (item, context) => handleNotifyDelivery(app, item, context),
    app.notifyDeliveryQueue,
    app.notifyDeliveryPoisonQueue,
    hooks,
  );
}

/** Plays one queue function until its queue is empty (messages waiting for a retry included). */
function drainQueue(functionName: string, handler: StorageQueueHandler, queue: QueueClient, poisonQueue: QueueClient, hooks: LogHooks) {
  return pumpUntil({ functionName, handler, queue, poisonQueue, ...hooks }, () => Promise.resolve(false), IDLE_WAIT_IN_MS);
}
