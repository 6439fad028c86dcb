/** accounts.inactive-30 / accounts.inactive-90: enabled users with no sign-in for 30–89 / 90+ days. */
import type { FindingRow, Severity } from "../model/findings.js";
import type { InactivityControl } from "../model/evidence.js";
import type { SnapshotUser } from "../model/snapshot.js";
import type { Control, ControlInput } from "./control.js";
import { applyExclusion, resolveExclusions } from "./exclusions.js";
import { row, unknownRow, type ControlMeta } from "./rows.js";
import { readSources } from "./sources.js";

const DAY_IN_MS = 86_400_000;

function signInStamps(user: SnapshotUser): string[] {
  const activity = user.signInActivity;
  return [activity?.lastSuccessfulSignInDateTime, activity?.lastSignInDateTime, activity?.lastNonInteractiveSignInDateTime].filter(
    (stamp): stamp is string => typeof stamp === "string",
  );
}

/** The latest of the timestamps (ISO-8601), or null when there are none. */
function latest(stamps: readonly string[]): string | null {
  return stamps.reduce<string | null>((best, stamp) => (best === null || Date.parse(stamp) > Date.parse(best) ? stamp : best), null);
}

/**
 * One user's row for the bucket [minDays, maxDays), or null. Reference instant: the latest
 * sign-in, else (never signed in) createdDateTime. Decision: with neither, or with an unparseable
 * timestamp, the user gets an `unknown` row (reason `error`) in both buckets rather than a guess.
 */
function judgeUser(meta: ControlMeta<InactivityControl>, user: SnapshotUser, asOf: Date, minDays: number, maxDays: number) {
  const stamps = signInStamps(user);
  const lastActivity = latest(stamps);
  const reference = lastActivity ?? user.createdDateTime;
  const evidence = {
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    userType: user.userType,
    onPremisesSyncEnabled: user.onPremisesSyncEnabled,
    lastActivity,
    neverSignedIn: lastActivity === null,
    createdDateTime: user.createdDateTime,
  };
  const daysInactive =
    reference === null || stamps.some((stamp) => Number.isNaN(Date.parse(stamp)))
      ? Number.NaN
      : Math.floor((asOf.getTime() - Date.parse(reference)) / DAY_IN_MS);
  if (Number.isNaN(daysInactive)) {
    const message = "no usable reference instant (sign-in activity and createdDateTime missing or unparseable)";
    return unknownRow(meta, user.id, [{ source: "users", reason: "error", message }], evidence);
  }
  if (daysInactive < minDays || daysInactive >= maxDays) return null;
  return row(meta, user.id, "fail", { ...evidence, daysInactive });
}

function evaluateInactive(meta: ControlMeta<InactivityControl>, input: ControlInput, minDays: number, maxDays: number): FindingRow[] {
  const { snapshot, config, asOf } = input;
  const read = readSources({ users: snapshot.users, signInActivity: snapshot.signInActivity });
  if (!read.ok) return [unknownRow(meta, null, read.unreadable)];
  const exclusions = resolveExclusions(config, snapshot.groupMembers);
  return read.data.users
    .filter((user) => user.accountEnabled)
    .flatMap((user) => {
      const judged = judgeUser(meta, user, asOf, minDays, maxDays);
      const kept = judged && applyExclusion(meta, exclusions, judged);
      return kept ? [kept] : [];
    });
}

function inactiveControl<C extends InactivityControl>(id: C, severity: Severity, minDays: number, maxDays: number): Control<C> {
  const bucket = Number.isFinite(maxDays) ? `${minDays}–${maxDays - 1}` : `${minDays} or more`;
  const control: Control<C> = {
    id,
    severity,
    title: `Enabled accounts inactive for ${bucket} days`,
    rationale:
      "Dormant accounts keep their access and are rarely watched: a stolen password for one goes unnoticed. " + "Disable what nobody uses.",
    evaluate: (input) => evaluateInactive(control, input, minDays, maxDays),
  };
  return control;
}

export const accountsInactive30 = inactiveControl("accounts.inactive-30", "low", 30, 90);
export const accountsInactive90 = inactiveControl("accounts.inactive-90", "medium", 90, Number.POSITIVE_INFINITY);
