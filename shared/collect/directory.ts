import type { Client } from "@microsoft/microsoft-graph-client";
import { listAll, type ListRequest } from "../graph/paging.js";
import type { GroupMember, PrincipalType, RegistrationDetail, RoleGrant } from "../model/snapshot.js";

/** Bulk MFA/SSPR registration report: one request per 999 users instead of one per user. */
export const REGISTRATION_DETAILS_REQUEST: ListRequest = {
  path: "/reports/authenticationMethods/userRegistrationDetails",
  select: ["id", "userPrincipalName", "isMfaRegistered", "isSsprEnabled", "isSsprRegistered"],
  top: 999,
};

export function toRegistrationDetail(row: Record<string, unknown>): RegistrationDetail {
  if (typeof row.id !== "string") throw new TypeError("Graph returned a userRegistrationDetails row without an id");
  return {
    id: row.id,
    userPrincipalName: typeof row.userPrincipalName === "string" ? row.userPrincipalName : "",
    isMfaRegistered: row.isMfaRegistered === true,
    isSsprEnabled: row.isSsprEnabled === true,
    isSsprRegistered: row.isSsprRegistered === true,
  };
}

/** Active role assignments, with the principal expanded so users, groups and apps can be told apart. */
export function readRoleAssignments(client: Client): Promise<RoleGrant[]> {
  return readRoleGrants(client, "/roleManagement/directory/roleAssignments");
}

/** PIM eligible assignments; Graph answers 400 AadPremiumLicenseRequired without P2. */
export function readRoleEligibility(client: Client): Promise<RoleGrant[]> {
  return readRoleGrants(client, "/roleManagement/directory/roleEligibilitySchedules");
}

async function readRoleGrants(client: Client, path: string): Promise<RoleGrant[]> {
  const rows = await listAll<Record<string, unknown>>(client, { path, expand: "principal", top: 999 });
  return rows.map((row) => {
    if (typeof row.principalId !== "string" || typeof row.roleDefinitionId !== "string") {
      throw new TypeError(`Graph returned a ${path} item without principalId or roleDefinitionId`);
    }
    return {
      principalId: row.principalId,
      roleDefinitionId: row.roleDefinitionId.toLowerCase(),
      directoryScopeId: typeof row.directoryScopeId === "string" ? row.directoryScopeId : "/",
      principalType: principalType(row.principal),
    };
  });
}

export async function readGroupMembers(client: Client, groupId: string): Promise<GroupMember[]> {
  const rows = await listAll<Record<string, unknown>>(client, { path: `/groups/${encodeURIComponent(groupId)}/members`, top: 999 });
  return rows.map((row) => {
    if (typeof row.id !== "string") throw new TypeError(`Graph returned a member of group ${groupId} without an id`);
    return { id: row.id, type: principalType(row) };
  });
}

const ODATA_TYPES: Readonly<Record<string, PrincipalType>> = {
  "#microsoft.graph.user": "user",
  "#microsoft.graph.group": "group",
  "#microsoft.graph.servicePrincipal": "servicePrincipal",
};

function principalType(principal: unknown): PrincipalType {
  if (!principal || typeof principal !== "object") return "other";
  const type = (principal as Record<string, unknown>)["@odata.type"];
  return (typeof type === "string" && ODATA_TYPES[type]) || "other";
}
