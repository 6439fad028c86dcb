/**
 * The least a scan of a tenant can cost, from the tenant's data alone (graph-facts §6, §7):
 * how many Graph requests the data needs, and how long Graph's documented limits make those
 * requests take. The benchmark compares measured runs against these numbers.
 */
import type { TenantFixture } from "../dev/simulator/index.js";
import { DEFAULT_LICENSE_RETRY_OPTIONS } from "../shared/graph/license-retry.js";
import { isPrivilegedRole } from "../shared/model/roles.js";
import type { LicenseTier } from "../shared/model/tenant.js";

/** Graph's page limits: users with signInActivity 500, directory collections and the report 999. */
const SIGN_IN_PAGE = 500;
const DIRECTORY_PAGE = 999;
const BATCH = 20;
/** Fixed reads: security defaults, Conditional Access, authorization policy, domains. */
const POLICY_READS = 4;

/** Documented limits (requests, window in seconds). */
export const LIMITS = {
  signInPerTenant: { requests: 10, windowSeconds: 60 },
  reportsPerTenant: { requests: 5, windowSeconds: 10 },
  reportsPerApp: { requests: 122, windowSeconds: 10 },
  conditionalAccessPerTenant: { requests: 1, windowSeconds: 1 },
} as const;

export interface TenantNeeds {
  readonly tenantId: string;
  readonly displayName: string;
  readonly license: LicenseTier;
  readonly users: number;
  /** Minimum requests per source; `total` is their sum. */
  readonly minimum: {
    readonly users: number;
    readonly registration: number;
    readonly roles: number;
    readonly policies: number;
    readonly groups: number;
    readonly adminBatches: number;
    readonly total: number;
  };
  /** Requests counted against the sign-in activity limit (users pages with signInActivity). */
  readonly signInRequests: number;
  /** Requests counted against the reports limits (sign-in pages and the registration report). */
  readonly reportsRequests: number;
  /** Least time (simulated seconds) the tenant's own limits allow for those requests. */
  readonly floorSeconds: number;
}

const pages = (items: number, size: number) => Math.max(1, Math.ceil(items / size));

/** Seconds a token bucket needs to accept `requests` starting full (the simulator's minimal wait). */
export function bucketSeconds(requests: number, limit: { readonly requests: number; readonly windowSeconds: number }): number {
  return (Math.max(0, requests - limit.requests) * limit.windowSeconds) / limit.requests;
}

export function tenantNeeds(fixture: TenantFixture): TenantNeeds {
  const g = fixture.graph;
  const license = fixture.tenant.license;
  const premium = license !== "free";
  const users = g["v1.0/users"] ?? [];
  const userIds = new Set(users.map((u) => u.id));
  const groupIds = new Set((g["v1.0/groups"] ?? []).map((x) => x.id));

  // Without P1 the sign-in page is refused (403), then users are listed 999 at a time. The refusal is
  // believed only after it is asked again (shared/graph/license-retry.ts): licensed tenants get that
  // same 403 now and then, so a Free tenant's two licence-gated reads each cost 1 + maxRetries.
  const refusals = 1 + DEFAULT_LICENSE_RETRY_OPTIONS.maxRetries;
  const signInRequests = premium ? pages(users.length, SIGN_IN_PAGE) : refusals;
  const usersRequests = premium ? signInRequests : refusals + pages(users.length, DIRECTORY_PAGE);
  const registrationRows = g["v1.0/reports/authenticationMethods/userRegistrationDetails"]?.length ?? 0;
  const registration = premium ? pages(registrationRows, DIRECTORY_PAGE) : refusals;

  const assignments = g["v1.0/roleManagement/directory/roleAssignments"] ?? [];
  const eligibility = license === "p2" ? (g["v1.0/roleManagement/directory/roleEligibilitySchedules"] ?? []) : [];
  const roles = pages(assignments.length, DIRECTORY_PAGE) + (license === "p2" ? pages(eligibility.length, DIRECTORY_PAGE) : 1);

  const privileged = [...assignments, ...eligibility].filter(
    (a) => typeof a.roleDefinitionId === "string" && isPrivilegedRole(a.roleDefinitionId),
  );
  const toRead = new Set<string>(fixture.config.exclusions.groupIds);
  const admins = new Set<string>();
  for (const grant of privileged) {
    const principal = grant.principalId ?? "";
    if (groupIds.has(principal)) toRead.add(principal);
    else if (userIds.has(principal)) admins.add(principal);
  }
  if (premium) {
    for (const policy of g["v1.0/identity/conditionalAccess/policies"] ?? []) {
      const u = policy.conditions?.users;
      for (const id of [...(u?.includeGroups ?? []), ...(u?.excludeGroups ?? [])]) toRead.add(id);
    }
  }
  let groups = 0;
  for (const id of toRead) {
    const members = g[`v1.0/groups/${id}/members`] ?? [];
    groups += pages(members.length, DIRECTORY_PAGE);
    const holdsRole = privileged.some((grant) => grant.principalId === id);
    if (holdsRole) for (const m of members) if (m["@odata.type"] === "#microsoft.graph.user") admins.add(m.id);
  }
  const adminBatches = Math.ceil(admins.size / BATCH);
  const minimum = { users: usersRequests, registration, roles, policies: POLICY_READS, groups, adminBatches };
  const reportsRequests = signInRequests + registration;
  return {
    tenantId: fixture.tenant.id,
    displayName: fixture.tenant.displayName,
    license,
    users: users.length,
    minimum: { ...minimum, total: Object.values(minimum).reduce((a, b) => a + b, 0) },
    signInRequests,
    reportsRequests,
    floorSeconds: Math.max(bucketSeconds(signInRequests, LIMITS.signInPerTenant), bucketSeconds(reportsRequests, LIMITS.reportsPerTenant)),
  };
}

/** The floor of scanning all these tenants with one app: the slowest tenant, or the app-wide reports limit. */
export function fleetFloor(needs: readonly TenantNeeds[]): {
  readonly seconds: number;
  readonly tenantSeconds: number;
  readonly appSeconds: number;
} {
  const tenantSeconds = Math.max(0, ...needs.map((n) => n.floorSeconds));
  const appSeconds = bucketSeconds(
    needs.reduce((sum, n) => sum + n.reportsRequests, 0),
    LIMITS.reportsPerApp,
  );
  return { seconds: Math.max(tenantSeconds, appSeconds), tenantSeconds, appSeconds };
}
