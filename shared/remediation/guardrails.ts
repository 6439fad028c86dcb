/**
 * Guardrails read from Graph at action time (docs/controls.md "Remediation guardrails"): excluded
 * principals (config user ids, members of config groups), and the last two enabled Global
 * Administrators. Each answers with the reason to refuse, or null.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import { readGroupMembers, readRoleAssignments } from "../collect/directory.js";
import { isExcluded, resolveExclusions } from "../controls/exclusions.js";
import type { GroupMembers } from "../controls/groups.js";
import { isGuid } from "../model/ids.js";
import { GLOBAL_ADMINISTRATOR } from "../model/roles.js";
import type { GroupMember, Source } from "../model/snapshot.js";
import type { TenantConfig } from "../model/tenant.js";
import { step, stepOrMissing } from "./graph-calls.js";
import { GRAPH_STEPS } from "./permissions.js";

/** Global Administrators that must stay enabled (docs/controls.md roles.global-admin-count: 2 ≤ count). */
export const MIN_ENABLED_GLOBAL_ADMINS = 2;

/**
 * User actions take object ids only: exclusions are configured by id, so a UPN could slip past
 * them. Findings always carry object ids.
 */
export function isObjectId(value: string): boolean {
  return isGuid(value);
}

/**
 * Why the user is excluded, or null. Excluded groups are read now (nested groups followed, like
 * the controls do); a group that cannot be read stops the action (StepError), never lets it pass.
 */
export async function exclusionOf(client: Client, config: TenantConfig, userId: string): Promise<string | null> {
  const id = userId.toLowerCase();
  if (config.exclusions.userIds.some((excluded) => excluded.toLowerCase() === id)) {
    return "is listed in this tenant's exclusions (break-glass or service account)";
  }
  if (config.exclusions.groupIds.length === 0) return null;
  const members = await readGroupsTransitively(client, config.exclusions.groupIds);
  const excluded = isExcluded(resolveExclusions(config, members), userId);
  if (excluded === false) return null;
  // Every group on the way was read, so "unproven" cannot happen; if it did, refuse.
  return excluded === true ? "is a member of an excluded group" : "may be a member of an excluded group";
}

async function readGroupsTransitively(client: Client, groupIds: readonly string[]): Promise<GroupMembers> {
  const members: Record<string, Source<readonly GroupMember[]>> = {};
  const queue = [...groupIds];
  for (let groupId = queue.shift(); groupId !== undefined; groupId = queue.shift()) {
    if (members[groupId]) continue;
    const id = groupId;
    const direct = await step(GRAPH_STEPS.readGroupMembers, () => readGroupMembers(client, id));
    members[id] = { ok: true, data: direct };
    queue.push(...direct.filter((member) => member.type === "group").map((member) => member.id));
  }
  return members;
}

/**
 * When `userId` holds Global Administrator actively (directly or through a role-assignable
 * group) and fewer than two *other* enabled users do, the reason to refuse; else null. Users who
 * don't hold the role never change the count, so they pass without further reads.
 */
export async function globalAdminShortfall(client: Client, userId: string): Promise<string | null> {
  const holders = await activeGlobalAdmins(client);
  const subject = userId.toLowerCase();
  if (!holders.has(subject)) return null;
  holders.delete(subject);
  let enabled = 0;
  for (const holderId of holders.values()) {
    const account = await stepOrMissing(GRAPH_STEPS.readAccount, async () => {
      return (await client
        .api(`/users/${encodeURIComponent(holderId)}`)
        .select(["id", "accountEnabled"])
        .get()) as { accountEnabled?: unknown } | undefined;
    });
    if (account?.accountEnabled === true) enabled++;
    if (enabled >= MIN_ENABLED_GLOBAL_ADMINS) return null;
  }
  const others = enabled === 1 ? "1 other enabled Global Administrator" : `${enabled} other enabled Global Administrators`;
  return `the account holds Global Administrator and only ${others} would remain (at least ${MIN_ENABLED_GLOBAL_ADMINS} must)`;
}

/** Lower-cased user id → id as Graph spelled it, for every active Global Administrator user. */
async function activeGlobalAdmins(client: Client): Promise<Map<string, string>> {
  const grants = await step(GRAPH_STEPS.readRoleAssignments, () => readRoleAssignments(client));
  const holders = new Map<string, string>();
  for (const grant of grants) {
    if (grant.roleDefinitionId !== GLOBAL_ADMINISTRATOR) continue;
    if (grant.principalType === "user") holders.set(grant.principalId.toLowerCase(), grant.principalId);
    if (grant.principalType === "group") {
      // Role-assignable groups cannot nest: direct members are all there is.
      const members = await step(GRAPH_STEPS.readGroupMembers, () => readGroupMembers(client, grant.principalId));
      for (const member of members) if (member.type === "user") holders.set(member.id.toLowerCase(), member.id);
    }
  }
  return holders;
}
