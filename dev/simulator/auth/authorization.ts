/**
 * What Graph checks after the token: the application permissions consented in the tenant (the
 * token's `roles`) against what each API documents, and, for sensitive writes on administrators,
 * the directory role of the app's service principal. Refusals carry Graph's 403 body.
 *
 * Each route's list is the Learn page's "Permissions" table for application callers, least
 * privileged first; any one of them is enough. Sources beside each entry (learn.microsoft.com/graph/api/…).
 */
import { PRIVILEGED_ROLES } from "../../../shared/model/roles.js";
import { allPermissions } from "../../../shared/graph/permission-manifest.js";
import { GraphFailure } from "../errors.js";
import { mentionsProperty } from "../odata/query-options.js";
import type { Route, RouteContext } from "../routes/route.js";
import type { TenantState } from "../state/tenant-state.js";
import type { FixtureApp } from "../fixtures/schema.js";

/** Role names a fixture may give the app (the roles the product knows by template id). */
export const DIRECTORY_ROLE_NAMES = [...PRIVILEGED_ROLES.values()] as [string, ...string[]];

const GLOBAL_ADMINISTRATOR = "Global Administrator";
const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = "Privileged Authentication Administrator";

/** Default of a fixture without `app`: a deployment that followed the README. */
export function appConsent(app: FixtureApp | undefined): { readonly permissions: readonly string[]; readonly roles: readonly string[] } {
  return { permissions: app?.permissions ?? allPermissions(), roles: app?.roles ?? [PRIVILEGED_AUTHENTICATION_ADMINISTRATOR] };
}

const USERS_READ = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
const GROUPS_READ = ["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"];
const ROLES_READ = ["RoleManagement.Read.Directory", "RoleManagement.Read.All", "Directory.Read.All", "RoleManagement.ReadWrite.Directory"];
const REGISTRATION_READ = ["AuditLog.Read.All", "UserAuthenticationMethod.Read.All"];
const DOMAINS_READ = ["Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
const SERVICE_PRINCIPALS_READ = ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];

/** `METHOD pattern` → any one of these application permissions. */
const ROUTE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  // user-list, user-get; signInActivity adds AuditLog.Read.All (see requiredExtra).
  "GET users": USERS_READ,
  "GET users/{id}": USERS_READ,
  // user-update, "Permissions for specific scenarios": accountEnabled alone needs User.EnableDisableAccount.All.
  "PATCH users/{id}": ["User.EnableDisableAccount.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  // user-revokesigninsessions.
  "POST users/{id}/revokeSignInSessions": ["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  // authentication-list-methods.
  "GET users/{id}/authentication/methods": ["UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All"],
  // beta authentication-get / authentication-update (strongAuthenticationRequirements).
  "GET users/{id}/authentication/requirements": ["Policy.Read.All", "Policy.ReadWrite.AuthenticationMethod"],
  "PATCH users/{id}/authentication/requirements": ["Policy.ReadWrite.AuthenticationMethod"],
  // user-sendmail; mailfolder-list-messages.
  "POST users/{id}/sendMail": ["Mail.Send"],
  "GET users/{id}/mailFolders/{folder}/messages": ["Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite"],
  // group-list, group-get, group-list-members.
  "GET groups": GROUPS_READ,
  "GET groups/{id}": GROUPS_READ,
  "GET groups/{id}/members": GROUPS_READ,
  // serviceprincipal-list, serviceprincipal-get.
  "GET servicePrincipals": SERVICE_PRINCIPALS_READ,
  "GET servicePrincipals/{id}": SERVICE_PRINCIPALS_READ,
  // rbacapplication-list-roleassignments; rbacapplication-list-roleeligibilityschedules.
  "GET roleManagement/directory/roleAssignments": ROLES_READ,
  "GET roleManagement/directory/roleAssignments/{id}": ROLES_READ,
  "GET roleManagement/directory/roleEligibilitySchedules": [
    "RoleEligibilitySchedule.Read.Directory",
    ...ROLES_READ,
    "RoleEligibilitySchedule.ReadWrite.Directory",
  ],
  "GET roleManagement/directory/roleEligibilitySchedules/{id}": [
    "RoleEligibilitySchedule.Read.Directory",
    ...ROLES_READ,
    "RoleEligibilitySchedule.ReadWrite.Directory",
  ],
  // authenticationmethodsroot-list-userregistrationdetails, userregistrationdetails-get.
  "GET reports/authenticationMethods/userRegistrationDetails": REGISTRATION_READ,
  "GET reports/authenticationMethods/userRegistrationDetails/{id}": REGISTRATION_READ,
  // identitysecuritydefaultsenforcementpolicy-get/-update.
  "GET policies/identitySecurityDefaultsEnforcementPolicy": [
    "Policy.Read.All",
    "Policy.ReadWrite.SecurityDefaults",
    "Policy.ReadWrite.ConditionalAccess",
  ],
  "PATCH policies/identitySecurityDefaultsEnforcementPolicy": ["Policy.ReadWrite.SecurityDefaults", "Policy.ReadWrite.ConditionalAccess"],
  // authorizationpolicy-get/-update.
  "GET policies/authorizationPolicy": ["Policy.Read.All", "Policy.ReadWrite.Authorization"],
  "PATCH policies/authorizationPolicy": ["Policy.ReadWrite.Authorization"],
  // conditionalaccessroot-list-policies, conditionalaccesspolicy-get.
  "GET identity/conditionalAccess/policies": ["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"],
  "GET identity/conditionalAccess/policies/{id}": ["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"],
  // domain-list, domain-get, domain-update.
  "GET domains": DOMAINS_READ,
  "GET domains/{id}": DOMAINS_READ,
  "PATCH domains/{id}": ["Domain.ReadWrite.All"],
};

const insufficientPrivileges = () =>
  new GraphFailure(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

/**
 * Throws Graph's 403 when the token's permissions or the app's directory role do not cover the
 * request. `roles` are the token's (what the tenant consented to when it was issued).
 */
export function authorize(route: Route, ctx: RouteContext, roles: readonly string[]): void {
  const key = `${route.method} ${route.pattern}`;
  const accepted = ROUTE_PERMISSIONS[key];
  if (accepted === undefined)
    throw new Error(`the simulator has no documented permission for ${key}: add it to dev/simulator/auth/authorization.ts`);
  if (!accepted.some((permission) => roles.includes(permission))) throw insufficientPrivileges();
  // user-list "Permissions for specific scenarios": reading signInActivity also needs AuditLog.Read.All.
  // The body is the one observed for exactly this call (microsoft-graph-explorer-v4 issue 2731, 2023-08).
  if (
    route.pattern.startsWith("users") &&
    route.method === "GET" &&
    mentionsProperty(ctx.query, "signInActivity") &&
    !roles.includes("AuditLog.Read.All")
  ) {
    throw new GraphFailure(
      403,
      "Authentication_MSGraphPermissionMissing",
      "Calling principal does not have required MSGraph permissions AuditLog.Read.All",
    );
  }
  checkAdminTarget(key, ctx);
}

/**
 * accountEnabled is a sensitive property and revoking sessions is role-gated: on a user who holds a
 * directory role, Graph refuses an app whose service principal holds neither Privileged
 * Authentication Administrator nor Global Administrator (entra-docs privileged-roles-permissions.md
 * "Who can perform sensitive actions"; AzureAD/azure-activedirectory-powershell issue 25 for the
 * sessions message).
 */
function checkAdminTarget(key: string, ctx: RouteContext): void {
  const disables =
    key === "PATCH users/{id}" && typeof ctx.request.body === "object" && ctx.request.body !== null && "accountEnabled" in ctx.request.body;
  const revokes = key === "POST users/{id}/revokeSignInSessions";
  if (!disables && !revokes) return;
  const target = ctx.tenant.findUser(ctx.params.id ?? "");
  if (!target || !holdsDirectoryRole(ctx.tenant, String(target.id))) return;
  const appRoles = ctx.tenant.appRoles();
  if (appRoles.includes(PRIVILEGED_AUTHENTICATION_ADMINISTRATOR) || appRoles.includes(GLOBAL_ADMINISTRATOR)) return;
  throw revokes
    ? new GraphFailure(403, "Authorization_RequestDenied", "Access to invalidate refresh tokens operation is denied.")
    : insufficientPrivileges();
}

/** An active role assignment to the user, directly or through a role-assignable group. */
function holdsDirectoryRole(tenant: TenantState, userId: string): boolean {
  const id = userId.toLowerCase();
  return tenant.collection("v1.0/roleManagement/directory/roleAssignments").some((assignment) => {
    const principal = String(assignment.principalId).toLowerCase();
    if (principal === id) return true;
    return tenant.groupMembers(principal).some((member) => String(member.id).toLowerCase() === id);
  });
}
