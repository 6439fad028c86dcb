/** The remediation contract: what a channel (approval link, ticketing API) asks for, and what it gets back and the Audit table keeps. */
import type { ControlId } from "./findings.js";

export const REMEDIATION_ACTIONS = ["block-account", "enforce-mfa", "disable-user-consent", "set-password-never-expire"] as const;
export type RemediationAction = (typeof REMEDIATION_ACTIONS)[number];

/** Which controls' findings each action fixes (subjectId: user id, domain id, or null for tenant-level). */
export const ACTION_FOR_CONTROL: Readonly<Partial<Record<ControlId, RemediationAction>>> = {
  "accounts.inactive-30": "block-account",
  "accounts.inactive-90": "block-account",
  "mfa.admins": "enforce-mfa",
  "apps.user-consent": "disable-user-consent",
  "password.never-expire": "set-password-never-expire",
};

export type RemediationChannel = "approval" | "api";

export interface RemediationRequest {
  readonly tenantId: string;
  readonly action: RemediationAction;
  /** User id (block-account, enforce-mfa), domain id (set-password-never-expire), null (disable-user-consent). */
  readonly subjectId: string | null;
  /** The finding that justified the action; the guardrail re-checks it just before acting. */
  readonly control: ControlId;
  readonly channel: RemediationChannel;
  /** Approver email or API caller identity. */
  readonly requestedBy: string;
  /** Set when the request comes from an approval. */
  readonly approvalId?: string;
}

export interface UndoRequest {
  readonly tenantId: string;
  /** The audit id of the action to undo. */
  readonly auditId: string;
  readonly channel: RemediationChannel;
  readonly requestedBy: string;
}

/**
 * - done: the change was made (or undone)
 * - stale: the finding no longer holds (re-read just before acting); nothing changed
 * - refused: a guardrail said no (excluded principal, last Global Admins, on-premises synced, own principal)
 * - permission-denied: Graph refused for lack of permission/role (403)
 * - failed: anything else (Graph error after retries)
 */
export type RemediationOutcome = "done" | "stale" | "refused" | "permission-denied" | "failed";

export interface RemediationResult {
  readonly outcome: RemediationOutcome;
  /** One sentence for the approver / the API caller, without secrets or raw exception text. */
  readonly message: string;
  /** The audit row written for this attempt. */
  readonly auditId: string;
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
  /** Graph request-id of the write, when one was made. */
  readonly graphRequestId: string | null;
}
