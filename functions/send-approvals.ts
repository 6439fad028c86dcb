import type { InvocationContext } from "@azure/functions";
import { functionApp } from "../shared/app/wiring.js";
import { notifyApprovers, type NotifyDeps } from "../shared/approvals/notify.js";
import type { ApprovalSettings } from "../shared/config/settings.js";
import { parseSendApprovalsMessage } from "../shared/queue/approvals-message.js";
import type { TenantsRepository } from "../shared/storage/tenants.js";
import { tenantOrDefault } from "../shared/sweep/tenant-or-default.js";
import { logLine } from "../shared/logging/log-text.js";

/** Queue trigger `send-approvals`: one tenant's approval requests and digest email for one run. */
export function sendApprovalsFromQueue(queueItem: unknown, context: InvocationContext): Promise<void> {
  return handleSendApprovals(functionApp(), queueItem, context);
}

export interface SendApprovalsDeps extends Omit<NotifyDeps, "settings"> {
  readonly tenants: Pick<TenantsRepository, "get">;
  /** Undefined when approvals are not configured: nothing is sent. */
  readonly approvalSettings: ApprovalSettings | undefined;
}

/**
 * Creates the run's approval requests and emails ONE digest to the tenant's approvers. Idempotent
 * (deterministic request ids; the digest is claimed before sending), so the queue's retries are
 * safe; a failure (e.g. Mail.Send not granted) is retried and, after the last attempt, poisoned.
 */
export async function handleSendApprovals(deps: SendApprovalsDeps, queueItem: unknown, context: InvocationContext): Promise<void> {
  const { runId, tenantId } = parseSendApprovalsMessage(queueItem);
  const approvals = deps.approvalSettings;
  if (!approvals) {
    context.warn(
      logLine`send-approvals ${tenantId}: approvals are not configured (APPROVAL_SIGNING_KEYS, PUBLIC_BASE_URL, MAIL_SENDER); nothing sent`,
    );
    return;
  }
  const tenant = await tenantOrDefault(deps.tenants, tenantId);
  const result = await notifyApprovers({ ...deps, settings: approvals }, tenant, runId);
  context.log(logLine`send-approvals ${tenantId} in run ${runId}: ${result.status}`);
}
