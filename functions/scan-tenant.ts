import type { InvocationContext } from "@azure/functions";
import { MAX_DEQUEUE_COUNT } from "../shared/queue/queue-client.js";
import { parseScanMessage, type ScanMessage } from "../shared/queue/scan-message.js";
import { functionApp } from "../shared/app/wiring.js";
import { askForNotifications, scanTenant, type ScanTenantDeps } from "../shared/sweep/scan-tenant.js";
import { logLine } from "../shared/logging/log-text.js";

/** Queue trigger `scan-tenant`: scans one tenant of a run. */
export function scanTenantFromQueue(queueItem: unknown, context: InvocationContext): Promise<void> {
  return handleScanMessage(functionApp(), queueItem, context);
}

/**
 * Tenant problems are recorded by scanTenant and complete the message; anything thrown here is
 * retried by the host, and on the last attempt the reason is written to the tenant's run first,
 * so a poisoned message is explained where operators look.
 */
export async function handleScanMessage(deps: ScanTenantDeps, queueItem: unknown, context: InvocationContext): Promise<void> {
  const message = parseScanMessage(queueItem);
  try {
    const result = await scanTenant(deps, message, { onProgress: (line) => context.log(logLine`${message.tenantId}: ${line}`) });
    const state = result.outcome === "continued" ? `follow-up ${result.chain} sent` : (result.transition.run?.status ?? "unknown");
    context.log(logLine`scan-tenant ${message.tenantId} in run ${message.runId}: ${result.outcome}, ${state}`);
  } catch (e) {
    if (dequeueCount(context) >= MAX_DEQUEUE_COUNT) await recordGaveUp(deps, message, e);
    throw e;
  }
}

function dequeueCount(context: InvocationContext): number {
  const count = context.triggerMetadata?.dequeueCount;
  return typeof count === "number" ? count : Number(count ?? 1);
}

async function recordGaveUp(deps: Pick<ScanTenantDeps, "runs" | "notifyEventsQueue">, message: ScanMessage, error: unknown): Promise<void> {
  const reason = `Gave up after ${MAX_DEQUEUE_COUNT} attempts; the message is in the poison queue: ${error instanceof Error ? error.message : String(error)}`;
  // Best effort: storage may be what failed. The original error is rethrown either way.
  await askForNotifications(deps, message).catch(() => undefined);
  await deps.runs.finishTenantRun(message.runId, message.tenantId, { status: "failed", reason }).catch(() => undefined);
}
