/** The finding rows controls produce and the sweep stores, reports and emails. */

export const CONTROL_IDS = [
  "accounts.inactive-30",
  "accounts.inactive-90",
  "mfa.admins",
  "mfa.all-users",
  "auth.legacy-blocked",
  "password.sspr-enabled",
  "password.never-expire",
  "apps.user-consent",
  "roles.global-admin-count",
] as const;

export type ControlId = (typeof CONTROL_IDS)[number];

export type FindingStatus = "fail" | "pass" | "unknown" | "not-applicable";

/** Fixed severity scale, highest first. */
export const SEVERITIES = ["high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export type FindingDetail = Readonly<Record<string, unknown>>;

export interface FindingRow {
  readonly control: ControlId;
  /** User id, or domain id for password.never-expire; null for tenant-level rows. */
  readonly subjectId: string | null;
  readonly status: FindingStatus;
  readonly severity: Severity;
  readonly detail: FindingDetail;
}
