/** password.never-expire: managed verified root domains do not make passwords expire. */
import type { Domain } from "../model/snapshot.js";
import type { Control } from "./control.js";
import { row, unknownRow } from "./rows.js";
import { readSources } from "./sources.js";

/** Graph's "never expires" value (int32 max); null means the same (default since late 2021). */
const NEVER_EXPIRES = 2_147_483_647;

/**
 * Only verified, managed root domains are judged: federated ones take their policy from the IdP,
 * and a subdomain inherits its root's (Graph refuses a PATCH of it: "Domain operation is not allowed").
 */
export const isJudgedDomain = (domain: Domain): boolean =>
  domain.isVerified && domain.isRoot && domain.authenticationType.toLowerCase() === "managed";

/** Ids of federated, unverified or non-root domains (sorted), for the run's notes. */
export function skippedDomains(domains: readonly Domain[]): string[] {
  return domains
    .filter((domain) => !isJudgedDomain(domain))
    .map((domain) => domain.id)
    .sort();
}

export const passwordNeverExpire: Control<"password.never-expire"> = {
  id: "password.never-expire",
  title: "Passwords are set to never expire",
  severity: "low",
  rationale:
    "Forced periodic changes push users to predictable passwords (NIST SP 800-63B, Microsoft guidance); " +
    "change passwords on evidence of compromise instead.",
  evaluate: ({ snapshot }) => {
    const read = readSources({ domains: snapshot.domains });
    if (!read.ok) return [unknownRow(passwordNeverExpire, null, read.unreadable)];
    return read.data.domains
      .filter(isJudgedDomain)
      .filter((domain) => ![null, NEVER_EXPIRES].includes(domain.passwordValidityPeriodInDays))
      .map((domain) =>
        row(passwordNeverExpire, domain.id, "fail", {
          passwordValidityPeriodInDays: domain.passwordValidityPeriodInDays,
        }),
      );
  },
};
