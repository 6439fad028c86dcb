import type { Client } from "@microsoft/microsoft-graph-client";
import { listAll } from "../graph/paging.js";
import type {
  ConditionalAccessFilter,
  ConditionalAccessPolicy,
  ConditionalAccessState,
  Domain,
  GuestsOrExternalUsers,
  IncludeExclude,
} from "../model/snapshot.js";

export async function readSecurityDefaults(client: Client): Promise<{ isEnabled: boolean }> {
  const body = (await client.api("/policies/identitySecurityDefaultsEnforcementPolicy").get()) as { isEnabled?: unknown } | undefined;
  if (typeof body?.isEnabled !== "boolean") throw new TypeError("Graph returned the security defaults policy without isEnabled");
  return { isEnabled: body.isEnabled };
}

export async function readAuthorizationPolicy(client: Client): Promise<{ permissionGrantPoliciesAssigned: string[] }> {
  const body = (await client.api("/policies/authorizationPolicy").get()) as
    { defaultUserRolePermissions?: { permissionGrantPoliciesAssigned?: unknown } } | undefined;
  const assigned = body?.defaultUserRolePermissions?.permissionGrantPoliciesAssigned;
  if (!Array.isArray(assigned) || !assigned.every((p) => typeof p === "string")) {
    throw new TypeError("Graph returned the authorization policy without defaultUserRolePermissions.permissionGrantPoliciesAssigned");
  }
  return { permissionGrantPoliciesAssigned: assigned };
}

export async function readDomains(client: Client): Promise<Domain[]> {
  const rows = await listAll<Record<string, unknown>>(client, {
    path: "/domains",
    select: ["id", "isVerified", "isRoot", "authenticationType", "passwordValidityPeriodInDays"],
  });
  return rows.map((row) => {
    if (typeof row.id !== "string") throw new TypeError("Graph returned a domain without an id");
    return {
      id: row.id,
      isVerified: row.isVerified === true,
      isRoot: row.isRoot === true,
      authenticationType: typeof row.authenticationType === "string" ? row.authenticationType : "",
      passwordValidityPeriodInDays: typeof row.passwordValidityPeriodInDays === "number" ? row.passwordValidityPeriodInDays : null,
    };
  });
}

const CA_STATES = new Set<string>(["enabled", "disabled", "enabledForReportingButNotEnforced"]);

/**
 * Conditional Access policies (P1). Graph allows 1 request/s here, so this is one unpaged read.
 * Graph returns a grant's authentication strength inline, `requirementsSatisfied` included
 * (docs/reference/graph-facts.md §4), so no second read of the strengths is needed.
 */
export async function readConditionalAccessPolicies(client: Client): Promise<ConditionalAccessPolicy[]> {
  const rows = await listAll<Record<string, unknown>>(client, { path: "/identity/conditionalAccess/policies" });
  return rows.map(toPolicy);
}

/**
 * Malformed condition fields are refused, not read as empty: an empty condition widens a policy,
 * and a policy read wider than it is would be counted as protecting people it does not.
 */
function toPolicy(raw: Record<string, unknown>): ConditionalAccessPolicy {
  const id = typeof raw.id === "string" ? raw.id : "";
  if (!id || typeof raw.state !== "string" || !CA_STATES.has(raw.state)) {
    throw new TypeError(`Graph returned a Conditional Access policy without a valid id or state: ${id || "(no id)"}`);
  }
  const field = new PolicyFields(id);
  const conditions = field.object(raw.conditions, "conditions") ?? {};
  const users = field.object(conditions.users, "conditions.users") ?? {};
  const applications = field.object(conditions.applications, "conditions.applications") ?? {};
  return {
    id,
    displayName: typeof raw.displayName === "string" ? raw.displayName : id,
    state: raw.state as ConditionalAccessState,
    conditions: {
      clientAppTypes: field.list(conditions.clientAppTypes, "conditions.clientAppTypes"),
      users: {
        includeUsers: field.list(users.includeUsers, "users.includeUsers"),
        excludeUsers: field.list(users.excludeUsers, "users.excludeUsers"),
        includeGroups: field.list(users.includeGroups, "users.includeGroups"),
        excludeGroups: field.list(users.excludeGroups, "users.excludeGroups"),
        includeRoles: field.list(users.includeRoles, "users.includeRoles"),
        excludeRoles: field.list(users.excludeRoles, "users.excludeRoles"),
        excludeGuestsOrExternalUsers: field.guestsOrExternalUsers(users.excludeGuestsOrExternalUsers),
      },
      applications: {
        includeApplications: field.list(applications.includeApplications, "applications.includeApplications"),
        excludeApplications: field.list(applications.excludeApplications, "applications.excludeApplications"),
        includeUserActions: field.list(applications.includeUserActions, "applications.includeUserActions"),
        includeAuthenticationContextClassReferences: field.list(
          applications.includeAuthenticationContextClassReferences,
          "applications.includeAuthenticationContextClassReferences",
        ),
        applicationFilter: field.filter(applications.applicationFilter, "applications.applicationFilter"),
      },
      userRiskLevels: field.list(conditions.userRiskLevels, "conditions.userRiskLevels"),
      signInRiskLevels: field.list(conditions.signInRiskLevels, "conditions.signInRiskLevels"),
      servicePrincipalRiskLevels: field.list(conditions.servicePrincipalRiskLevels, "conditions.servicePrincipalRiskLevels"),
      insiderRiskLevels: field.list(conditions.insiderRiskLevels, "conditions.insiderRiskLevels"),
      platforms: field.includeExclude(conditions.platforms, "platforms", "Platforms"),
      locations: field.includeExclude(conditions.locations, "locations", "Locations"),
      deviceFilter: field.filter(field.object(conditions.devices, "conditions.devices")?.deviceFilter, "devices.deviceFilter"),
      authenticationFlows: field.list(
        field.object(conditions.authenticationFlows, "conditions.authenticationFlows")?.transferMethods,
        "authenticationFlows.transferMethods",
      ),
    },
    grantControls: toGrant(field, raw.grantControls),
  };
}

function toGrant(field: PolicyFields, value: unknown): ConditionalAccessPolicy["grantControls"] {
  const grant = field.object(value, "grantControls");
  if (!grant) return null;
  const strength = field.object(grant.authenticationStrength, "grantControls.authenticationStrength");
  return {
    operator: typeof grant.operator === "string" ? grant.operator : "OR",
    builtInControls: field.list(grant.builtInControls, "grantControls.builtInControls"),
    customAuthenticationFactors: field.list(grant.customAuthenticationFactors, "grantControls.customAuthenticationFactors"),
    termsOfUse: field.list(grant.termsOfUse, "grantControls.termsOfUse"),
    authenticationStrength: strength
      ? {
          id: typeof strength.id === "string" ? strength.id : "",
          displayName: typeof strength.displayName === "string" ? strength.displayName : "",
          requirementsSatisfied: typeof strength.requirementsSatisfied === "string" ? strength.requirementsSatisfied : null,
        }
      : null,
  };
}

/** Reads one policy's fields; a field of the wrong shape is an error naming the policy and the field. */
class PolicyFields {
  constructor(private readonly policyId: string) {}

  /** null/absent → null; an object → itself; anything else is refused. */
  object(value: unknown, name: string): Record<string, unknown> | null {
    if (value === null || value === undefined) return null;
    if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    throw this.malformed(name, "an object");
  }

  /**
   * A string collection, or a flags enum (one comma-separated string: Graph writes
   * `insiderRiskLevels`, `guestOrExternalUserTypes` and `transferMethods` so); null/absent → [].
   */
  list(value: unknown, name: string): string[] {
    if (value === null || value === undefined) return [];
    if (typeof value === "string")
      return value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
    throw this.malformed(name, "a list of strings");
  }

  filter(value: unknown, name: string): ConditionalAccessFilter | null {
    const filter = this.object(value, name);
    if (!filter) return null;
    if (typeof filter.mode !== "string" || typeof filter.rule !== "string") throw this.malformed(name, "{ mode, rule }");
    return { mode: filter.mode, rule: filter.rule };
  }

  /** `platforms` → includePlatforms/excludePlatforms, `locations` → includeLocations/excludeLocations. */
  includeExclude(value: unknown, name: string, suffix: string): IncludeExclude | null {
    const condition = this.object(value, `conditions.${name}`);
    if (!condition) return null;
    return {
      include: this.list(condition[`include${suffix}`], `${name}.include${suffix}`),
      exclude: this.list(condition[`exclude${suffix}`], `${name}.exclude${suffix}`),
    };
  }

  /** externalTenants: `membershipKind` `all`, or `enumerated` with `members`. */
  guestsOrExternalUsers(value: unknown): GuestsOrExternalUsers | null {
    const name = "users.excludeGuestsOrExternalUsers";
    const guests = this.object(value, name);
    if (!guests) return null;
    const tenants = this.object(guests.externalTenants, `${name}.externalTenants`);
    return {
      guestOrExternalUserTypes: this.list(guests.guestOrExternalUserTypes, `${name}.guestOrExternalUserTypes`),
      externalTenants:
        tenants === null || tenants.membershipKind === "all" ? "all" : this.list(tenants.members, `${name}.externalTenants.members`),
    };
  }

  private malformed(name: string, expected: string): TypeError {
    return new TypeError(`Graph returned Conditional Access policy ${this.policyId} with ${name} that is not ${expected}`);
  }
}
