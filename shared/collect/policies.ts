import type { Client } from "@microsoft/microsoft-graph-client";
import { listAll } from "../graph/paging.js";
import type { ConditionalAccessPolicy, ConditionalAccessState, Domain } from "../model/snapshot.js";

export async function readSecurityDefaults(client: Client): Promise<{ isEnabled: boolean }> {
  const body = (await client.api("/policies/identitySecurityDefaultsEnforcementPolicy").get()) as { isEnabled?: unknown } | undefined;
  if (typeof body?.isEnabled !== "boolean") throw new TypeError("Graph returned the security defaults policy without isEnabled");
  return { isEnabled: body.isEnabled };
}

export async function readAuthorizationPolicy(client: Client): Promise<{ permissionGrantPoliciesAssigned: string[] }> {
  const body = (await client.api("/policies/authorizationPolicy").get()) as { defaultUserRolePermissions?: { permissionGrantPoliciesAssigned?: unknown } } | undefined;
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

/** Conditional Access policies (P1). Graph allows 1 request/s here, so this is one unpaged read. */
export async function readConditionalAccessPolicies(client: Client): Promise<ConditionalAccessPolicy[]> {
  const rows = await listAll<Record<string, unknown>>(client, { path: "/identity/conditionalAccess/policies" });
  return rows.map(toPolicy);
}

function toPolicy(raw: Record<string, unknown>): ConditionalAccessPolicy {
  const id = typeof raw.id === "string" ? raw.id : "";
  if (!id || typeof raw.state !== "string" || !CA_STATES.has(raw.state)) {
    throw new TypeError(`Graph returned a Conditional Access policy without a valid id or state: ${id || "(no id)"}`);
  }
  const conditions = record(raw.conditions);
  const users = record(conditions.users);
  const grant = raw.grantControls ? record(raw.grantControls) : undefined;
  return {
    id,
    displayName: typeof raw.displayName === "string" ? raw.displayName : id,
    state: raw.state as ConditionalAccessState,
    conditions: {
      clientAppTypes: strings(conditions.clientAppTypes),
      users: {
        includeUsers: strings(users.includeUsers),
        excludeUsers: strings(users.excludeUsers),
        includeGroups: strings(users.includeGroups),
        excludeGroups: strings(users.excludeGroups),
        includeRoles: strings(users.includeRoles),
        excludeRoles: strings(users.excludeRoles),
      },
      applications: { includeApplications: strings(record(conditions.applications).includeApplications) },
    },
    grantControls: grant
      ? {
          operator: typeof grant.operator === "string" ? grant.operator : "OR",
          builtInControls: strings(grant.builtInControls),
          authenticationStrength: grant.authenticationStrength ? { id: stringOr(record(grant.authenticationStrength).id, "") } : null,
        }
      : null,
  };
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
