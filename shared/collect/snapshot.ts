import type { Client } from "@microsoft/microsoft-graph-client";
import pLimit from "p-limit";
import { batchGet } from "../graph/batch.js";
import type { TenantGraph } from "../graph/client.js";
import { describeError, unavailableReason } from "../graph/errors.js";
import { isPrivilegedRole } from "../model/roles.js";
import type {
  ConditionalAccessPolicy,
  GroupMember,
  PerUserMfaState,
  RegistrationDetail,
  RoleGrant,
  SnapshotUser,
  Source,
  TenantSnapshot,
} from "../model/snapshot.js";
import type { TenantConfig } from "../model/tenant.js";
import { readAuthorizationPolicy, readConditionalAccessPolicies, readDomains, readSecurityDefaults } from "./policies.js";
import { readGroupMembers, readRoleAssignments, readRoleEligibility } from "./directory.js";
import { isPagedDone, type PagedCursor } from "./paged.js";
import { readSource } from "./source.js";

export interface CollectOptions {
  /** Human-readable progress, e.g. "reading roles and policies". */
  readonly onProgress?: (message: string) => void;
}

/** Group member lists are small and independent; a few in flight keeps scans short without bursts. */
const GROUP_READ_CONCURRENCY = 4;

/** What the paged collections (users, registration report) yielded, as sources. */
export interface PagedSources {
  /** When the scan started (its first invocation). */
  readonly collectedAt: string;
  readonly users: Source<readonly SnapshotUser[]>;
  readonly signInActivity: Source<true>;
  readonly registrationDetails: Source<readonly RegistrationDetail[]>;
}

/** The sources a finished cursor stands for, given every row its pages held (in page order). */
export function pagedSources(
  cursor: PagedCursor,
  users: readonly SnapshotUser[],
  registration: readonly RegistrationDetail[],
): Omit<PagedSources, "collectedAt"> {
  if (!isPagedDone(cursor)) throw new RangeError("The paged collections are not finished");
  const u = cursor.users;
  const usersSource: Source<readonly SnapshotUser[]> = u.failure ?? { ok: true, data: users };
  const signInActivity: Source<true> = u.signInFailure ?? (u.failure ? u.failure : { ok: true, data: true });
  const r = cursor.registration;
  return { users: usersSource, signInActivity, registrationDetails: r.failure ?? { ok: true, data: registration } };
}

/**
 * Everything else the controls judge, read once the paged collections are in: policies, roles,
 * the groups that matter, and per-user MFA state of admins. Small and quick, so never checkpointed.
 */
export async function completeSnapshot(
  graph: TenantGraph,
  tenantId: string,
  config: TenantConfig,
  paged: PagedSources,
  options: CollectOptions = {},
): Promise<TenantSnapshot> {
  const { client } = graph;
  const progress = options.onProgress ?? (() => {});
  const { collectedAt, users, signInActivity, registrationDetails } = paged;
  progress("reading roles and policies");
  const [roleAssignments, roleEligibility, securityDefaults, conditionalAccessPolicies, authorizationPolicy, domains] = await Promise.all([
    readSource(() => readRoleAssignments(client)),
    readSource(() => readRoleEligibility(client)),
    readSource(() => readSecurityDefaults(client)),
    readSource(() => readConditionalAccessPolicies(client)),
    readSource(() => readAuthorizationPolicy(client)),
    readSource(() => readDomains(client)),
  ]);

  const privilegedGrants = [roleAssignments, roleEligibility].flatMap((s) =>
    s.ok ? s.data.filter((g) => isPrivilegedRole(g.roleDefinitionId)) : [],
  );
  const groupIds = groupsToRead(privilegedGrants, conditionalAccessPolicies, config);
  progress(`reading members of ${groupIds.length} group(s)`);
  const groupMembers = await readGroups(client, groupIds);

  const adminIds = adminCandidates(privilegedGrants, groupMembers);
  progress(`reading per-user MFA state of ${adminIds.length} admin(s)`);
  const perUserMfa = await readPerUserMfa(graph, adminIds);

  return {
    tenantId,
    collectedAt,
    users,
    signInActivity,
    registrationDetails,
    roleAssignments,
    roleEligibility,
    groupMembers,
    securityDefaults,
    conditionalAccessPolicies,
    authorizationPolicy,
    domains,
    perUserMfa,
  };
}

/** Groups holding privileged roles, groups Conditional Access names, and excluded groups. */
function groupsToRead(grants: readonly RoleGrant[], ca: Source<readonly ConditionalAccessPolicy[]>, config: TenantConfig): string[] {
  const ids = new Set<string>(config.exclusions.groupIds);
  for (const g of grants) if (g.principalType === "group") ids.add(g.principalId);
  if (ca.ok) {
    for (const p of ca.data) for (const id of [...p.conditions.users.includeGroups, ...p.conditions.users.excludeGroups]) ids.add(id);
  }
  return [...ids].sort();
}

async function readGroups(client: Client, groupIds: readonly string[]): Promise<Record<string, Source<readonly GroupMember[]>>> {
  const limit = pLimit(GROUP_READ_CONCURRENCY);
  const results = await Promise.all(groupIds.map((id) => limit(() => readSource(() => readGroupMembers(client, id)))));
  return Object.fromEntries(groupIds.map((id, i) => [id, results[i] as Source<readonly GroupMember[]>]));
}

function adminCandidates(grants: readonly RoleGrant[], groups: Readonly<Record<string, Source<readonly GroupMember[]>>>): string[] {
  const ids = new Set<string>();
  for (const g of grants) {
    if (g.principalType === "user") ids.add(g.principalId);
    const members = g.principalType === "group" ? groups[g.principalId] : undefined;
    if (members?.ok) for (const m of members.data) if (m.type === "user") ids.add(m.id);
  }
  return [...ids].sort();
}

const MFA_STATES = new Set<string>(["disabled", "enabled", "enforced", "unknownFutureValue"]);

/** Per-user MFA state lives only in beta and has no bulk report: read it for admins, 20 per `$batch`. */
async function readPerUserMfa(graph: TenantGraph, userIds: readonly string[]): Promise<Record<string, Source<PerUserMfaState>>> {
  if (userIds.length === 0) return {};
  const requests = userIds.map((id, i) => ({ id: String(i), url: `/users/${encodeURIComponent(id)}/authentication/requirements` }));
  const batch = await readSource(() =>
    batchGet<{ perUserMfaState?: unknown }>(graph.client, requests, { version: "beta", stats: graph.stats }),
  );
  if (!batch.ok) return Object.fromEntries(userIds.map((id) => [id, batch]));
  const outcomes = batch.data;
  return Object.fromEntries(
    userIds.map((userId, i): [string, Source<PerUserMfaState>] => {
      const outcome = outcomes.get(String(i));
      if (!outcome) return [userId, { ok: false, reason: "error", message: "missing from $batch response" }];
      if (!outcome.ok) return [userId, { ok: false, reason: unavailableReason(outcome.error), message: describeError(outcome.error) }];
      const state = outcome.body.perUserMfaState;
      return typeof state === "string" && MFA_STATES.has(state)
        ? [userId, { ok: true, data: state as PerUserMfaState }]
        : [userId, { ok: false, reason: "error", message: `unexpected perUserMfaState ${JSON.stringify(state)}` }];
    }),
  );
}
