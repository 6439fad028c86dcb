/**
 * The tenant's configured exclusions (break-glass and service accounts): user ids, plus the
 * members of excluded groups. Excluded principals never get a fail row.
 */
import type { Unreadable } from "../model/evidence.js";
import type { FindingRow } from "../model/findings.js";
import type { TenantConfig } from "../model/tenant.js";
import { memberUsers, type GroupMembers } from "./groups.js";
import { unreadableRow, type ControlMeta } from "./rows.js";
import type { Proof } from "./sources.js";

export interface Exclusions {
  /** Lower-cased: ids typed into config by people must still match Graph's ids. */
  readonly userIds: ReadonlySet<string>;
  readonly groupIds: ReadonlySet<string>;
  /** Excluded groups whose members could not be read. */
  readonly unreadable: readonly Unreadable[];
}

export function resolveExclusions(config: TenantConfig, groupMembers: GroupMembers): Exclusions {
  const members = config.exclusions.groupIds.map((id) => memberUsers(groupMembers, id));
  return {
    userIds: new Set([...config.exclusions.userIds, ...members.flatMap((m) => [...m.users])].map((id) => id.toLowerCase())),
    groupIds: new Set(config.exclusions.groupIds.map((id) => id.toLowerCase())),
    unreadable: members.flatMap((m) => m.unreadable),
  };
}

/** Unproven when the user is not listed but some excluded group could not be read. */
export function isExcluded(exclusions: Exclusions, userId: string): Proof {
  if (exclusions.userIds.has(userId.toLowerCase())) return true;
  return exclusions.unreadable.length > 0 ? { unreadable: exclusions.unreadable } : false;
}

export function isExcludedGroup(exclusions: Exclusions, groupId: string): boolean {
  return exclusions.groupIds.has(groupId.toLowerCase());
}

/**
 * Applies the exclusion rule to a user's row: excluded → no row. If the user may be excluded
 * (an excluded group is unreadable), a `fail` becomes `unknown` — never fail someone who might be a
 * break-glass account. The evidence stays, with `exclusionUnproven: true` and the fail's own
 * `detail.reason` moved to `failReason` (`reason` is then the unreadable group's).
 */
export function applyExclusion(meta: ControlMeta, exclusions: Exclusions, subject: FindingRow): FindingRow | null {
  const excluded = subject.subjectId === null ? false : isExcluded(exclusions, subject.subjectId);
  if (excluded === true) return null;
  if (excluded === false || subject.status !== "fail") return subject;
  const { reason, ...evidence } = subject.detail;
  return unreadableRow(meta, subject.subjectId, excluded.unreadable, {
    ...evidence,
    exclusionUnproven: true,
    ...(reason === undefined ? {} : { failReason: reason }),
  });
}
