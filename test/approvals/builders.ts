/** One pending approval request with plain defaults; tests override what they are about. */
import type { Approval } from "../../shared/model/approval.js";

export function pendingApproval(overrides: Partial<Approval> & Pick<Approval, "tenantId" | "approvalId">): Approval {
  return {
    runId: "20261128T020000.000Z",
    control: "accounts.inactive-30",
    subjectId: null,
    action: "block-account",
    evidence: {},
    createdAt: new Date("2026-11-28T02:30:00Z"),
    expiresAt: new Date("2026-12-01T02:30:00Z"),
    state: "pending",
    decidedBy: null,
    decidedAt: null,
    outcome: null,
    outcomeMessage: null,
    auditId: null,
    undo: null,
    ...overrides,
  };
}
