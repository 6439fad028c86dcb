/**
 * After a tenant's scan: create the run's approval requests, then send ONE digest to the tenant's
 * approvers. Safe to call again for the same run (queue retries, re-runs):
 * - requests: ids are deterministic per run, so nothing is created twice;
 * - digest: a `Digests` record (tenant, run) is claimed BEFORE sending and marked sent after. A
 *   re-run finds it sent and does nothing. A crash between the send and markSent leaves it
 *   `sending`: the next attempt takes it over and sends again, so approvers get the digest at
 *   least once (twice in that rare case), never zero times.
 */
import type { ApprovalSettings } from "../config/settings.js";
import type { TenantGraph } from "../graph/client.js";
import type { TenantRecord } from "../model/tenant.js";
import type { DigestRecord, DigestsRepository } from "../storage/digests.js";
import type { StorageOperationOptions } from "../storage/operations.js";
import { approvalLink, approverAddresses, renderDigest, sendDigest, tenantReportLink } from "./digest.js";
import { createApprovalRequests, type ApprovalPlanningDeps } from "./plan.js";
import { ApprovalTokenSigner } from "./tokens.js";
import type { Approval } from "../model/approval.js";

export interface NotifyDeps extends ApprovalPlanningDeps {
  readonly digests: DigestsRepository;
  readonly settings: ApprovalSettings;
  /** A Graph client for a tenant: the mail goes out through settings.mailTenantId, else the tenant itself. */
  graphFor(tenantId: string): TenantGraph;
}

export interface NotifyOptions extends StorageOperationOptions {
  /** Default: the system clock. */
  readonly now?: Date;
  /** Per-run cap on new requests (default DEFAULT_MAX_REQUESTS_PER_RUN). */
  readonly maxRequests?: number;
}

export type NotifyResult =
  /** The digest went out, listing `approvals` requests (`created` of them new in this call). */
  | {
      readonly status: "sent";
      readonly approvals: number;
      readonly created: number;
      readonly deferred: number;
      readonly recipients: readonly string[];
      readonly attempt: number;
    }
  /** No pending request of this run: no email. */
  | { readonly status: "nothing-new"; readonly deferred: number }
  /** This run's digest was sent before (or another attempt is sending it right now). */
  | { readonly status: "already-sent"; readonly digest: DigestRecord | undefined }
  /** The tenant has no valid approver address: no request is created, since nobody could decide it. */
  | { readonly status: "no-approvers" };

export async function notifyApprovers(
  deps: NotifyDeps,
  tenant: TenantRecord,
  runId: string,
  options: NotifyOptions = {},
): Promise<NotifyResult> {
  const recipients = approverAddresses(tenant.config.approvers);
  if (recipients.length === 0) return { status: "no-approvers" };
  const now = options.now ?? new Date();
  const { settings } = deps;

  const requests = await createApprovalRequests(deps, tenant, runId, {
    ttlHours: settings.ttlHours,
    now,
    ...(options.maxRequests === undefined ? {} : { maxRequests: options.maxRequests }),
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
  });
  if (requests.toEmail.length === 0) return { status: "nothing-new", deferred: requests.deferred };

  const claim = await deps.digests.claim(tenant.tenantId, runId, { approvalCount: requests.toEmail.length, recipients, at: now }, options);
  if (!claim.claimed) return { status: "already-sent", digest: claim.digest };

  const tokens = await signTokens(settings, requests.toEmail, now);
  const digest = renderDigest({
    tenant,
    runId,
    approvals: requests.toEmail,
    linkFor: (approval, decision) => approvalLink(settings.publicBaseUrl, tokenOf(tokens, approval), decision),
    deferred: requests.deferred,
    reportUrl: tenantReportLink(settings.publicBaseUrl, tenant.tenantId),
  });
  await sendDigest(deps.graphFor(settings.mailTenantId ?? tenant.tenantId), { sender: settings.mailSender, approvers: recipients, digest });
  await deps.digests.markSent(tenant.tenantId, runId, new Date(), options);
  return {
    status: "sent",
    approvals: requests.toEmail.length,
    created: requests.created.length,
    deferred: requests.deferred,
    recipients,
    attempt: claim.digest.attempts,
  };
}

/** One token per request (bound to tenant, approval, action, subject; expiring with the request). */
async function signTokens(settings: ApprovalSettings, approvals: readonly Approval[], now: Date): Promise<Map<string, string>> {
  const signer = new ApprovalTokenSigner(settings.signingKeys);
  const tokens = await Promise.all(
    approvals.map(async (approval) => {
      const { tenantId, approvalId, action, subjectId, expiresAt } = approval;
      return [approvalId, await signer.sign({ tenantId, approvalId, action, subjectId, expiresAt }, now)] as const;
    }),
  );
  return new Map(tokens);
}

function tokenOf(tokens: ReadonlyMap<string, string>, approval: Approval): string {
  const token = tokens.get(approval.approvalId);
  if (token === undefined) throw new Error(`No signed token for approval ${approval.approvalId}`);
  return token;
}
