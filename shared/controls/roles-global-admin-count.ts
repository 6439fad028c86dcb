/** roles.global-admin-count: between 2 and 4 Global Administrators, active or PIM eligible. */
import { holderIds, resolveRoleHolders } from "./admins.js";
import type { Control } from "./control.js";
import { GLOBAL_ADMINISTRATOR } from "../model/roles.js";
import { row, unknownRow } from "./rows.js";

const MIN_GLOBAL_ADMINS = 2;
const MAX_GLOBAL_ADMINS = 4;

export const rolesGlobalAdminCount: Control<"roles.global-admin-count"> = {
  id: "roles.global-admin-count",
  title: `Between ${MIN_GLOBAL_ADMINS} and ${MAX_GLOBAL_ADMINS} Global Administrators`,
  severity: "medium",
  rationale:
    "One Global Administrator is a single point of failure; many multiply the accounts whose takeover " + "means the whole tenant.",
  /**
   * Distinct users, active (direct or through a role-assignable group) or eligible; disabled and
   * excluded users count (they still hold the role); service principals do not. Without P2 only
   * active holders are visible (`detail.eligibleCounted: false`, and a note in the run).
   */
  evaluate: ({ snapshot }) => {
    const resolved = resolveRoleHolders(snapshot, new Set([GLOBAL_ADMINISTRATOR]));
    if (!resolved.ok) return [unknownRow(rolesGlobalAdminCount, null, resolved.unreadable)];
    const admins = [...holderIds(resolved.holders)].sort();
    const within = admins.length >= MIN_GLOBAL_ADMINS && admins.length <= MAX_GLOBAL_ADMINS;
    return [
      row(rolesGlobalAdminCount, null, within ? "pass" : "fail", {
        count: admins.length,
        admins,
        eligibleCounted: resolved.holders.eligibleVisible,
      }),
    ];
  },
};
