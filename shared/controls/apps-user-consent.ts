/** apps.user-consent: users may not consent to applications through a built-in self-consent policy. */
import type { Control } from "./control.js";
import { row, unknownRow } from "./rows.js";
import { readSources } from "./sources.js";

/**
 * Built-in self-consent policies: `-legacy` (any app), `-low`, `-recommended`. Conservative: any
 * `microsoft-user-default-*` counts, so a future built-in one fails too. Custom
 * `ManagePermissionGrantsForSelf.<custom>` policies are admin-managed and pass.
 */
const SELF_CONSENT_PREFIX = "managepermissiongrantsforself.microsoft-user-default-";

export const appsUserConsent: Control<"apps.user-consent"> = {
  id: "apps.user-consent",
  title: "Users cannot consent to applications on their own",
  severity: "medium",
  rationale:
    "Consent phishing gets a malicious app delegated access to a user's mail and files without any password; " +
    "admins should review consent requests.",
  evaluate: ({ snapshot }) => {
    const read = readSources({ authorizationPolicy: snapshot.authorizationPolicy });
    if (!read.ok) return [unknownRow(appsUserConsent, null, read.unreadable)];
    const assigned = read.data.authorizationPolicy.permissionGrantPoliciesAssigned;
    const offending = assigned.filter((id) => id.toLowerCase().startsWith(SELF_CONSENT_PREFIX));
    return [
      row(appsUserConsent, null, offending.length > 0 ? "fail" : "pass", {
        offending,
        permissionGrantPoliciesAssigned: assigned,
      }),
    ];
  },
};
