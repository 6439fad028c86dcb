import type { Client } from "@microsoft/microsoft-graph-client";
import { listPages } from "../graph/paging.js";
import type { SnapshotUser, Source } from "../model/snapshot.js";
import { readSource } from "./source.js";

const USER_FIELDS = ["id", "userPrincipalName", "displayName", "accountEnabled", "userType", "createdDateTime", "onPremisesSyncEnabled"];

/** Graph caps pages at 500 when signInActivity is selected, 999 otherwise (graph-facts §1). */
export const USERS_PAGE_WITH_SIGN_IN = 500;
export const USERS_PAGE = 999;

export interface UsersResult {
  readonly users: Source<readonly SnapshotUser[]>;
  readonly signInActivity: Source<true>;
}

type Progress = (count: number) => void;

/**
 * All users with their sign-in activity. Without Entra ID P1 Graph refuses signInActivity (403);
 * the other controls still need the directory, so list it again without that property and
 * record why sign-in data is missing.
 */
export async function collectUsers(client: Client, onProgress: Progress = () => {}): Promise<UsersResult> {
  const withSignIn = await readSource(() => readUsers(client, true, onProgress));
  if (withSignIn.ok) return { users: withSignIn, signInActivity: { ok: true, data: true } };
  if (withSignIn.reason !== "license") return { users: withSignIn, signInActivity: withSignIn };
  const users = await readSource(() => readUsers(client, false, onProgress));
  return { users, signInActivity: withSignIn };
}

async function readUsers(client: Client, withSignIn: boolean, onProgress: Progress): Promise<SnapshotUser[]> {
  const users: SnapshotUser[] = [];
  const pages = listPages<Record<string, unknown>>(client, {
    path: "/users",
    select: withSignIn ? [...USER_FIELDS, "signInActivity"] : USER_FIELDS,
    top: withSignIn ? USERS_PAGE_WITH_SIGN_IN : USERS_PAGE,
  });
  for await (const page of pages) {
    for (const raw of page.items) users.push(toSnapshotUser(raw));
    onProgress(users.length);
  }
  return users;
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
