import type { InvocationContext } from "@azure/functions";
import { parseScanMessage, type ScanMessage } from "../shared/queue/scan-message.js";
import { scanTenant } from "../shared/sweep/scan-tenant.js";
import { sweepServices } from "../shared/sweep/services.js";

/** host.json extensions.queues.maxDequeueCount: the attempt after which the host poisons a message. */
export const MAX_DEQUEUE_COUNT = 5;

/**
 * Queue: scans one tenant. Tenant problems are recorded by scanTenant and complete the message;
 * anything thrown here is retried by the host, and on the last attempt the reason is written to
 * the tenant's run first, so a poisoned message is explained where operators look.
 */
export async function scanTenantFromQueue(queueItem: unknown, context: InvocationContext): Promise<void> {
  const message = parseScanMessage(queueItem);
  const services = sweepServices();
  try {
    const result = await scanTenant(services, message, { onProgress: (line) => context.log(`${message.tenantId}: ${line}`) });
    context.log(`scan-tenant ${message.tenantId} in run ${message.runId}: ${result.outcome}, ${result.transition.run?.status ?? "unknown"}`);
  } catch (e) {
    if (dequeueCount(context) >= MAX_DEQUEUE_COUNT) await recordGaveUp(message, e);
    throw e;
  }
}

function dequeueCount(context: InvocationContext): number {
  const count = context.triggerMetadata?.dequeueCount;
  return typeof count === "number" ? count : Number(count ?? 1);
}

async function recordGaveUp(message: ScanMessage, error: unknown): Promise<void> {
  const reason = `Gave up after ${MAX_DEQUEUE_COUNT} attempts; the message is in scan-tenant-poison: ${error instanceof Error ? error.message : String(error)}`;
  await sweepServices()
    .runs.finishTenantRun(message.runId, message.tenantId, { status: "failed", reason })
    .catch(() => undefined);
}
