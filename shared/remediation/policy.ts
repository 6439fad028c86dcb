/**
 * A tenant's remediation policy with safe defaults: which findings become approval requests, with
 * which action. Every request from a sweep needs a human approval: there is no automatic mode, so
 * `requireApproval` is always true and no setting changes it. A ticketing API request (version 2)
 * waits for the approvers too, unless the tenant sets `apiRunsWithoutApproval` (the ticket is then
 * the approval).
 */
import type { JudgedEvidence } from "../model/evidence.js";
import type { ControlId, FindingDetail } from "../model/findings.js";
import type { TenantConfig } from "../model/tenant.js";
import { ACTION_FOR_CONTROL, REMEDIATION_ACTIONS, type RemediationAction } from "../model/remediation.js";

export interface RemediationPolicy {
  /** Actions that produce approval requests. */
  readonly actions: ReadonlySet<RemediationAction>;
  /** mfa.admins `not-registered` → block-account (instead of enforce-mfa). */
  readonly blockUnregisteredAdmins: boolean;
  /** Always true: nothing is remediated without an approval (no automatic mode exists yet). */
  readonly requireApproval: true;
  /** A ticketing API request runs at once (200) instead of waiting for the approvers (202). */
  readonly apiRunsWithoutApproval: boolean;
}

export const DEFAULT_REMEDIATION_POLICY: RemediationPolicy = {
  actions: new Set(REMEDIATION_ACTIONS),
  blockUnregisteredAdmins: false,
  requireApproval: true,
  apiRunsWithoutApproval: false,
};

/** The policy from the tenant's config; each field left out takes its default. */
export function remediationPolicy(config: TenantConfig): RemediationPolicy {
  const remediation = config.remediation;
  return {
    actions: remediation?.actions ? new Set(remediation.actions) : DEFAULT_REMEDIATION_POLICY.actions,
    blockUnregisteredAdmins: remediation?.blockUnregisteredAdmins ?? DEFAULT_REMEDIATION_POLICY.blockUnregisteredAdmins,
    requireApproval: true,
    apiRunsWithoutApproval: remediation?.apiRunsWithoutApproval ?? DEFAULT_REMEDIATION_POLICY.apiRunsWithoutApproval,
  };
}

/** Named through the evidence type, so renaming the field or its value in mfa.admins breaks this at compile time. */
const ADMIN_MFA_REASON = "reason" satisfies keyof JudgedEvidence<"mfa.admins">;
const NOT_REGISTERED = "not-registered" satisfies JudgedEvidence<"mfa.admins">["reason"];

/**
 * The action a failing finding calls for under `policy`, or undefined (not remediable, or the
 * action is turned off). Decision: an unregistered admin under `blockUnregisteredAdmins` gets
 * block-account *instead of* enforce-mfa (requiring MFA of someone without a method lets whoever
 * holds the password register one); if block-account is turned off, that admin gets no request.
 */
export function actionFor(
  finding: { readonly control: ControlId; readonly detail: FindingDetail },
  policy: RemediationPolicy,
): RemediationAction | undefined {
  const action =
    finding.control === "mfa.admins" && policy.blockUnregisteredAdmins && finding.detail[ADMIN_MFA_REASON] === NOT_REGISTERED
      ? "block-account"
      : ACTION_FOR_CONTROL[finding.control];
  return action !== undefined && policy.actions.has(action) ? action : undefined;
}
