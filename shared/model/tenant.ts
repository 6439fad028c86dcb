/** A tenant as the product knows it: who it is and its settings (not Graph data). */

export type LicenseTier = "free" | "p1" | "p2";

export interface TenantExclusions {
  /** Break-glass and service accounts: never a fail row, never remediated. */
  readonly userIds: readonly string[];
  /** Members of these groups are excluded like userIds. */
  readonly groupIds: readonly string[];
}

export interface TenantConfig {
  readonly exclusions: TenantExclusions;
  /** Email addresses that receive approval requests. */
  readonly approvers: readonly string[];
}

export interface TenantRecord {
  readonly tenantId: string;
  readonly displayName: string;
  readonly enabled: boolean;
  readonly config: TenantConfig;
}
