/** Group membership from `snapshot.groupMembers` (direct members, expanded here transitively). */
import type { Unreadable } from "../model/evidence.js";
import type { TenantSnapshot } from "../model/snapshot.js";
import { notCollected, unreadable, type Proof } from "./sources.js";

export type GroupMembers = TenantSnapshot["groupMembers"];

export interface Members {
  /** User ids found, through nested groups too. Service principals are never members here. */
  readonly users: ReadonlySet<string>;
  /** Groups on the way whose members could not be read: `users` may be incomplete. */
  readonly unreadable: readonly Unreadable[];
}

/**
 * Nested groups are followed (Conditional Access honours nesting; role-assignable groups cannot
 * nest, so this costs nothing there). A group the collectors did not record counts as unreadable.
 */
export function memberUsers(groupMembers: GroupMembers, groupId: string): Members {
  const users = new Set<string>();
  const failed: Unreadable[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const source = groupMembers[id];
    const name = `groupMembers/${id}`;
    if (source === undefined) failed.push(notCollected(name));
    else if (!source.ok) failed.push(unreadable(name, source));
    else
      for (const member of source.data) {
        if (member.type === "user") users.add(member.id);
        else if (member.type === "group") visit(member.id);
      }
  };
  visit(groupId);
  return { users, unreadable: failed };
}

/** Is the user a (transitive) member? Unproven when a group on the way is unreadable. */
export function isMember(groupMembers: GroupMembers, groupId: string, userId: string): Proof {
  const members = memberUsers(groupMembers, groupId);
  if (members.users.has(userId)) return true;
  return members.unreadable.length > 0 ? { unreadable: members.unreadable } : false;
}
