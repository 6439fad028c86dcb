/** password.sspr-enabled: every enabled member user (not guest, not excluded) has SSPR enabled. */
import type { FindingRow } from "../model/findings.js";
import type { SnapshotUser } from "../model/snapshot.js";
import type { Control, ControlInput } from "./control.js";
import { isExcluded, resolveExclusions } from "./exclusions.js";
import { row, unknownRow, type ControlMeta } from "./rows.js";
import { readSources } from "./sources.js";

const SAMPLE_SIZE = 10;

export const passwordSsprEnabled: Control<"password.sspr-enabled"> = {
  id: "password.sspr-enabled",
  title: "Self-service password reset is enabled for all members",
  severity: "low",
  rationale: "Without SSPR, forgotten passwords go through the helpdesk, whose identity checks are what " + "attackers social-engineer.",
  evaluate: (input) => [judgeSspr(passwordSsprEnabled, input)],
};

/**
 * users carry "Member"/"Guest" (registration details use lower case; we read userType from users).
 * Decision: a null userType (some old accounts) counts as a member — only guests are left out.
 */
const isMemberAccount = (user: SnapshotUser): boolean => user.userType?.toLowerCase() !== "guest";

/**
 * Decision: a member without a registration-details row counts as without SSPR (nothing shows
 * `isSsprEnabled == true`). Users who might be excluded (an excluded group is unreadable) never
 * make it fail: if they are the only ones without SSPR the result is `unknown`.
 * With no member at all to check, the control passes (nobody lacks SSPR).
 */
function judgeSspr(meta: ControlMeta<"password.sspr-enabled">, { snapshot, config }: ControlInput): FindingRow {
  const read = readSources({ users: snapshot.users, registrationDetails: snapshot.registrationDetails });
  if (!read.ok) return unknownRow(meta, null, read.unreadable);
  const exclusions = resolveExclusions(config, snapshot.groupMembers);
  const ssprEnabled = new Set(read.data.registrationDetails.filter((d) => d.isSsprEnabled).map((d) => d.id));
  const checked = read.data.users.filter(
    (user) => user.accountEnabled && isMemberAccount(user) && isExcluded(exclusions, user.id) !== true,
  );
  const without = checked
    .filter((user) => !ssprEnabled.has(user.id))
    .map((user) => user.id)
    .sort();
  const failing = without.filter((id) => isExcluded(exclusions, id) === false);
  const evidence = (ids: readonly string[]) => ({
    usersChecked: checked.length,
    usersWithoutSspr: ids.length,
    sample: ids.slice(0, SAMPLE_SIZE),
  });
  if (failing.length > 0) return row(meta, null, "fail", evidence(failing));
  if (without.length > 0) {
    return unknownRow(meta, null, exclusions.unreadable, { ...evidence(without), exclusionUnproven: true });
  }
  return row(meta, null, "pass", evidence([]));
}
