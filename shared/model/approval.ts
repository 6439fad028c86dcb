/** The approval contract shared by planning, email, the confirmation page and storage. */
import type { ControlId, FindingDetail } from "./findings.js";
import type { RemediationAction, RemediationOutcome } from "./remediation.js";

export type ApprovalState = "pending" | "approved" | "rejected" | "expired";

export interface Approval {
  readonly tenantId: string;
  /**
   * Deterministic per (tenant, control, subject, action, runId): re-planning a run never duplicates
   * (see shared/approvals/plan.ts for why the run, not the finding's firstSeen).
   */
  readonly approvalId: string;
  readonly runId: string;
  readonly control: ControlId;
  readonly subjectId: string | null;
  readonly action: RemediationAction;
  /** Evidence shown in the email and on the page (the finding's detail at planning time). */
  readonly evidence: FindingDetail;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly state: ApprovalState;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  /** Set once the approved action ran: its outcome and audit id. */
  readonly outcome: RemediationOutcome | null;
  readonly outcomeMessage: string | null;
  readonly auditId: string | null;
  /** Set when the approved action was undone later (from any channel). */
  readonly undo: ApprovalUndo | null;
}

/** An undo of the action an approval ran: the page shows it instead of the original result. */
export interface ApprovalUndo {
  /** The undo's own audit row. */
  readonly auditId: string;
  readonly undoneBy: string;
  readonly undoneAt: Date;
}

/** What a signed link token binds (claims of the JWT). */
export interface ApprovalTokenClaims {
  readonly tenantId: string;
  readonly approvalId: string;
  readonly action: RemediationAction;
  readonly subjectId: string | null;
  readonly expiresAt: Date;
}

/** Why a token was not accepted; each maps to a page and a status code. */
export type TokenRejection = "malformed" | "bad-signature" | "unknown-key" | "expired";
