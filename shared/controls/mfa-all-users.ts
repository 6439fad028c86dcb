/** mfa.all-users: security defaults on, or an enabled CA policy requiring MFA of all users for all apps. */
import { enforcesMfa, judgeBaseline, policyRef, targetsAllUsers } from "./conditional-access.js";
import type { Control } from "./control.js";
import { resolveExclusions } from "./exclusions.js";

export const mfaAllUsers: Control = {
  id: "mfa.all-users",
  title: "MFA is required of all users (security defaults or Conditional Access)",
  severity: "high",
  rationale: "Passwords alone are phished, sprayed and reused; MFA stops the vast majority of account takeovers.",
  evaluate: ({ snapshot, config }) => {
    const exclusions = resolveExclusions(config, snapshot.groupMembers);
    return [
      judgeBaseline(mfaAllUsers, snapshot, (policies) => {
        const qualifying = policies.filter((policy) => enforcesMfa(policy) && targetsAllUsers(policy, exclusions));
        return { pass: qualifying.length > 0, detail: { policies: qualifying.map(policyRef) } };
      }),
    ];
  },
};
