/**
 * Least-privilege Microsoft Graph application permissions for each remediation, from the Learn
 * pages cited in /work/shared/reference/graph-facts.md §1–5. The README cites this table; the
 * permission-denied messages name the permission of the exact call Graph refused.
 */
import type { RemediationAction } from "./types.js";

/** accountEnabled is a sensitive property: app-only callers also need a directory role (graph-facts §5). */
export const ACCOUNT_ENABLED_ROLE =
  "an Entra role on the app's service principal that may change accountEnabled on the target " +
  "(User Administrator for ordinary users; Privileged Authentication Administrator for administrators)";

/**
 * Revoking sessions is role-gated too: without a role that covers the target, Graph answers 403
 * Authorization_RequestDenied "Access to invalidate refresh tokens operation is denied" (graph-facts
 * §10; AzureAD/azure-activedirectory-powershell issue 25, MicrosoftDocs/azure-docs issues 45579 and
 * 92471). Entra's least-privileged roles by task: Helpdesk Administrator for non-admins, Privileged
 * Authentication Administrator for every administrator.
 */
export const REVOKE_SESSIONS_ROLE =
  "an Entra role on the app's service principal that may invalidate the target's refresh tokens " +
  "(Helpdesk Administrator for non-administrators; Privileged Authentication Administrator for administrators)";

export interface ActionPermissions {
  /** Application permissions for the writes. */
  readonly write: readonly string[];
  /** Application permissions for the re-checks and guardrails that the write permissions do not cover. */
  readonly read: readonly string[];
  /** A directory role the app's service principal needs as well, if any. */
  readonly entraRole: string | null;
}

/**
 * Per action, undo included (undo uses the same calls). GroupMember.Read.All is needed only when
 * the tenant's exclusions name groups (and, for block-account, when Global Administrator is held
 * through a role-assignable group).
 */
export const REMEDIATION_PERMISSIONS: Readonly<Record<RemediationAction, ActionPermissions>> = {
  "block-account": {
    write: ["User.EnableDisableAccount.All", "User.RevokeSessions.All"],
    read: ["User.Read.All", "AuditLog.Read.All", "RoleManagement.Read.Directory", "GroupMember.Read.All", "Policy.Read.All", "Application.Read.All"],
    entraRole: ACCOUNT_ENABLED_ROLE,
  },
  "enforce-mfa": {
    write: ["Policy.ReadWrite.AuthenticationMethod"],
    // The re-judge reads what mfa.admins judges: users, registration, roles, groups, policies.
    read: ["User.Read.All", "AuditLog.Read.All", "RoleManagement.Read.Directory", "GroupMember.Read.All", "Policy.Read.All", "Application.Read.All"],
    entraRole: null,
  },
  "disable-user-consent": {
    // Policy.ReadWrite.Authorization also reads the policy (authorizationpolicy-get: higher privileged).
    write: ["Policy.ReadWrite.Authorization"],
    read: [],
    entraRole: null,
  },
  "set-password-never-expire": {
    // Domain.ReadWrite.All also reads the domain (domain-get: higher privileged).
    write: ["Domain.ReadWrite.All"],
    read: [],
    entraRole: null,
  },
};

/** One Graph call a remediation makes: what it is doing (for messages) and what Graph requires for it. */
export interface GraphStep {
  /** Completes "could not …": e.g. "disable the account". */
  readonly doing: string;
  readonly permissions: readonly string[];
  readonly entraRole?: string;
}

export const GRAPH_STEPS = {
  readUser: { doing: "read the user", permissions: ["User.Read.All", "AuditLog.Read.All"] },
  readRegistration: { doing: "read the user's MFA registration", permissions: ["AuditLog.Read.All"] },
  readRoleAssignments: { doing: "list Global Administrator assignments", permissions: ["RoleManagement.Read.Directory"] },
  readGroupMembers: { doing: "read group members", permissions: ["GroupMember.Read.All"] },
  readAccount: { doing: "read the user's account", permissions: ["User.Read.All"] },
  readOwnPrincipal: { doing: "find tenant-patrol's own service principal", permissions: ["Application.Read.All"] },
  disableAccount: { doing: "disable the account", permissions: ["User.EnableDisableAccount.All"], entraRole: ACCOUNT_ENABLED_ROLE },
  enableAccount: { doing: "re-enable the account", permissions: ["User.EnableDisableAccount.All"], entraRole: ACCOUNT_ENABLED_ROLE },
  revokeSessions: { doing: "revoke the user's sign-in sessions", permissions: ["User.RevokeSessions.All"], entraRole: REVOKE_SESSIONS_ROLE },
  readMfaState: { doing: "read the per-user MFA state", permissions: ["Policy.Read.All"] },
  writeMfaState: { doing: "set the per-user MFA state", permissions: ["Policy.ReadWrite.AuthenticationMethod"] },
  readAuthorizationPolicy: { doing: "read the authorization policy", permissions: ["Policy.ReadWrite.Authorization"] },
  writeAuthorizationPolicy: { doing: "update the authorization policy", permissions: ["Policy.ReadWrite.Authorization"] },
  readDomain: { doing: "read the domain", permissions: ["Domain.ReadWrite.All"] },
  writeDomain: { doing: "update the domain", permissions: ["Domain.ReadWrite.All"] },
} as const satisfies Record<string, GraphStep>;

/** "grant X + Y (application) and <role>" for a refused step. */
export function requiredFor(step: GraphStep): string {
  const permissions = `${step.permissions.join(" + ")} (application permission${step.permissions.length > 1 ? "s" : ""})`;
  return step.entraRole ? `${permissions} and ${step.entraRole}` : permissions;
}
