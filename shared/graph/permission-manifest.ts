/**
 * THE list of Graph calls tenant-patrol makes: for each, the application permission(s) it needs
 * (least privileged, all of them required), the licence, the Entra role the app's service
 * principal needs when the target is an administrator, and the features it serves. Everything
 * else that names permissions derives from it: the refusal messages of remediations
 * (shared/remediation/permissions.ts), the README's permission table
 * (`npx tsx dev/docs/permission-table.ts` writes it; a test checks it), and the simulator's
 * default consent. A test runs a full sweep and every action against the simulator and fails when
 * the request log shows a call that is not listed here.
 *
 * Sources: each API's Learn page, "Permissions" section (least privileged application permission);
 * docs/reference/graph-facts.md §1–5 and §10.
 */

export const FEATURES = [
  "sweep",
  "block-account",
  "enforce-mfa",
  "disable-user-consent",
  "set-password-never-expire",
  "digest-mail",
] as const;
export type Feature = (typeof FEATURES)[number];

/** What a feature is called in the README and in messages. */
export const FEATURE_TITLES: Readonly<Record<Feature, string>> = {
  sweep: "nightly sweep (read-only)",
  "block-account": "remediation: block-account (and its undo)",
  "enforce-mfa": "remediation: enforce-mfa (and its undo)",
  "disable-user-consent": "remediation: disable-user-consent (and its undo)",
  "set-password-never-expire": "remediation: set-password-never-expire (and its undo)",
  "digest-mail": "approval digest and outbound-event emails",
};

export type GraphMethod = "GET" | "POST" | "PATCH";

export interface GraphCall {
  readonly method: GraphMethod;
  readonly version: "v1.0" | "beta";
  /** Path after the version, parameters in braces: `users/{id}/revokeSignInSessions`. */
  readonly path: string;
  /** Set when the call is this entry only with `$select` naming this property (it changes the permission). */
  readonly selecting?: string;
  /** What it is for, completing "could not …". */
  readonly doing: string;
  /** Application permissions, every one of them needed (least privileged per Learn). */
  readonly permissions: readonly string[];
  /** Licence Graph requires; without it the call is refused (a licence gap, not an error). */
  readonly licence?: "Entra ID P1" | "Entra ID P2";
  /** A directory role the app's service principal needs as well when the target is an administrator. */
  readonly adminTargetRole?: string;
  readonly features: readonly Feature[];
}

/**
 * accountEnabled is a sensitive property, and revoking sessions is role-gated too: on an
 * administrator, Graph refuses an app without a role that covers the target (403
 * Authorization_RequestDenied; for sessions "Access to invalidate refresh tokens operation is
 * denied"). Sources: entra-docs privileged-roles-permissions.md "Who can perform sensitive
 * actions"; AzureAD/azure-activedirectory-powershell issue 25; MicrosoftDocs/azure-docs 45579, 92471.
 */
const ADMIN_TARGET_ROLE = "Privileged Authentication Administrator";

/** Remediations run the read-judge-act path: they repeat these sweep reads for their subject. */
const USER_ACTIONS: readonly Feature[] = ["block-account", "enforce-mfa"];

export const GRAPH_CALLS: readonly GraphCall[] = [
  // Users and sign-in activity (graph-facts §1; user-list "Permissions for specific scenarios").
  { method: "GET", version: "v1.0", path: "users", doing: "list users", permissions: ["User.Read.All"], features: ["sweep"] },
  {
    method: "GET",
    version: "v1.0",
    path: "users",
    selecting: "signInActivity",
    doing: "list users with sign-in activity",
    permissions: ["User.Read.All", "AuditLog.Read.All"],
    licence: "Entra ID P1",
    features: ["sweep"],
  },
  {
    method: "GET",
    version: "v1.0",
    path: "users/{id}",
    doing: "read the user's account",
    permissions: ["User.Read.All"],
    features: [...USER_ACTIONS],
  },
  {
    method: "GET",
    version: "v1.0",
    path: "users/{id}",
    selecting: "signInActivity",
    doing: "read the user with sign-in activity",
    permissions: ["User.Read.All", "AuditLog.Read.All"],
    licence: "Entra ID P1",
    features: ["block-account"],
  },
  // MFA/SSPR registration (graph-facts §2).
  {
    method: "GET",
    version: "v1.0",
    path: "reports/authenticationMethods/userRegistrationDetails",
    doing: "read the MFA registration report",
    permissions: ["AuditLog.Read.All"],
    licence: "Entra ID P1",
    features: ["sweep"],
  },
  {
    method: "GET",
    version: "v1.0",
    path: "reports/authenticationMethods/userRegistrationDetails/{id}",
    doing: "read the user's MFA registration",
    permissions: ["AuditLog.Read.All"],
    licence: "Entra ID P1",
    features: [...USER_ACTIONS],
  },
  // Roles (graph-facts §3).
  {
    method: "GET",
    version: "v1.0",
    path: "roleManagement/directory/roleAssignments",
    doing: "list role assignments",
    permissions: ["RoleManagement.Read.Directory"],
    features: ["sweep", ...USER_ACTIONS],
  },
  {
    method: "GET",
    version: "v1.0",
    path: "roleManagement/directory/roleEligibilitySchedules",
    doing: "list PIM eligible assignments",
    permissions: ["RoleEligibilitySchedule.Read.Directory"],
    licence: "Entra ID P2",
    features: ["sweep", ...USER_ACTIONS],
  },
  {
    method: "GET",
    version: "v1.0",
    path: "groups/{id}/members",
    doing: "read group members",
    permissions: ["GroupMember.Read.All"],
    features: ["sweep", ...USER_ACTIONS],
  },
  // Policies (graph-facts §4).
  {
    method: "GET",
    version: "v1.0",
    path: "policies/identitySecurityDefaultsEnforcementPolicy",
    doing: "read the security defaults policy",
    permissions: ["Policy.Read.All"],
    features: ["sweep", ...USER_ACTIONS],
  },
  {
    method: "GET",
    version: "v1.0",
    path: "identity/conditionalAccess/policies",
    doing: "list Conditional Access policies",
    permissions: ["Policy.Read.All"],
    licence: "Entra ID P1",
    features: ["sweep", ...USER_ACTIONS],
  },
  {
    method: "GET",
    version: "v1.0",
    path: "policies/authorizationPolicy",
    doing: "read the authorization policy",
    permissions: ["Policy.Read.All"],
    features: ["sweep", ...USER_ACTIONS, "disable-user-consent"],
  },
  {
    method: "GET",
    version: "v1.0",
    path: "domains",
    doing: "list domains",
    permissions: ["Domain.Read.All"],
    features: ["sweep", ...USER_ACTIONS],
  },
  {
    method: "GET",
    version: "v1.0",
    path: "domains/{id}",
    doing: "read the domain",
    permissions: ["Domain.Read.All"],
    features: ["set-password-never-expire"],
  },
  // Per-user MFA state, beta only, read through $batch by the sweep (graph-facts §5).
  {
    method: "GET",
    version: "beta",
    path: "users/{id}/authentication/requirements",
    doing: "read the per-user MFA state",
    permissions: ["Policy.Read.All"],
    features: ["sweep", ...USER_ACTIONS],
  },
  // $batch items are authorised one by one, like requests of their own.
  {
    method: "POST",
    version: "beta",
    path: "$batch",
    doing: "send a batch of reads",
    permissions: [],
    features: ["sweep", ...USER_ACTIONS],
  },
  // tenant-patrol's own service principal, never acted on (servicePrincipal-list).
  {
    method: "GET",
    version: "v1.0",
    path: "servicePrincipals",
    doing: "find tenant-patrol's own service principal",
    permissions: ["Application.Read.All"],
    features: [...USER_ACTIONS],
  },
  // Writes (graph-facts §5).
  {
    method: "PATCH",
    version: "v1.0",
    path: "users/{id}",
    doing: "change the account's sign-in state",
    permissions: ["User.EnableDisableAccount.All"],
    adminTargetRole: ADMIN_TARGET_ROLE,
    features: ["block-account"],
  },
  {
    method: "POST",
    version: "v1.0",
    path: "users/{id}/revokeSignInSessions",
    doing: "revoke the user's sign-in sessions",
    permissions: ["User.RevokeSessions.All"],
    adminTargetRole: ADMIN_TARGET_ROLE,
    features: ["block-account"],
  },
  {
    method: "PATCH",
    version: "beta",
    path: "users/{id}/authentication/requirements",
    doing: "set the per-user MFA state",
    permissions: ["Policy.ReadWrite.AuthenticationMethod"],
    features: ["enforce-mfa"],
  },
  {
    method: "PATCH",
    version: "v1.0",
    path: "policies/authorizationPolicy",
    doing: "update the authorization policy",
    permissions: ["Policy.ReadWrite.Authorization"],
    features: ["disable-user-consent"],
  },
  {
    method: "PATCH",
    version: "v1.0",
    path: "domains/{id}",
    doing: "update the domain",
    permissions: ["Domain.ReadWrite.All"],
    features: ["set-password-never-expire"],
  },
  // The digest (user-sendmail); restrict it to the sender's mailbox with RBAC for Applications.
  {
    method: "POST",
    version: "v1.0",
    path: "users/{id}/sendMail",
    doing: "send the approval digest and the outbound-event emails",
    permissions: ["Mail.Send"],
    features: ["digest-mail"],
  },
];

/** The manifest entry for a call, or a RangeError naming what is missing (a call the code makes must be listed). */
export function graphCall(method: GraphMethod, version: GraphCall["version"], path: string, selecting?: string): GraphCall {
  const found = GRAPH_CALLS.find((c) => c.method === method && c.version === version && c.path === path && c.selecting === selecting);
  if (!found)
    throw new RangeError(
      `No Graph call ${method} ${version}/${path}${selecting ? ` selecting ${selecting}` : ""} in the permission manifest`,
    );
  return found;
}

/** Every application permission a feature needs, sorted. */
export function permissionsFor(...features: readonly Feature[]): string[] {
  const calls = GRAPH_CALLS.filter((call) => call.features.some((f) => features.includes(f)));
  return [...new Set(calls.flatMap((call) => call.permissions))].sort();
}

/** Every permission of every feature: what a fully consented tenant grants. */
export function allPermissions(): string[] {
  return permissionsFor(...FEATURES);
}

/** The manifest entry a request (path after the version, e.g. `users/abc`) is an instance of, if any. */
export function matchGraphCall(method: string, version: string, path: string, select: readonly string[] = []): GraphCall | undefined {
  const segments = path.split("/").filter((s) => s !== "");
  const candidates = GRAPH_CALLS.filter((call) => {
    if (call.method !== method || call.version !== version) return false;
    const pattern = call.path.split("/");
    return (
      pattern.length === segments.length &&
      pattern.every((part, i) => part.startsWith("{") || part.toLowerCase() === segments[i]?.toLowerCase())
    );
  });
  const selecting = (call: GraphCall) =>
    call.selecting !== undefined && select.some((s) => s.toLowerCase() === call.selecting?.toLowerCase());
  return candidates.find(selecting) ?? candidates.find((call) => call.selecting === undefined);
}
