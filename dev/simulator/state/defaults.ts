/**
 * What Graph returns for singletons a fixture leaves out (a fresh tenant's values). A fixture's
 * own value is merged over these, so `{ "isEnabled": true }` is enough for security defaults.
 */
import type { GraphObject } from "./graph-object.js";

export const SECURITY_DEFAULTS_KEY = "v1.0/policies/identitySecurityDefaultsEnforcementPolicy";
export const AUTHORIZATION_POLICY_KEY = "v1.0/policies/authorizationPolicy";

export const SINGLETON_DEFAULTS: Readonly<Record<string, GraphObject>> = {
  [SECURITY_DEFAULTS_KEY]: {
    id: "00000000-0000-0000-0000-000000000005",
    displayName: "Security Defaults",
    description:
      "Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization. Administrators and users will be better protected from common identity related attacks.",
    isEnabled: false,
  },
  [AUTHORIZATION_POLICY_KEY]: {
    id: "authorizationPolicy",
    displayName: "Authorization Policy",
    description: "Used to manage authorization related settings across the company.",
    allowInvitesFrom: "everyone",
    allowedToSignUpEmailBasedSubscriptions: true,
    allowedToUseSSPR: true,
    allowEmailVerifiedUsersToJoinOrganization: false,
    allowUserConsentForRiskyApps: null,
    blockMsolPowerShell: false,
    guestUserRoleId: "10dae51f-b6af-4016-8d66-8c2a99b929b3",
    defaultUserRolePermissions: {
      allowedToCreateApps: true,
      allowedToCreateSecurityGroups: true,
      allowedToCreateTenants: true,
      allowedToReadBitlockerKeysForOwnedDevice: true,
      allowedToReadOtherUsers: true,
      permissionGrantPoliciesAssigned: [],
    },
  },
};

/** Per-user MFA state of a user the fixture doesn't mention. */
export const DEFAULT_PER_USER_MFA_STATE = "disabled";

export const DOMAINS_KEY = "v1.0/domains";

/**
 * `isRoot` for fixture domains that leave it out (Graph never does: it is non-nullable). Graph's
 * domain resource: "true if the domain is a verified root domain. Otherwise, false if the domain is
 * a subdomain or unverified." So a verified domain is a root unless another domain of the tenant is
 * its parent (eu.contoso.com under contoso.com). A fixture's own value wins (Graph can promote a
 * verified subdomain to a root).
 */
export function fillDomainDefaults(domains: readonly GraphObject[]): void {
  const names = domains.map((d) => String(d.id).toLowerCase());
  for (const domain of domains) {
    if ("isRoot" in domain) continue;
    const name = String(domain.id).toLowerCase();
    domain.isRoot = domain.isVerified === true && !names.some((parent) => name.endsWith(`.${parent}`));
  }
}
