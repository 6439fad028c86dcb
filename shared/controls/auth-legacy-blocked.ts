/** auth.legacy-blocked: security defaults on, or enabled CA policies blocking both legacy client types. */
import {
  LEGACY_CLIENT_TYPES,
  judgeBaseline,
  policiesNotCounted,
  countedPolicies,
  judgePolicies,
  policyRef,
  targetsClientType,
  type PolicyAudience,
} from "./conditional-access.js";
import type { Control } from "./control.js";
import { resolveExclusions } from "./exclusions.js";

export const authLegacyBlocked: Control<"auth.legacy-blocked"> = {
  id: "auth.legacy-blocked",
  title: "Legacy authentication is blocked (security defaults or Conditional Access)",
  severity: "high",
  rationale: "Legacy protocols (IMAP, POP, SMTP AUTH, older ActiveSync) cannot do MFA: they let password spraying around it.",
  evaluate: ({ snapshot, config }) => {
    const audience: PolicyAudience = { everyoneBut: resolveExclusions(config, snapshot.groupMembers) };
    return [
      judgeBaseline(authLegacyBlocked, snapshot, (policies) => {
        const judged = judgePolicies(policies, "block", audience);
        const blocking = countedPolicies(judged);
        const missing = LEGACY_CLIENT_TYPES.filter((type) => !blocking.some((policy) => targetsClientType(policy, type)));
        const notCounted = policiesNotCounted(judged);
        return {
          pass: missing.length === 0,
          detail: {
            missing,
            policies: blocking.map(policyRef),
            ...(missing.length > 0 && notCounted.length > 0 ? { policiesNotCounted: notCounted } : {}),
          },
        };
      }),
    ];
  },
};
