/**
 * What the onboarding check found in a tenant (shared/onboarding/check.ts): per feature of the
 * permission manifest, ready or the gap that stops it. Stored on the tenant's record (Tenants table,
 * column `readiness`) and answered by `POST tenants/{tenantId}/check` as it is here.
 */

/** Most blocking first: a feature shows the first that applies. */
export const FEATURE_STATUSES = ["error", "missing-permission", "missing-role", "missing-licence", "ready", "not-needed"] as const;
export type FeatureStatus = (typeof FEATURE_STATUSES)[number];

export interface LicenceGap {
  readonly licence: string;
  /** What cannot be done without it ("list users with sign-in activity"). */
  readonly for: readonly string[];
}

export interface FeatureReadiness {
  /** A permission-manifest feature ("sweep", "block-account", … "digest-mail"). */
  readonly feature: string;
  readonly title: string;
  readonly status: FeatureStatus;
  /** Application permissions the tenant has not granted (least privileged names of the manifest). */
  readonly missingPermissions: readonly string[];
  readonly missingLicences: readonly LicenceGap[];
  /** The Entra role the app's service principal lacks, for administrators as targets. */
  readonly missingRole: string | null;
  /** Errors and what could not be checked, one line each. */
  readonly problems: readonly string[];
  /** What to do about each gap, one line each. */
  readonly next: readonly string[];
}

export const PROBE_OUTCOMES = ["ok", "missing-permission", "missing-licence", "error", "skipped"] as const;
export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];

/** One cheap read the check made (or skipped), e.g. `GET v1.0/users?$top=1`. */
export interface ProbeResult {
  readonly source: string;
  readonly request: string;
  readonly outcome: ProbeOutcome;
  readonly detail: string | null;
}

export interface ReadinessReport {
  readonly version: 1;
  readonly tenantId: string;
  /** GRAPH_CLIENT_ID the check signed in as. */
  readonly appId: string;
  readonly checkedAt: string;
  readonly signedIn: boolean;
  readonly signInError: string | null;
  /** The app-only token's `roles` claim: the application permissions granted in the tenant. */
  readonly grantedPermissions: readonly string[];
  /** The app's service principal in the tenant; null when it could not be read. */
  readonly servicePrincipalId: string | null;
  /** Directory roles assigned to that service principal; null when they could not be read. */
  readonly appDirectoryRoles: readonly string[] | null;
  readonly probes: readonly ProbeResult[];
  readonly features: readonly FeatureReadiness[];
  /** The nightly sweep can run: signed in and every permission it needs granted (licence gaps only limit it). */
  readonly sweepReady: boolean;
  /** One line: "sweep ready; block-account: missing role …". */
  readonly summary: string;
}
