/**
 * Compact encodings of the rows a scan keeps between invocations: one tuple per user or
 * registration row, only the fields the controls read, in a fixed order (no property names).
 * Pure and reversible: decode(encode(rows)) equals rows.
 */
import type { RegistrationDetail, SnapshotUser } from "../model/snapshot.js";

type Text = string | null;
/** id, UPN, displayName, accountEnabled, userType, createdDateTime, onPremisesSyncEnabled (1/0/null), then the three sign-in stamps when Graph returned signInActivity. */
export type UserTuple =
  [string, string, Text, 0 | 1, Text, Text, 0 | 1 | null] | [string, string, Text, 0 | 1, Text, Text, 0 | 1 | null, Text, Text, Text];
/** id, UPN, flags (1 MFA registered, 2 SSPR enabled, 4 SSPR registered). */
export type RegistrationTuple = [string, string, number];

const MFA_REGISTERED = 1;
const SSPR_ENABLED = 2;
const SSPR_REGISTERED = 4;

export function encodeUser(u: SnapshotUser): UserTuple {
  const head: [string, string, Text, 0 | 1, Text, Text, 0 | 1 | null] = [
    u.id,
    u.userPrincipalName,
    u.displayName,
    u.accountEnabled ? 1 : 0,
    u.userType,
    u.createdDateTime,
    u.onPremisesSyncEnabled === null ? null : u.onPremisesSyncEnabled ? 1 : 0,
  ];
  const a = u.signInActivity;
  if (!a) return head;
  return [...head, a.lastSignInDateTime ?? null, a.lastNonInteractiveSignInDateTime ?? null, a.lastSuccessfulSignInDateTime ?? null];
}

export function decodeUser(t: unknown): SnapshotUser {
  if (!Array.isArray(t) || (t.length !== 7 && t.length !== 10) || typeof t[0] !== "string" || typeof t[1] !== "string") {
    throw new TypeError(`Not an encoded user: ${JSON.stringify(t)?.slice(0, 120)}`);
  }
  const user: SnapshotUser = {
    id: t[0],
    userPrincipalName: t[1],
    displayName: text(t[2]),
    accountEnabled: t[3] === 1,
    userType: text(t[4]),
    createdDateTime: text(t[5]),
    onPremisesSyncEnabled: t[6] === null ? null : t[6] === 1,
  };
  if (t.length === 7) return user;
  return {
    ...user,
    signInActivity: {
      lastSignInDateTime: text(t[7]),
      lastNonInteractiveSignInDateTime: text(t[8]),
      lastSuccessfulSignInDateTime: text(t[9]),
    },
  };
}

export function encodeRegistration(r: RegistrationDetail): RegistrationTuple {
  return [
    r.id,
    r.userPrincipalName,
    (r.isMfaRegistered ? MFA_REGISTERED : 0) | (r.isSsprEnabled ? SSPR_ENABLED : 0) | (r.isSsprRegistered ? SSPR_REGISTERED : 0),
  ];
}

export function decodeRegistration(t: unknown): RegistrationDetail {
  if (!Array.isArray(t) || t.length !== 3 || typeof t[0] !== "string" || typeof t[1] !== "string" || typeof t[2] !== "number") {
    throw new TypeError(`Not an encoded registration row: ${JSON.stringify(t)?.slice(0, 120)}`);
  }
  const flags = t[2];
  return {
    id: t[0],
    userPrincipalName: t[1],
    isMfaRegistered: (flags & MFA_REGISTERED) !== 0,
    isSsprEnabled: (flags & SSPR_ENABLED) !== 0,
    isSsprRegistered: (flags & SSPR_REGISTERED) !== 0,
  };
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
