/** A tenant as the product knows it: who it is and its settings (not Graph data). */
import type { SinkConfig } from "./events.js";
import type { RemediationAction } from "./remediation.js";

export type LicenseTier = "free" | "p1" | "p2";

export interface TenantExclusions {
  /** Break-glass and service accounts: never a fail row, never remediated. */
  readonly userIds: readonly string[];
  /** Members of these groups are excluded like userIds. */
  readonly groupIds: readonly string[];
}

/**
 * What remediation may be proposed for the tenant. Every field is optional; absent means the safe
 * default (see shared/remediation/policy.ts): every action is proposed, each needs approval.
 */
export interface TenantRemediationConfig {
  /** Actions that produce approval requests. Default: all four. `[]` turns requests off. */
  readonly actions?: readonly RemediationAction[];
  /** mfa.admins `not-registered` admins get block-account instead of enforce-mfa. Default false. */
  readonly blockUnregisteredAdmins?: boolean;
  /** A ticketing API request (version 2) runs at once instead of waiting for the approvers. Default false. */
  readonly apiRunsWithoutApproval?: boolean;
}

export interface TenantConfig {
  readonly exclusions: TenantExclusions;
  /** Email addresses that receive approval requests. */
  readonly approvers: readonly string[];
  /** Absent in older records and fixtures: the defaults apply. */
  readonly remediation?: TenantRemediationConfig;
  /** Outbound-event sinks of this tenant, added to the fleet's (NOTIFY_SINKS); one with a fleet sink's id replaces it. */
  readonly notify?: { readonly sinks: readonly SinkConfig[] };
}

export interface TenantRecord {
  readonly tenantId: string;
  readonly displayName: string;
  readonly enabled: boolean;
  readonly config: TenantConfig;
}

/** A tenant listed in settings (TENANT_IDS) but never registered: no exclusions, no approvers, no sinks of its own. */
export function unregisteredTenant(tenantId: string): TenantRecord {
  return { tenantId, displayName: tenantId, enabled: true, config: { exclusions: { userIds: [], groupIds: [] }, approvers: [] } };
}
