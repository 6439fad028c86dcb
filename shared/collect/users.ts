import type { ListRequest } from "../graph/paging.js";
import type { SnapshotUser } from "../model/snapshot.js";

const USER_FIELDS = ["id", "userPrincipalName", "displayName", "accountEnabled", "userType", "createdDateTime", "onPremisesSyncEnabled"];

/** Graph caps pages at 500 when signInActivity is selected, 999 otherwise (graph-facts §1). */
export const USERS_PAGE_WITH_SIGN_IN = 500;
export const USERS_PAGE = 999;

/**
 * The users listing: every field the controls read, the largest page Graph allows. Without Entra
 * ID P1 or AuditLog.Read.All Graph refuses signInActivity (403); the directory is then listed again
 * without it (collect/paged.ts), since the other controls still need it.
 */
export function usersRequest(withSignIn: boolean): ListRequest {
  return {
    path: "/users",
    select: withSignIn ? [...USER_FIELDS, "signInActivity"] : USER_FIELDS,
    top: withSignIn ? USERS_PAGE_WITH_SIGN_IN : USERS_PAGE,
  };
}

/** Graph's answer is checked, not trusted: a user without an id or UPN is a broken response. */
export function toSnapshotUser(raw: Record<string, unknown>): SnapshotUser {
  const { id, userPrincipalName } = raw;
  if (typeof id !== "string" || typeof userPrincipalName !== "string") {
    throw new TypeError(`Graph returned a user without id or userPrincipalName: ${JSON.stringify(raw).slice(0, 200)}`);
  }
  const user: SnapshotUser = {
    id,
    userPrincipalName,
    displayName: stringOrNull(raw.displayName),
    accountEnabled: raw.accountEnabled === true,
    userType: stringOrNull(raw.userType),
    createdDateTime: stringOrNull(raw.createdDateTime),
    onPremisesSyncEnabled: typeof raw.onPremisesSyncEnabled === "boolean" ? raw.onPremisesSyncEnabled : null,
  };
  const activity = raw.signInActivity as Record<string, unknown> | null | undefined;
  if (!activity) return user;
  return {
    ...user,
    signInActivity: {
      lastSignInDateTime: stringOrNull(activity.lastSignInDateTime),
      lastNonInteractiveSignInDateTime: stringOrNull(activity.lastNonInteractiveSignInDateTime),
      lastSuccessfulSignInDateTime: stringOrNull(activity.lastSuccessfulSignInDateTime),
    },
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
