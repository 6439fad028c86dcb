/** auth.legacy-blocked: security defaults on, or enabled CA policies blocking both legacy client types. */
import type { ConditionalAccessPolicy } from "../model/snapshot.js";
import { blocks, isEnabled, judgeBaseline, policyRef, targetsAllApps, targetsAllUsers } from "./conditional-access.js";
import type { Control } from "./control.js";
import { resolveExclusions } from "./exclusions.js";

const LEGACY_CLIENT_TYPES = ["exchangeActiveSync", "other"] as const;

/**
 * Decision (docs/controls.md is silent): clientAppTypes `all` covers both legacy types too (such a
 * policy blocks them, along with everything else).
 */
function targetsClientType(policy: ConditionalAccessPolicy, clientType: string): boolean {
  const accepted = ["all", clientType.toLowerCase()];
  return policy.conditions.clientAppTypes.some((type) => accepted.includes(type.toLowerCase()));
}

export const authLegacyBlocked: Control = {
  id: "auth.legacy-blocked",
  title: "Legacy authentication is blocked (security defaults or Conditional Access)",
  severity: "high",
  rationale:
    "Legacy protocols (IMAP, POP, SMTP AUTH, older ActiveSync) cannot do MFA: they let password spraying around it.",
  evaluate: ({ snapshot, config }) => {
    const exclusions = resolveExclusions(config, snapshot.groupMembers);
    return [
      judgeBaseline(authLegacyBlocked, snapshot, (policies) => {
        const blocking = policies.filter(
          (policy) =>
            isEnabled(policy) &&
            blocks(policy) &&
            targetsAllApps(policy) &&
            targetsAllUsers(policy, exclusions) &&
            LEGACY_CLIENT_TYPES.some((type) => targetsClientType(policy, type)),
        );
        const missing = LEGACY_CLIENT_TYPES.filter(
          (type) => !blocking.some((policy) => targetsClientType(policy, type)),
        );
        return { pass: missing.length === 0, detail: { missing, policies: blocking.map(policyRef) } };
      }),
    ];
  },
};
