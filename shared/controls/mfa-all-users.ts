/** mfa.all-users: security defaults on, or an enabled CA policy requiring MFA of all users for all apps. */
import { judgeBaseline, policiesNotCounted, countedPolicies, judgePolicies, policyRef, type PolicyAudience } from "./conditional-access.js";
import type { Control } from "./control.js";
import { resolveExclusions } from "./exclusions.js";

export const mfaAllUsers: Control<"mfa.all-users"> = {
  id: "mfa.all-users",
  title: "MFA is required of all users (security defaults or Conditional Access)",
  severity: "high",
  rationale: "Passwords alone are phished, sprayed and reused; MFA stops the vast majority of account takeovers.",
  evaluate: ({ snapshot, config }) => {
    const audience: PolicyAudience = { everyoneBut: resolveExclusions(config, snapshot.groupMembers) };
    return [
      judgeBaseline(mfaAllUsers, snapshot, (policies) => {
        const judged = judgePolicies(policies, "mfa", audience);
        const counted = countedPolicies(judged);
        const notCounted = policiesNotCounted(judged);
        return {
          pass: counted.length > 0,
          detail: {
            policies: counted.map(policyRef),
            ...(counted.length === 0 && notCounted.length > 0 ? { policiesNotCounted: notCounted } : {}),
          },
        };
      }),
    ];
  },
};
