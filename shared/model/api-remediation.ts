/**
 * The ticketing API's remediation request (version 2): what a ticketing system asked for, and
 * where it stands. One per (tenant, ticket, action, subject): asking again answers this request.
 */
import type { ControlId } from "./findings.js";
import type { RemediationAction, RemediationOutcome, RemediationResult } from "./remediation.js";

/**
 * - pending-approval: waiting for the tenant's approvers (the approval link was sent)
 * - running: the action runs now (or its runner died; a retry after the lease time takes it over)
 * - done / stale / refused / permission-denied / failed: the outcome of the guarded path
 * - rejected / expired: the approvers said no, or nobody decided in time; nothing ran
 */
export const API_REMEDIATION_STATES = [
  "pending-approval",
  "running",
  "done",
  "stale",
  "refused",
  "permission-denied",
  "failed",
  "rejected",
  "expired",
] as const;
export type ApiRemediationState = (typeof API_REMEDIATION_STATES)[number];

/** The outcome states are exactly remediate()'s outcomes: a new outcome fails to compile here. */
export const OUTCOME_STATE: { readonly [O in RemediationOutcome]: O & ApiRemediationState } = {
  done: "done",
  stale: "stale",
  refused: "refused",
  "permission-denied": "permission-denied",
  failed: "failed",
};

/** What the caller sends (POST /api/remediations). */
export interface ApiRemediationInput {
  readonly tenantId: string;
  readonly action: RemediationAction;
  readonly control: ControlId;
  readonly subjectId: string | null;
  /** The ticket in the caller's system, e.g. "INC0012345". */
  readonly ticketId: string;
  readonly requestedBy: string;
  readonly reason: string;
  /** Stored for the outbound events; nothing is sent to it yet. */
  readonly callbackUrl: string | null;
}

/** An undo of the request's action (POST /api/remediations/{id}/undo): claimed once, run once. */
export interface ApiRemediationUndo {
  readonly state: "running" | RemediationOutcome;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly result: RemediationResult | null;
}

export interface ApiRemediation extends ApiRemediationInput {
  /** `<tenantId>.<hash of the natural key>`: the same ticket, action and subject give the same id. */
  readonly id: string;
  /** The caller app that created it (its app id), or the operator's key. */
  readonly callerId: string;
  readonly state: ApiRemediationState;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Set when the tenant's policy sent the request to its approvers. */
  readonly approvalId: string | null;
  /** The guarded path's answer, once it ran. */
  readonly result: RemediationResult | null;
  readonly undo: ApiRemediationUndo | null;
}
