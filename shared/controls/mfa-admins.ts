/** mfa.admins: every enabled holder of a privileged role is registered for MFA and required to use it. */
import type { AdminMfaNotEnforced, PolicyNotCounted } from "../model/evidence.js";
import type { FindingRow } from "../model/findings.js";
import type { RegistrationDetail, SnapshotUser, Source, TenantSnapshot } from "../model/snapshot.js";
import { holderIds, resolveRoleHolders, rolesOf, type RoleHolders } from "./admins.js";
import { coversUser, judgePolicies, policyRef, whyPolicyMissesUser, type JudgedPolicy, type PolicySubject } from "./conditional-access.js";
import type { Control, ControlInput } from "./control.js";
import { applyExclusion, resolveExclusions } from "./exclusions.js";
import { PRIVILEGED_ROLES, privilegedRoleNames } from "../model/roles.js";
import { row, unknownRow, type ControlMeta } from "./rows.js";
import { anyOf, proveFrom, readSources, type Proof } from "./sources.js";

export const mfaAdmins: Control<"mfa.admins"> = {
  id: "mfa.admins",
  title: "Administrators are registered for MFA and required to use it",
  severity: "high",
  rationale: "A privileged account signed in with a password alone is one phished password away from the whole tenant.",
  evaluate: (input) => evaluateAdmins(mfaAdmins, input),
};

/** Privileged roles, plus every role a CA policy names: an admin may be in scope through any role. */
function rolesOfInterest(snapshot: TenantSnapshot): ReadonlySet<string> {
  const ca = snapshot.conditionalAccessPolicies;
  const named = ca.ok
    ? ca.data.flatMap((policy) =>
        [...policy.conditions.users.includeRoles, ...policy.conditions.users.excludeRoles].map((id) => id.toLowerCase()),
      )
    : [];
  return new Set([...PRIVILEGED_ROLES.keys(), ...named]);
}

/** What every admin is judged against: the snapshot, who holds which role, and the CA policies judged once. */
interface AdminContext {
  readonly snapshot: TenantSnapshot;
  readonly holders: RoleHolders;
  /** Each policy judged for MFA with the admin audience (exclusions of other people don't matter). */
  readonly policies: Source<readonly JudgedPolicy[]>;
}

function judgeAdminPolicies(snapshot: TenantSnapshot): Source<readonly JudgedPolicy[]> {
  const ca = snapshot.conditionalAccessPolicies;
  return ca.ok ? { ok: true, data: judgePolicies(ca.data, "mfa", "each-admin") } : ca;
}

/**
 * The MFA policies that do not enforce MFA on this admin, with why: the policy does not count, or
 * it counts but leaves the admin out (not included, or excluded: as a guest, by role, group or id).
 */
function policiesNotEnforcing(context: AdminContext, subject: PolicySubject): PolicyNotCounted[] {
  if (!context.policies.ok) return [];
  return context.policies.data
    .filter((judged) => judged.meantFor)
    .map(({ policy, reasons }) => ({
      ...policyRef(policy),
      reasons: reasons.length > 0 ? reasons : whyPolicyMissesUser(policy, subject, context.snapshot.groupMembers),
    }))
    .filter((policy) => policy.reasons.length > 0);
}

/**
 * Enforced by security defaults, by a covering MFA-requiring CA policy (three-valued: a policy
 * naming an unreadable group is unproven), or by per-user MFA `enforced`. Decision: when one of
 * these is unreadable and none proves enforcement, the answer is unproven (→ `unknown`), whatever
 * the reason — including CA refused for `license`.
 */
function isEnforced({ snapshot, policies }: AdminContext, subject: PolicySubject): Proof {
  const counting = (judged: readonly JudgedPolicy[]) => judged.filter(({ reasons }) => reasons.length === 0);
  return anyOf([
    proveFrom("securityDefaults", snapshot.securityDefaults, (defaults) => defaults.isEnabled),
    proveFrom("conditionalAccessPolicies", policies, (judged) =>
      anyOf(counting(judged).map(({ policy }) => coversUser(policy, subject, snapshot.groupMembers))),
    ),
    proveFrom(`perUserMfa/${subject.id}`, snapshot.perUserMfa[subject.id], (state) => state === "enforced"),
  ]);
}

/**
 * The row for one role holder, or null (not a privileged admin, disabled, or passing).
 * Decision: an admin missing from the users listing gets an `unknown` row (reason `error`).
 */
function judgeAdmin(
  meta: ControlMeta<"mfa.admins">,
  context: AdminContext,
  userId: string,
  user: SnapshotUser | undefined,
  registration: RegistrationDetail | undefined,
): FindingRow | null {
  const { snapshot, holders } = context;
  const heldRoles = rolesOf(holders, userId);
  const roles = privilegedRoleNames(heldRoles);
  if (roles.length === 0 || user?.accountEnabled === false) return null;
  if (user === undefined) {
    return unknownRow(meta, userId, [{ source: "users", reason: "error", message: "admin not in the users listing" }], {
      roles,
    });
  }
  const evidence = { userPrincipalName: user.userPrincipalName, displayName: user.displayName, roles };
  if (registration === undefined) {
    const message = "no userRegistrationDetails row for this enabled admin";
    return unknownRow(meta, userId, [{ source: "registrationDetails", reason: "error", message }], evidence);
  }
  if (!registration.isMfaRegistered) return row(meta, userId, "fail", { reason: "not-registered", ...evidence });
  const subject: PolicySubject = {
    id: userId,
    activeRoles: holders.activeTenantWide.get(userId) ?? new Set<string>(),
    heldRoles,
    isGuestOrExternal: user.userType?.toLowerCase() === "guest" || user.userPrincipalName.toUpperCase().includes("#EXT#"),
  };
  const enforced = isEnforced(context, subject);
  if (enforced === true) return null;
  if (enforced !== false) return unknownRow(meta, userId, enforced.unreadable, evidence);
  const perUser = snapshot.perUserMfa[userId];
  return row(meta, userId, "fail", {
    reason: "not-enforced",
    ...evidence,
    perUserMfaState: perUser?.ok ? perUser.data : null,
    ...notEnforcingEvidence(policiesNotEnforcing(context, subject)),
  });
}

const notEnforcingEvidence = (policies: PolicyNotCounted[]): Pick<AdminMfaNotEnforced, "policiesNotCounted"> =>
  policies.length > 0 ? { policiesNotCounted: policies } : {};

/**
 * One row per enabled admin who fails or cannot be judged. The admin list itself must be
 * complete: if users, registration details, role assignments, eligibility (for a reason other than
 * `license`) or a role group's members are unreadable, the control is one tenant-level `unknown`.
 */
function evaluateAdmins(meta: ControlMeta<"mfa.admins">, { snapshot, config }: ControlInput): FindingRow[] {
  const read = readSources({ users: snapshot.users, registrationDetails: snapshot.registrationDetails });
  const resolved = resolveRoleHolders(snapshot, rolesOfInterest(snapshot));
  if (!read.ok || !resolved.ok) {
    const failed = [...(read.ok ? [] : read.unreadable), ...(resolved.ok ? [] : resolved.unreadable)];
    return [unknownRow(meta, null, failed)];
  }
  const context: AdminContext = { snapshot, holders: resolved.holders, policies: judgeAdminPolicies(snapshot) };
  const users = new Map(read.data.users.map((user) => [user.id, user]));
  const registrations = new Map(read.data.registrationDetails.map((detail) => [detail.id, detail]));
  const exclusions = resolveExclusions(config, snapshot.groupMembers);
  return [...holderIds(context.holders)].flatMap((userId) => {
    const judged = judgeAdmin(meta, context, userId, users.get(userId), registrations.get(userId));
    const kept = judged && applyExclusion(meta, exclusions, judged);
    return kept ? [kept] : [];
  });
}
