/** The control catalog and the pure evaluation of one tenant snapshot. */
import type { FindingRow } from "../model/findings.js";
import type { TenantSnapshot } from "../model/snapshot.js";
import type { TenantConfig } from "../model/tenant.js";
import { accountsInactive30, accountsInactive90 } from "./accounts-inactive.js";
import { appsUserConsent } from "./apps-user-consent.js";
import { authLegacyBlocked } from "./auth-legacy-blocked.js";
import type { Control } from "./control.js";
import { resolveExclusions } from "./exclusions.js";
import { mfaAdmins } from "./mfa-admins.js";
import { mfaAllUsers } from "./mfa-all-users.js";
import { passwordNeverExpire, skippedDomains } from "./password-never-expire.js";
import { passwordSsprEnabled } from "./password-sspr-enabled.js";
import { rolesGlobalAdminCount } from "./roles-global-admin-count.js";

export type { Control, ControlInput } from "./control.js";

/** All controls, in docs/controls.md order (the order of CONTROL_IDS). */
export const CONTROLS: readonly Control[] = [
  accountsInactive30,
  accountsInactive90,
  mfaAdmins,
  mfaAllUsers,
  authLegacyBlocked,
  passwordSsprEnabled,
  passwordNeverExpire,
  appsUserConsent,
  rolesGlobalAdminCount,
];

export interface Evaluation {
  /** By control order, then subjectId (tenant-level rows first). */
  readonly rows: FindingRow[];
  /** Facts the run should record that rows do not show: what was not visible or skipped. */
  readonly notes: string[];
}

/** Pure: no I/O, and `asOf` is the only time source. */
export function evaluateTenant(snapshot: TenantSnapshot, config: TenantConfig, asOf: Date): Evaluation {
  const input = { snapshot, config, asOf };
  return {
    rows: CONTROLS.flatMap((control) => control.evaluate(input).sort(bySubject)),
    notes: notesFor(snapshot, config),
  };
}

function bySubject(a: FindingRow, b: FindingRow): number {
  if (a.subjectId === b.subjectId) return 0;
  if (a.subjectId === null) return -1;
  if (b.subjectId === null) return 1;
  return a.subjectId < b.subjectId ? -1 : 1;
}

function notesFor(snapshot: TenantSnapshot, config: TenantConfig): string[] {
  const { roleEligibility, conditionalAccessPolicies, domains } = snapshot;
  const skipped = domains.ok ? skippedDomains(domains.data) : [];
  return [
    ...(!roleEligibility.ok && roleEligibility.reason === "license"
      ? ["PIM eligible assignments not visible (no Entra ID P2): eligible admins are not counted"]
      : []),
    ...(!conditionalAccessPolicies.ok && conditionalAccessPolicies.reason === "license"
      ? ["Conditional Access not readable (no Entra ID P1): " + "mfa.all-users and auth.legacy-blocked decided on security defaults alone"]
      : []),
    ...(skipped.length > 0 ? [`Skipped federated, unverified or non-root domains: ${skipped.join(", ")}`] : []),
    ...resolveExclusions(config, snapshot.groupMembers).unreadable.map(
      (failed) =>
        `Exclusions incomplete: ${failed.source} not readable (${failed.reason}): ` +
        "users who may be excluded are reported unknown, never fail",
    ),
  ];
}
