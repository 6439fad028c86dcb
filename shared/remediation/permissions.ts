/**
 * What each remediation step needs, taken from the permission manifest
 * (shared/graph/permission-manifest.ts, the one source): the permission-denied messages name the
 * permission of the exact call Graph refused, and the role the app needs when the target is an
 * administrator.
 */
import { GRAPH_CALLS, graphCall, type GraphCall } from "../graph/permission-manifest.js";
import type { RemediationAction } from "../model/remediation.js";

export interface ActionPermissions {
  /** Application permissions for the writes. */
  readonly write: readonly string[];
  /** Application permissions for the re-judgement and guardrails that the write permissions do not cover. */
  readonly read: readonly string[];
  /** A directory role the app's service principal needs as well when the target is an administrator. */
  readonly entraRole: string | null;
}

function actionPermissions(action: RemediationAction): ActionPermissions {
  const calls = GRAPH_CALLS.filter((call) => call.features.includes(action));
  const write = [...new Set(calls.filter((c) => c.method !== "GET" && c.path !== "$batch").flatMap((c) => c.permissions))].sort();
  const read = [...new Set(calls.filter((c) => c.method === "GET").flatMap((c) => c.permissions))].filter((p) => !write.includes(p)).sort();
  return { write, read, entraRole: calls.find((c) => c.adminTargetRole !== undefined)?.adminTargetRole ?? null };
}

/** Per action, undo included (undo uses the same calls). */
export const REMEDIATION_PERMISSIONS: Readonly<Record<RemediationAction, ActionPermissions>> = {
  "block-account": actionPermissions("block-account"),
  "enforce-mfa": actionPermissions("enforce-mfa"),
  "disable-user-consent": actionPermissions("disable-user-consent"),
  "set-password-never-expire": actionPermissions("set-password-never-expire"),
};

/** One Graph call a remediation makes: what it is doing (for messages) and what Graph requires for it. */
export interface GraphStep {
  /** Completes "could not …": e.g. "disable the account". */
  readonly doing: string;
  readonly permissions: readonly string[];
  readonly entraRole?: string;
}

/** A step from its manifest entry; `doing` overrides the manifest's wording where one call serves two steps. */
function stepOf(call: GraphCall, doing = call.doing): GraphStep {
  return { doing, permissions: call.permissions, ...(call.adminTargetRole ? { entraRole: call.adminTargetRole } : {}) };
}

export const GRAPH_STEPS = {
  readUser: stepOf(graphCall("GET", "v1.0", "users/{id}", "signInActivity"), "read the user"),
  readAccount: stepOf(graphCall("GET", "v1.0", "users/{id}")),
  readRegistration: stepOf(graphCall("GET", "v1.0", "reports/authenticationMethods/userRegistrationDetails/{id}")),
  readRoleAssignments: stepOf(
    graphCall("GET", "v1.0", "roleManagement/directory/roleAssignments"),
    "list Global Administrator assignments",
  ),
  readGroupMembers: stepOf(graphCall("GET", "v1.0", "groups/{id}/members")),
  readOwnPrincipal: stepOf(graphCall("GET", "v1.0", "servicePrincipals")),
  disableAccount: stepOf(graphCall("PATCH", "v1.0", "users/{id}"), "disable the account"),
  enableAccount: stepOf(graphCall("PATCH", "v1.0", "users/{id}"), "re-enable the account"),
  revokeSessions: stepOf(graphCall("POST", "v1.0", "users/{id}/revokeSignInSessions")),
  readMfaState: stepOf(graphCall("GET", "beta", "users/{id}/authentication/requirements")),
  writeMfaState: stepOf(graphCall("PATCH", "beta", "users/{id}/authentication/requirements")),
  readAuthorizationPolicy: stepOf(graphCall("GET", "v1.0", "policies/authorizationPolicy")),
  writeAuthorizationPolicy: stepOf(graphCall("PATCH", "v1.0", "policies/authorizationPolicy")),
  readDomain: stepOf(graphCall("GET", "v1.0", "domains/{id}")),
  writeDomain: stepOf(graphCall("PATCH", "v1.0", "domains/{id}")),
} as const satisfies Record<string, GraphStep>;

/** "grant X + Y (application) and <role>" for a refused step. */
export function requiredFor(step: GraphStep): string {
  const permissions = `${step.permissions.join(" + ")} (application permission${step.permissions.length > 1 ? "s" : ""})`;
  return step.entraRole
    ? `${permissions} and, for an administrator as target, the Entra role ${step.entraRole} on the app's service principal`
    : permissions;
}
