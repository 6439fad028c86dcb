import type { InvocationContext } from "@azure/functions";
import { notifyApprovers } from "../shared/approvals/notify.js";
import { parseSendApprovalsMessage } from "../shared/queue/approvals-message.js";
import { sweepServices, tenantOrDefault, type SweepServices } from "../shared/sweep/services.js";
import { logLine } from "../shared/logging/log-text.js";

/** Queue trigger `send-approvals`: one tenant's approval requests and digest email for one run. */
export function sendApprovalsFromQueue(queueItem: unknown, context: InvocationContext): Promise<void> {
  return handleSendApprovals(sweepServices(), queueItem, context);
}

/**
 * Creates the run's approval requests and emails ONE digest to the tenant's approvers. Idempotent
 * (deterministic request ids; the digest is claimed before sending), so the queue's retries are
 * safe; a failure (e.g. Mail.Send not granted) is retried and, after the last attempt, poisoned.
 */
export async function handleSendApprovals(services: SweepServices, queueItem: unknown, context: InvocationContext): Promise<void> {
  const { runId, tenantId } = parseSendApprovalsMessage(queueItem);
  const approvals = services.settings.approvals;
  if (!approvals) {
    context.warn(logLine`send-approvals ${tenantId}: approvals are not configured (APPROVAL_SIGNING_KEYS, PUBLIC_BASE_URL, MAIL_SENDER); nothing sent`);
    return;
  }
  const tenant = await tenantOrDefault(services, tenantId);
  const result = await notifyApprovers({ ...services, settings: approvals }, tenant, runId);
  context.log(logLine`send-approvals ${tenantId} in run ${runId}: ${result.status}`);
}
