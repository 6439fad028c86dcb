/**
 * Reading Conditional Access policies the way docs/controls.md defines them, and the shared verdict of
 * the two tenant-level controls that pass on security defaults or on CA policies.
 * Graph enum strings (state excepted) are compared case-insensitively.
 */
import type { FindingDetail, FindingRow } from "../model/findings.js";
import type { ConditionalAccessPolicy, TenantSnapshot } from "../model/snapshot.js";
import { isExcluded, isExcludedGroup, type Exclusions } from "./exclusions.js";
import { isMember, type GroupMembers } from "./groups.js";
import { row, unknownRow, type ControlMeta } from "./rows.js";
import { andNot, anyOf, unreadable, type Proof } from "./sources.js";

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const has = (list: readonly string[], value: string): boolean => list.some((item) => same(item, value));

/** Only `enabled` counts: report-only and disabled policies enforce nothing. */
export const isEnabled = (policy: ConditionalAccessPolicy): boolean => policy.state === "enabled";

/**
 * MFA-requiring: `mfa` in builtInControls, or an authentication strength, and either operator AND
 * or no other built-in control to choose instead (OR with `compliantDevice` lets a compliant
 * device in without MFA). Conservative reading: the OR rule applies to authentication strengths
 * too. `passwordChange` marks a risk policy, which never counts.
 */
export function requiresMfa(policy: ConditionalAccessPolicy): boolean {
  const grant = policy.grantControls;
  if (grant === null || has(grant.builtInControls, "passwordChange")) return false;
  const asksMfa = has(grant.builtInControls, "mfa") || grant.authenticationStrength !== null;
  const alternatives = grant.builtInControls.filter((control) => !same(control, "mfa"));
  return asksMfa && (same(grant.operator, "AND") || alternatives.length === 0);
}

export const blocks = (policy: ConditionalAccessPolicy): boolean =>
  policy.grantControls !== null && has(policy.grantControls.builtInControls, "block");

export const targetsAllApps = (policy: ConditionalAccessPolicy): boolean =>
  has(policy.conditions.applications.includeApplications, "All");

/**
 * Conservative reading (docs/controls.md is silent): an MFA policy limited to legacy client types
 * does not require MFA of browsers and modern apps, so it must target `all` client app types
 * or both `browser` and `mobileAppsAndDesktopClients`.
 */
export function targetsModernClients(policy: ConditionalAccessPolicy): boolean {
  const types = policy.conditions.clientAppTypes;
  return has(types, "all") || (has(types, "browser") && has(types, "mobileAppsAndDesktopClients"));
}

/** Enabled, MFA-requiring, all applications, modern clients: who it covers is asked separately. */
export const enforcesMfa = (policy: ConditionalAccessPolicy): boolean =>
  isEnabled(policy) && requiresMfa(policy) && targetsAllApps(policy) && targetsModernClients(policy);

/**
 * includeUsers `All`, no excludeRoles, and nothing excluded but configured exclusions: excluded
 * groups must be configured groups; excluded users configured users or members of configured groups
 * (a user only an unreadable group could vouch for does not count as configured).
 */
export function targetsAllUsers(policy: ConditionalAccessPolicy, exclusions: Exclusions): boolean {
  const users = policy.conditions.users;
  return (
    has(users.includeUsers, "All") &&
    users.excludeRoles.length === 0 &&
    users.excludeUsers.every((id) => isExcluded(exclusions, id) === true) &&
    users.excludeGroups.every((id) => isExcludedGroup(exclusions, id))
  );
}

export interface PolicySubject {
  readonly id: string;
  /** Roles held actively: a PIM-eligible role is not in effect until activated, so it is not included. */
  readonly activeRoles: ReadonlySet<string>;
  /** Roles held actively or as eligible: either may put the user in excludeRoles (conservative). */
  readonly heldRoles: ReadonlySet<string>;
}

/** Is the user in the policy's scope? Unproven when a group it names cannot be read. */
export function coversUser(policy: ConditionalAccessPolicy, subject: PolicySubject, groups: GroupMembers): Proof {
  const users = policy.conditions.users;
  const included = anyOf([
    has(users.includeUsers, "All") || has(users.includeUsers, subject.id),
    users.includeRoles.some((roleId) => subject.activeRoles.has(roleId)),
    ...users.includeGroups.map((groupId) => isMember(groups, groupId, subject.id)),
  ]);
  const excluded = anyOf([
    has(users.excludeUsers, subject.id),
    users.excludeRoles.some((roleId) => subject.heldRoles.has(roleId)),
    ...users.excludeGroups.map((groupId) => isMember(groups, groupId, subject.id)),
  ]);
  return andNot(included, excluded);
}

export const policyRef = (policy: ConditionalAccessPolicy): FindingDetail => ({
  id: policy.id,
  displayName: policy.displayName,
});

export interface PolicyJudgement {
  readonly pass: boolean;
  readonly detail: FindingDetail;
}

/**
 * Tenant-level verdict for controls met by security defaults or by CA policies (`judge`).
 * - security defaults on → pass (`decidedOn: "security-defaults"`);
 * - CA readable and `judge` passes → pass (`decidedOn: "conditional-access"`);
 * - security defaults unreadable → unknown (they might be on);
 * - CA unreadable for `license` (Free tenant: no CA) → decided on security defaults alone: fail;
 *   for `permission`/`error` → unknown (a policy might exist);
 * - otherwise fail, with `judge`'s evidence for an empty policy list when CA was unreadable.
 */
export function judgeBaseline(
  meta: ControlMeta,
  snapshot: TenantSnapshot,
  judge: (policies: readonly ConditionalAccessPolicy[]) => PolicyJudgement,
): FindingRow {
  const { securityDefaults: defaults, conditionalAccessPolicies: ca } = snapshot;
  if (defaults.ok && defaults.data.isEnabled) {
    return row(meta, null, "pass", { decidedOn: "security-defaults", securityDefaultsEnabled: true });
  }
  const verdict = judge(ca.ok ? ca.data : []);
  if (verdict.pass) return row(meta, null, "pass", { decidedOn: "conditional-access", ...verdict.detail });
  const caFailure = ca.ok ? [] : [unreadable("conditionalAccessPolicies", ca)];
  if (!defaults.ok) return unknownRow(meta, null, [unreadable("securityDefaults", defaults), ...caFailure]);
  if (!ca.ok && ca.reason !== "license") {
    return unknownRow(meta, null, caFailure, { securityDefaultsEnabled: false });
  }
  return row(meta, null, "fail", {
    decidedOn: ca.ok ? "conditional-access" : "security-defaults",
    securityDefaultsEnabled: false,
    ...(ca.ok ? {} : { conditionalAccess: `not readable (license): ${ca.message}` }),
    ...verdict.detail,
  });
}
