/**
 * "Does the finding still hold?" answered by the control itself: the subject just re-read from
 * Graph goes into a one-subject snapshot and the control's own evaluate() judges it, so a re-check
 * can never drift from the nightly rule (days inactive, consent prefixes, "never expires" values).
 */
import { accountsInactive30, accountsInactive90 } from "../controls/accounts-inactive.js";
import { appsUserConsent } from "../controls/apps-user-consent.js";
import type { Control } from "../controls/control.js";
import { isJudgedDomain, passwordNeverExpire } from "../controls/password-never-expire.js";
import type { FindingRow } from "../model/findings.js";
import type { Domain, SnapshotUser, Source, TenantSnapshot } from "../model/snapshot.js";
import type { TenantConfig } from "../model/tenant.js";

const NOT_READ: Source<never> = { ok: false, reason: "error", message: "not read for the remediation re-check" };

/** Exclusions are a guardrail of their own (read from Graph at action time), not part of the re-check. */
const NO_EXCLUSIONS: TenantConfig = { exclusions: { userIds: [], groupIds: [] }, approvers: [] };

/** A snapshot holding only `parts`; every other source is "not read" (controls never read those). */
export function partialSnapshot(tenantId: string, at: Date, parts: Partial<TenantSnapshot>): TenantSnapshot {
  return {
    tenantId,
    collectedAt: at.toISOString(),
    users: NOT_READ,
    signInActivity: NOT_READ,
    registrationDetails: NOT_READ,
    roleAssignments: NOT_READ,
    roleEligibility: NOT_READ,
    groupMembers: {},
    securityDefaults: NOT_READ,
    conditionalAccessPolicies: NOT_READ,
    authorizationPolicy: NOT_READ,
    domains: NOT_READ,
    perUserMfa: {},
    ...parts,
  };
}

function judge(control: Control, snapshot: TenantSnapshot, asOf: Date, subjectId: string | null): FindingRow | undefined {
  return control.evaluate({ snapshot, config: NO_EXCLUSIONS, asOf }).find((row) => row.subjectId === subjectId);
}

export type Recheck =
  | { readonly holds: true; readonly detail: FindingRow["detail"] }
  | { readonly holds: false; readonly why: string };

/**
 * Inactive for 30 days or more at `asOf`, by accounts.inactive-30/-90's own rules (either bucket:
 * a user flagged at 30 days who has reached 90 is still inactive). Disabled users never fail.
 */
export function recheckInactive(tenantId: string, user: SnapshotUser, asOf: Date): Recheck {
  const snapshot = partialSnapshot(tenantId, asOf, { users: { ok: true, data: [user] }, signInActivity: { ok: true, data: true } });
  const rows = [accountsInactive30, accountsInactive90].map((control) => judge(control, snapshot, asOf, user.id));
  const failing = rows.find((row) => row?.status === "fail");
  if (failing) return { holds: true, detail: failing.detail };
  if (!user.accountEnabled) return { holds: false, why: "the account is already disabled" };
  const unknown = rows.find((row) => row?.status === "unknown");
  if (unknown) return { holds: false, why: "its inactivity cannot be confirmed (no usable sign-in or creation date)" };
  return { holds: false, why: "the account has been active within the last 30 days" };
}

/** The built-in self-consent entries apps.user-consent fails on (empty when the control passes). */
export function selfConsentEntries(tenantId: string, assigned: readonly string[], asOf: Date): readonly string[] {
  const snapshot = partialSnapshot(tenantId, asOf, {
    authorizationPolicy: { ok: true, data: { permissionGrantPoliciesAssigned: assigned } },
  });
  const row = judge(appsUserConsent, snapshot, asOf, null);
  if (row?.status !== "fail") return [];
  const offending = row.detail.offending;
  return Array.isArray(offending) ? offending.filter((entry): entry is string => typeof entry === "string") : [];
}

/** Does password.never-expire still fail for this domain (verified, managed, finite validity)? */
export function recheckDomain(tenantId: string, domain: Domain, asOf: Date): Recheck {
  const snapshot = partialSnapshot(tenantId, asOf, { domains: { ok: true, data: [domain] } });
  const row = judge(passwordNeverExpire, snapshot, asOf, domain.id);
  if (row?.status === "fail") return { holds: true, detail: row.detail };
  return {
    holds: false,
    why: isJudgedDomain(domain) ? "passwords on this domain already never expire" : "the domain is no longer a verified, managed domain",
  };
}
