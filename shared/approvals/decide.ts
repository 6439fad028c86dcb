/**
 * What an approval link does, apart from HTTP: open it (read-only, for the confirmation page) and
 * decide it (for the form post). The approval page uses it; a ticketing API can share it.
 *
 * decide: verify the token → load the approval (the token's tenant is the partition, so a token for
 * another tenant finds nothing) → check the token matches the approval (action, subject) → refuse
 * an expired request or a tenant that is gone or disabled → take the decision with the repository's
 * ETag-conditional `decide`, which has exactly one winner → the winner, if it approved, runs the
 * remediation once and records its outcome. Everyone else gets the recorded decision.
 */
import type { TenantRecord } from "../model/tenant.js";
import type { ApprovalsRepository } from "../storage/approvals.js";
import type { RemediationLog } from "../remediation/remediate.js";
import type { RemediationRequest, RemediationResult } from "../model/remediation.js";
import type { SigningKeys } from "../config/signing-keys.js";
import { verifyApprovalToken } from "./tokens.js";
import type { Approval, TokenRejection } from "../model/approval.js";

/** The repository calls this flow makes. */
export type ApprovalDecisionStore = Pick<ApprovalsRepository, "get" | "decide" | "recordOutcome">;

export interface ApprovalDecisionDeps {
  readonly keys: SigningKeys;
  readonly approvals: ApprovalDecisionStore;
  readonly tenants: { get(tenantId: string): Promise<TenantRecord | undefined> };
  /** Runs the action against the tenant (remediate with its Graph client and the audit table). */
  readonly remediate: (tenant: TenantRecord, request: RemediationRequest, log?: RemediationLog) => Promise<RemediationResult>;
}

/** Why a link cannot be used; each maps to one page and status code (functions/approval-page.ts). */
export type LinkProblem =
  | { readonly kind: "token"; readonly rejection: TokenRejection }
  | { readonly kind: "unknown-approval" }
  /** A valid signature over claims that do not match the stored approval. */
  | { readonly kind: "mismatch" }
  | { readonly kind: "approval-expired"; readonly approval: Approval; readonly tenantName: string }
  /** The tenant was removed or disabled since the email: nothing may run against it. */
  | { readonly kind: "tenant-unavailable"; readonly approval: Approval; readonly tenantName: string };

export type OpenedLink =
  | { readonly ok: true; readonly approval: Approval; readonly tenant: TenantRecord }
  /** Decided already: shown with its recorded outcome (the tenant may be gone by now). */
  | { readonly ok: "decided"; readonly approval: Approval; readonly tenantName: string }
  | { readonly ok: false; readonly problem: LinkProblem };

export type DecisionResult =
  | { readonly kind: "problem"; readonly problem: LinkProblem }
  /** Someone (or an earlier click) decided first; `approval` is what is recorded. */
  | { readonly kind: "already-decided"; readonly approval: Approval; readonly tenantName: string }
  | { readonly kind: "rejected"; readonly approval: Approval; readonly tenantName: string }
  | { readonly kind: "approved"; readonly approval: Approval; readonly tenantName: string; readonly result: RemediationResult }
  /** Approved, but the action or its bookkeeping threw: the decision stands, the outcome is unrecorded. */
  | { readonly kind: "action-error"; readonly approval: Approval; readonly tenantName: string; readonly error: unknown };

/**
 * Who decided. The link is a bearer capability emailed to the tenant's approvers, not a login, so
 * the record says exactly that instead of naming one person it cannot tell apart from the others.
 */
export function linkDecider(tenant: TenantRecord): string {
  const approvers = tenant.config.approvers;
  if (approvers.length === 0) return "approval link";
  const all = `approval link sent to ${approvers.join(", ")}`;
  // The audit row holds a bounded requestedBy: a long approver list is summarised, never refused.
  return all.length <= MAX_DECIDER_CHARS
    ? all
    : `approval link sent to ${approvers.length} approvers (${approvers.slice(0, 3).join(", ")}, …)`.slice(0, MAX_DECIDER_CHARS);
}

/** Well inside the audit's limit for requestedBy (MAX_REQUEST_FIELD_CHARS). */
const MAX_DECIDER_CHARS = 500;

/** Read-only: what the confirmation page shows. Never changes anything. */
export async function openApprovalLink(deps: ApprovalDecisionDeps, token: string, now: Date): Promise<OpenedLink> {
  const verified = await verifyApprovalToken(token, deps.keys, now);
  if (!verified.ok) return { ok: false, problem: { kind: "token", rejection: verified.rejection } };
  const { claims } = verified;
  const approval = await deps.approvals.get(claims.tenantId, claims.approvalId);
  if (!approval) return { ok: false, problem: { kind: "unknown-approval" } };
  if (approval.tenantId !== claims.tenantId || approval.action !== claims.action || approval.subjectId !== claims.subjectId) {
    return { ok: false, problem: { kind: "mismatch" } };
  }
  const tenant = await deps.tenants.get(approval.tenantId);
  const tenantName = tenant?.displayName ?? approval.tenantId;
  if (approval.state === "approved" || approval.state === "rejected") return { ok: "decided", approval, tenantName };
  if (approval.state === "expired" || approval.expiresAt.getTime() <= now.getTime()) {
    return { ok: false, problem: { kind: "approval-expired", approval, tenantName } };
  }
  if (!tenant?.enabled) return { ok: false, problem: { kind: "tenant-unavailable", approval, tenantName } };
  return { ok: true, approval, tenant };
}

export interface DecideInput {
  readonly token: string;
  readonly decision: "approve" | "reject";
  readonly now: Date;
  /** The invocation's log, for the remediation's outcome line. */
  readonly log?: RemediationLog;
}

/** The form post: at most one caller per approval wins, and only the winner acts. */
export async function decideApproval(deps: ApprovalDecisionDeps, input: DecideInput): Promise<DecisionResult> {
  const opened = await openApprovalLink(deps, input.token, input.now);
  if (opened.ok === false) return { kind: "problem", problem: opened.problem };
  if (opened.ok === "decided") return { kind: "already-decided", approval: opened.approval, tenantName: opened.tenantName };

  const { tenant } = opened;
  const decidedBy = linkDecider(tenant);
  const decision = input.decision === "approve" ? "approved" : "rejected";
  const taken = await deps.approvals.decide(tenant.tenantId, opened.approval.approvalId, { decision, decidedBy, at: input.now });
  const tenantName = tenant.displayName;
  if (taken === undefined) return { kind: "problem", problem: { kind: "unknown-approval" } };
  if (!taken.won) {
    // Lost to another decider, or the request ran out between the read and the write.
    if (taken.approval.state === "expired")
      return { kind: "problem", problem: { kind: "approval-expired", approval: taken.approval, tenantName } };
    return { kind: "already-decided", approval: taken.approval, tenantName };
  }
  if (decision === "rejected") return { kind: "rejected", approval: taken.approval, tenantName };

  const approval = taken.approval;
  try {
    const result = await deps.remediate(
      tenant,
      {
        tenantId: tenant.tenantId,
        action: approval.action,
        subjectId: approval.subjectId,
        control: approval.control,
        channel: "approval",
        requestedBy: decidedBy,
        approvalId: approval.approvalId,
      },
      input.log,
    );
    await deps.approvals.recordOutcome(tenant.tenantId, approval.approvalId, {
      outcome: result.outcome,
      message: result.message,
      auditId: result.auditId,
    });
    return {
      kind: "approved",
      approval: { ...approval, outcome: result.outcome, outcomeMessage: result.message, auditId: result.auditId },
      tenantName,
      result,
    };
  } catch (error) {
    return { kind: "action-error", approval, tenantName, error };
  }
}
