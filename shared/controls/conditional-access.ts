/**
 * When a Conditional Access policy counts (docs/controls.md, "Conditional Access: when a policy
 * counts"): one decision for mfa.all-users, auth.legacy-blocked and the enforcement part of
 * mfa.admins, with the reasons a policy does not count, so a report can say why.
 * Graph enum strings (state excepted) are compared case-insensitively.
 */
import type { BaselineControl, BaselineJudgements, PolicyNotCounted, PolicyRef } from "../model/evidence.js";
import type { FindingRow } from "../model/findings.js";
import type { ConditionalAccessPolicy, IncludeExclude, TenantSnapshot } from "../model/snapshot.js";
import { isExcluded, isExcludedGroup, type Exclusions } from "./exclusions.js";
import { isMember, type GroupMembers } from "./groups.js";
import { row, unknownRow, type ControlMeta } from "./rows.js";
import { andNot, anyOf, unreadable, type Proof } from "./sources.js";

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const has = (list: readonly string[], value: string): boolean => list.some((item) => same(item, value));
const listed = (values: readonly string[]): string => values.join(", ");

/** What a policy must do to count: require MFA, or block (legacy authentication). */
export type GrantPurpose = "mfa" | "block";

/**
 * Who a policy must cover: everyone but the tenant's configured exclusions (mfa.all-users,
 * auth.legacy-blocked), or each admin in turn (mfa.admins: exclusions of other people don't
 * matter, and whether it covers the admin is asked by `coversUser`).
 */
export type PolicyAudience = { readonly everyoneBut: Exclusions } | "each-admin";

export const LEGACY_CLIENT_TYPES = ["exchangeActiveSync", "other"] as const;

/** clientAppTypes `all` covers each legacy type too (such a policy blocks them with everything else). */
export const targetsClientType = (policy: ConditionalAccessPolicy, clientType: string): boolean =>
  has(policy.conditions.clientAppTypes, "all") || has(policy.conditions.clientAppTypes, clientType);

/**
 * Why the policy does not count for `purpose` and `audience`; empty when it counts. Each reason is
 * a short phrase a report can show ("excludes guests or external users: b2bCollaborationGuest").
 */
function whyPolicyDoesNotCount(policy: ConditionalAccessPolicy, purpose: GrantPurpose, audience: PolicyAudience): readonly string[] {
  return [
    ...stateShortfalls(policy),
    ...applicationShortfalls(policy),
    ...narrowingConditions(policy),
    ...(audience === "each-admin" ? [] : audienceShortfalls(policy, audience.everyoneBut)),
    ...(purpose === "mfa" ? mfaGrantShortfalls(policy) : blockGrantShortfalls(policy)),
    ...clientAppShortfalls(policy, purpose),
  ];
}

/** Policies meant for the purpose (their grant asks for MFA or a block), so worth explaining when they don't count. */
function isMeantFor(policy: ConditionalAccessPolicy, purpose: GrantPurpose): boolean {
  const grant = policy.grantControls;
  if (grant === null) return false;
  if (purpose === "block") return has(grant.builtInControls, "block");
  return has(grant.builtInControls, "mfa") || grant.authenticationStrength !== null;
}

/** One policy judged for a purpose: it counts when `reasons` is empty. */
export interface JudgedPolicy {
  readonly policy: ConditionalAccessPolicy;
  readonly reasons: readonly string[];
  /** Its grant asks for what the purpose needs, so a report explains it when it does not count. */
  readonly meantFor: boolean;
}

/** Every policy judged once, in the tenant's order (the controls then read the verdicts, never judge again). */
export function judgePolicies(
  policies: readonly ConditionalAccessPolicy[],
  purpose: GrantPurpose,
  audience: PolicyAudience,
): JudgedPolicy[] {
  return policies.map((policy) => ({
    policy,
    reasons: whyPolicyDoesNotCount(policy, purpose, audience),
    meantFor: isMeantFor(policy, purpose),
  }));
}

export const countedPolicies = (judged: readonly JudgedPolicy[]): ConditionalAccessPolicy[] =>
  judged.filter((j) => j.reasons.length === 0).map((j) => j.policy);

/** The policies meant for the purpose that do not count, with why: the evidence a fail row carries. */
export const policiesNotCounted = (judged: readonly JudgedPolicy[]): PolicyNotCounted[] =>
  judged.filter((j) => j.meantFor && j.reasons.length > 0).map((j) => ({ ...policyRef(j.policy), reasons: j.reasons }));

/** Only `enabled` counts: report-only and disabled policies enforce nothing. */
function stateShortfalls(policy: ConditionalAccessPolicy): string[] {
  if (policy.state === "enabled") return [];
  return [policy.state === "disabled" ? "disabled" : "report-only (enabledForReportingButNotEnforced)"];
}

/** All applications, none excluded, and no user action or authentication context in their place. */
function applicationShortfalls(policy: ConditionalAccessPolicy): string[] {
  const apps = policy.conditions.applications;
  return [
    ...(has(apps.includeApplications, "All") ? [] : ["not for all applications"]),
    ...(apps.excludeApplications.length > 0 ? [`excludes applications: ${listed(apps.excludeApplications)}`] : []),
    ...(apps.includeUserActions.length > 0 ? [`only for user actions: ${listed(apps.includeUserActions)}`] : []),
    ...(apps.includeAuthenticationContextClassReferences.length > 0
      ? [`only for authentication contexts: ${listed(apps.includeAuthenticationContextClassReferences)}`]
      : []),
    ...(apps.applicationFilter ? [`applications filtered (${apps.applicationFilter.mode}: ${apps.applicationFilter.rule})`] : []),
  ];
}

/** A condition that makes the policy fire for some sign-ins only: risk, platform, place, device, flow. */
function narrowingConditions(policy: ConditionalAccessPolicy): string[] {
  const c = policy.conditions;
  // transferMethods is a flags enum whose `none` member narrows nothing.
  const flows = c.authenticationFlows.filter((method) => !same(method, "none"));
  const risk = (levels: readonly string[], what: string): string[] =>
    levels.length > 0 ? [`fires only at ${what} risk: ${listed(levels)}`] : [];
  return [
    ...risk(c.userRiskLevels, "user"),
    ...risk(c.signInRiskLevels, "sign-in"),
    ...risk(c.servicePrincipalRiskLevels, "service principal"),
    ...risk(c.insiderRiskLevels, "insider"),
    ...notAll(c.platforms, "all", "platforms"),
    ...notAll(c.locations, "All", "locations"),
    ...(c.deviceFilter ? [`devices filtered (${c.deviceFilter.mode}: ${c.deviceFilter.rule})`] : []),
    ...(flows.length > 0 ? [`only for authentication flows: ${listed(flows)}`] : []),
  ];
}

/** A platforms or locations condition counts only when absent, or including everything and excluding nothing. */
function notAll(condition: IncludeExclude | null, all: string, name: string): string[] {
  if (condition === null) return [];
  return [
    ...(has(condition.include, all) ? [] : [`only for ${name}: ${listed(condition.include) || "none"}`]),
    ...(condition.exclude.length > 0 ? [`excludes ${name}: ${listed(condition.exclude)}`] : []),
  ];
}

/**
 * includeUsers `All`; excluded users and groups only configured exclusions (an excluded user only
 * an unreadable excluded group could vouch for does not count as configured); no excluded roles;
 * no guest or external-user exclusion (real accounts the tenant config cannot sanction).
 */
function audienceShortfalls(policy: ConditionalAccessPolicy, exclusions: Exclusions): string[] {
  const users = policy.conditions.users;
  const strangers = users.excludeUsers.filter((id) => isExcluded(exclusions, id) !== true);
  const strangeGroups = users.excludeGroups.filter((id) => !isExcludedGroup(exclusions, id));
  const guests = users.excludeGuestsOrExternalUsers;
  return [
    ...(has(users.includeUsers, "All") ? [] : ["not for all users"]),
    ...(users.excludeRoles.length > 0 ? [`excludes roles: ${listed(users.excludeRoles)}`] : []),
    ...(strangers.length > 0 ? [`excludes users that are not configured exclusions: ${listed(strangers)}`] : []),
    ...(strangeGroups.length > 0 ? [`excludes groups that are not configured exclusions: ${listed(strangeGroups)}`] : []),
    ...(guests ? [`excludes guests or external users: ${describeGuests(guests)}`] : []),
  ];
}

function describeGuests(guests: NonNullable<ConditionalAccessPolicy["conditions"]["users"]["excludeGuestsOrExternalUsers"]>): string {
  const types = listed(guests.guestOrExternalUserTypes) || "no type named";
  const tenants = guests.externalTenants === "all" ? "all external tenants" : `tenants ${listed(guests.externalTenants)}`;
  return `${types} (${tenants})`;
}

/**
 * MFA-requiring: `mfa` in builtInControls, or an authentication strength whose
 * requirementsSatisfied is `mfa`; and operator AND, or nothing else to choose instead (OR with a
 * compliant device, an approved app, terms of use, a custom control or a strength that is not MFA
 * lets that alone through).
 * `passwordChange` marks a risk policy, which never counts.
 */
function mfaGrantShortfalls(policy: ConditionalAccessPolicy): string[] {
  const grant = policy.grantControls;
  if (grant === null) return ["no grant controls"];
  if (has(grant.builtInControls, "passwordChange")) return ["a risk policy (passwordChange)"];
  const strength = grant.authenticationStrength;
  const strengthIsMfa = strength !== null && strength.requirementsSatisfied?.toLowerCase() === "mfa";
  const asksMfa = has(grant.builtInControls, "mfa") || strengthIsMfa;
  if (!asksMfa) {
    return strength === null
      ? ["does not require MFA"]
      : [
          `authentication strength ${strength.displayName || strength.id} does not require MFA (requirementsSatisfied: ${strength.requirementsSatisfied ?? "not returned"})`,
        ];
  }
  const alternatives = [
    ...grant.builtInControls.filter((control) => !same(control, "mfa")),
    ...(strength !== null && !strengthIsMfa ? [`authentication strength ${strength.displayName || strength.id} (not MFA)`] : []),
    ...grant.customAuthenticationFactors.map((id) => `custom control ${id}`),
    ...grant.termsOfUse.map((id) => `terms of use ${id}`),
  ];
  if (same(grant.operator, "AND") || alternatives.length === 0) return [];
  return [`MFA OR ${listed(alternatives)}: the other control alone lets a sign-in through`];
}

function blockGrantShortfalls(policy: ConditionalAccessPolicy): string[] {
  return policy.grantControls !== null && has(policy.grantControls.builtInControls, "block") ? [] : ["does not block"];
}

/**
 * An MFA policy must cover modern clients (`all`, or both `browser` and
 * `mobileAppsAndDesktopClients`); a block policy at least one legacy type (the control asks
 * which ones the counted policies cover together).
 */
function clientAppShortfalls(policy: ConditionalAccessPolicy, purpose: GrantPurpose): string[] {
  const types = policy.conditions.clientAppTypes;
  if (purpose === "block") {
    return LEGACY_CLIENT_TYPES.some((type) => targetsClientType(policy, type))
      ? []
      : [`client apps ${listed(types) || "none"}: no legacy authentication client type`];
  }
  const modern = has(types, "all") || (has(types, "browser") && has(types, "mobileAppsAndDesktopClients"));
  return modern ? [] : [`client apps ${listed(types) || "none"}: not every modern client (browser and mobileAppsAndDesktopClients)`];
}

export interface PolicySubject {
  readonly id: string;
  /**
   * Roles held actively and tenant-wide, the only ones includeRoles reaches: a PIM-eligible role is not
   * in effect until activated, and an administrative-unit-scoped role is not targeted by role.
   */
  readonly activeRoles: ReadonlySet<string>;
  /** Roles held actively or as eligible: either may put the user in excludeRoles (conservative). */
  readonly heldRoles: ReadonlySet<string>;
  /**
   * A guest or B2B external account: userType `Guest`, or a `#EXT#` user principal name (a
   * b2bCollaborationMember has userType `Member`). Any guest or external-user exclusion is taken to
   * leave such a user out, whatever kinds it names (conservative: it may claim less enforcement).
   */
  readonly isGuestOrExternal: boolean;
}

/** Is the user in the policy's scope? Unproven when a group it names cannot be read. */
export function coversUser(policy: ConditionalAccessPolicy, subject: PolicySubject, groups: GroupMembers): Proof {
  return andNot(includesUser(policy, subject, groups), excludesUser(policy, subject, groups));
}

/**
 * Graph's older way to name every guest and external user: the value `GuestsOrExternalUsers` in
 * includeUsers / excludeUsers (conditionalaccessusers: "User IDs … and/or GuestsOrExternalUsers").
 */
const GUESTS_VALUE = "GuestsOrExternalUsers";

function includesUser(policy: ConditionalAccessPolicy, subject: PolicySubject, groups: GroupMembers): Proof {
  const users = policy.conditions.users;
  return anyOf([
    has(users.includeUsers, "All") || has(users.includeUsers, subject.id),
    subject.isGuestOrExternal && has(users.includeUsers, GUESTS_VALUE),
    users.includeRoles.some((roleId) => subject.activeRoles.has(roleId.toLowerCase())),
    ...users.includeGroups.map((groupId) => isMember(groups, groupId, subject.id)),
  ]);
}

function excludesUser(policy: ConditionalAccessPolicy, subject: PolicySubject, groups: GroupMembers): Proof {
  const users = policy.conditions.users;
  return anyOf([
    has(users.excludeUsers, subject.id),
    users.excludeRoles.some((roleId) => subject.heldRoles.has(roleId.toLowerCase())),
    excludesAsGuest(policy, subject),
    ...users.excludeGroups.map((groupId) => isMember(groups, groupId, subject.id)),
  ]);
}

/** A guest or external subject left out by either way of excluding guests. */
function excludesAsGuest(policy: ConditionalAccessPolicy, subject: PolicySubject): boolean {
  const users = policy.conditions.users;
  return subject.isGuestOrExternal && (users.excludeGuestsOrExternalUsers !== null || has(users.excludeUsers, GUESTS_VALUE));
}

/** Why a policy that would otherwise count leaves this subject out (empty when it covers them or cannot tell). */
export function whyPolicyMissesUser(policy: ConditionalAccessPolicy, subject: PolicySubject, groups: GroupMembers): string[] {
  if (includesUser(policy, subject, groups) === false) return ["does not include this user"];
  const guests = policy.conditions.users.excludeGuestsOrExternalUsers;
  if (excludesAsGuest(policy, subject)) {
    return [`excludes guests or external users: ${guests ? describeGuests(guests) : GUESTS_VALUE}`];
  }
  return excludesUser(policy, subject, groups) === true ? ["excludes this user (by user, role or group)"] : [];
}

export const policyRef = (policy: ConditionalAccessPolicy): PolicyRef => ({
  id: policy.id,
  displayName: policy.displayName,
});

export interface PolicyJudgement<C extends BaselineControl> {
  readonly pass: boolean;
  readonly detail: BaselineJudgements[C];
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
export function judgeBaseline<C extends BaselineControl>(
  control: ControlMeta<C>,
  snapshot: TenantSnapshot,
  judge: (policies: readonly ConditionalAccessPolicy[]) => PolicyJudgement<C>,
): FindingRow {
  // C ties `judge` to its control; the rows below are checked against either baseline variant.
  const meta: ControlMeta<BaselineControl> = control;
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
