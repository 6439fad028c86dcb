/**
 * Who holds which directory roles: active assignments (directly or through a role-assignable
 * group) and PIM eligibility. Only user principals: service principals are not admins here.
 */
import type { Unreadable } from "../model/evidence.js";
import type { RoleGrant, TenantSnapshot } from "../model/snapshot.js";
import { memberUsers } from "./groups.js";
import { unreadable } from "./sources.js";

/** User id → role template ids. */
export type Holdings = ReadonlyMap<string, ReadonlySet<string>>;

export interface RoleHolders {
  readonly active: Holdings;
  /**
   * Active roles that apply to the whole tenant (scope `/`). Conditional Access's includeRoles does not
   * reach administrative-unit-scoped roles ("Conditional Access: Users and groups" on Learn).
   */
  readonly activeTenantWide: Holdings;
  /** Empty when eligibility is not visible. */
  readonly eligible: Holdings;
  /** false when PIM eligibility was refused for lack of licence (no P2). */
  readonly eligibleVisible: boolean;
}

export type RoleHoldersResult =
  { readonly ok: true; readonly holders: RoleHolders } | { readonly ok: false; readonly unreadable: readonly Unreadable[] };

/**
 * Holders of `roleIds`. Not resolvable (→ the caller's `unknown`) when role assignments are
 * unreadable, when eligibility is unreadable for any reason but `license` (without P2 eligible
 * holders are simply not visible), or when a group holding one of these roles has unreadable members.
 */
export function resolveRoleHolders(snapshot: TenantSnapshot, roleIds: ReadonlySet<string>): RoleHoldersResult {
  const { roleAssignments, roleEligibility } = snapshot;
  if (!roleAssignments.ok) return { ok: false, unreadable: [unreadable("roleAssignments", roleAssignments)] };
  if (!roleEligibility.ok && roleEligibility.reason !== "license") {
    return { ok: false, unreadable: [unreadable("roleEligibility", roleEligibility)] };
  }
  const active = holdings(snapshot, roleAssignments.data, roleIds);
  const tenantWide = holdings(snapshot, roleAssignments.data.filter(isTenantWide), roleIds);
  const eligible = holdings(snapshot, roleEligibility.ok ? roleEligibility.data : [], roleIds);
  const failed = [...active.unreadable, ...eligible.unreadable];
  if (failed.length > 0) return { ok: false, unreadable: failed };
  const eligibleVisible = roleEligibility.ok;
  return {
    ok: true,
    holders: { active: active.holdings, activeTenantWide: tenantWide.holdings, eligible: eligible.holdings, eligibleVisible },
  };
}

const isTenantWide = (grant: RoleGrant): boolean => (grant.directoryScopeId ?? "/") === "/";

/** Role ids a user holds actively or as eligible. */
export function rolesOf(holders: RoleHolders, userId: string): ReadonlySet<string> {
  return new Set([...(holders.active.get(userId) ?? []), ...(holders.eligible.get(userId) ?? [])]);
}

/** Every user holding a role actively or as eligible. */
export function holderIds(holders: RoleHolders): ReadonlySet<string> {
  return new Set([...holders.active.keys(), ...holders.eligible.keys()]);
}

function holdings(snapshot: TenantSnapshot, grants: readonly RoleGrant[], roleIds: ReadonlySet<string>) {
  const map = new Map<string, Set<string>>();
  const failed: Unreadable[] = [];
  const add = (userId: string, roleId: string): void => {
    const roles = map.get(userId) ?? new Set<string>();
    roles.add(roleId);
    map.set(userId, roles);
  };
  for (const grant of grants) {
    if (!roleIds.has(grant.roleDefinitionId)) continue;
    if (grant.principalType === "user") add(grant.principalId, grant.roleDefinitionId);
    if (grant.principalType === "group") {
      const members = memberUsers(snapshot.groupMembers, grant.principalId);
      members.users.forEach((userId) => add(userId, grant.roleDefinitionId));
      failed.push(...members.unreadable);
    }
  }
  return { holdings: map as Holdings, unreadable: failed };
}
