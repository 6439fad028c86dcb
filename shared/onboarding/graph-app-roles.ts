/**
 * Microsoft Graph's application permissions (app roles on the Graph service principal, appId
 * 00000003-0000-0000-c000-000000000000) by name → app role id, for every permission the permission
 * manifest names: what `az ad app permission add … --api-permissions <id>=Role` and an app
 * registration's `requiredResourceAccess` take. Source: Microsoft Graph permissions reference
 * (learn.microsoft.com/graph/permissions-reference, "Application" ids), checked against several
 * public dumps of the Graph service principal's appRoles. A test fails when the manifest names a
 * permission that is not here.
 */

/** Microsoft Graph's application (client) id, the `resourceAppId` of its permissions. */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export const GRAPH_APP_ROLE_IDS: Readonly<Record<string, string>> = {
  "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
  "AuditLog.Read.All": "b0afded3-3588-46d8-8b3d-9842eff778da",
  "Domain.Read.All": "dbb9058a-0e50-45d7-ae91-66909b5d4664",
  "Domain.ReadWrite.All": "7e05723c-0bb0-42da-be95-ae9f08a6e53c",
  "GroupMember.Read.All": "98830695-27a2-44f7-8c18-0c3ebc9698f6",
  "Mail.Send": "b633e1c5-b582-4048-a93e-9f11b44c7e96",
  "Policy.Read.All": "246dd0d5-5bd0-4def-940b-0421030a5b68",
  "Policy.ReadWrite.AuthenticationMethod": "29c18626-4985-4dcd-85c0-193eef327366",
  "Policy.ReadWrite.Authorization": "fb221be6-99f2-473f-bd32-01c6a0e9ca3b",
  "RoleEligibilitySchedule.Read.Directory": "ff278e11-4a33-4d0c-83d2-d01dc58929a5",
  "RoleManagement.Read.Directory": "483bed4a-2ad3-4361-a73b-c83ccdbdc53c",
  "User.EnableDisableAccount.All": "3011c876-62b7-4ada-afa2-506cbbecc68c",
  "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
  "User.RevokeSessions.All": "77f3a031-c388-4f99-b373-dc68676a979e",
};

/** The app role id of a Graph application permission, or a RangeError naming it. */
export function graphAppRoleId(permission: string): string {
  const id = GRAPH_APP_ROLE_IDS[permission];
  if (id === undefined)
    throw new RangeError(`No Microsoft Graph app role id known for ${permission}: add it to shared/onboarding/graph-app-roles.ts`);
  return id;
}

/**
 * Broader application permissions that also allow what a manifest permission is used for, so a
 * tenant that granted e.g. Directory.Read.All is not told it lacks User.Read.All. Only where every
 * call the product makes with the permission accepts the broader one (each API's Learn page,
 * "Permissions"; the same lists as the simulator's dev/simulator/auth/authorization.ts). Policy.*,
 * AuditLog.Read.All and Mail.Send have no such superset across their calls.
 */
export const BROADER_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  "User.Read.All": ["User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "GroupMember.Read.All": ["Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "Domain.Read.All": ["Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "Application.Read.All": ["Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "RoleManagement.Read.Directory": ["RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.Read.All"],
  "RoleEligibilitySchedule.Read.Directory": [
    "RoleEligibilitySchedule.ReadWrite.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
    "Directory.Read.All",
  ],
  "User.EnableDisableAccount.All": ["User.ReadWrite.All", "Directory.ReadWrite.All"],
  "User.RevokeSessions.All": ["User.ReadWrite.All", "Directory.ReadWrite.All"],
};

/** Whether `granted` (a token's roles) allows what `permission` is needed for. */
export function isGranted(permission: string, granted: ReadonlySet<string>): boolean {
  return granted.has(permission) || (BROADER_PERMISSIONS[permission] ?? []).some((p) => granted.has(p));
}
