/**
 * Authentication strengths, and how Graph shows them inside a Conditional Access policy.
 *
 * Every tenant has Microsoft's three built-in strengths (ids and values as Graph lists them:
 * learn.microsoft.com/graph/api/authenticationstrengthroot-list-policies, and
 * .../resources/authenticationstrengthpolicy); a fixture adds custom ones under
 * `v1.0/policies/authenticationStrengthPolicies`. A policy's fixture names its strength by id only.
 *
 * Graph's policy listing returns `grantControls.authenticationStrength` inline, the whole strength
 * with `requirementsSatisfied` and `allowedCombinations`, next to an
 * `authenticationStrength@odata.context` annotation, and `authenticationStrength: null` when the
 * grant has none: so v1.0 listings captured in public repositories show it, and backup tools (CIPP
 * among them) strip that annotation before re-creating a policy. The relationship is documented on
 * learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols.
 */
import { isPlainObject, type GraphObject } from "./graph-object.js";

export const AUTHENTICATION_STRENGTHS_KEY = "v1.0/policies/authenticationStrengthPolicies";

const builtIn = (id: string, displayName: string, description: string, allowedCombinations: string[]): GraphObject => ({
  id,
  createdDateTime: "2021-12-01T00:00:00Z",
  modifiedDateTime: "2021-12-01T00:00:00Z",
  displayName,
  description,
  policyType: "builtIn",
  requirementsSatisfied: "mfa",
  allowedCombinations,
  combinationConfigurations: [],
});

export const BUILT_IN_STRENGTHS: readonly GraphObject[] = [
  builtIn(
    "00000000-0000-0000-0000-000000000002",
    "Multifactor authentication",
    "Combinations of methods that satisfy strong authentication, such as a password + SMS",
    [
      "windowsHelloForBusiness",
      "fido2",
      "x509CertificateMultiFactor",
      "deviceBasedPush",
      "temporaryAccessPassOneTime",
      "temporaryAccessPassMultiUse",
      "password,microsoftAuthenticatorPush",
      "password,softwareOath",
      "password,hardwareOath",
      "password,sms",
      "password,voice",
      "federatedMultiFactor",
      "microsoftAuthenticatorPush,federatedSingleFactor",
      "softwareOath,federatedSingleFactor",
      "hardwareOath,federatedSingleFactor",
      "sms,federatedSingleFactor",
      "voice,federatedSingleFactor",
    ],
  ),
  builtIn(
    "00000000-0000-0000-0000-000000000003",
    "Passwordless MFA",
    "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
    ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"],
  ),
  builtIn(
    "00000000-0000-0000-0000-000000000004",
    "Phishing-resistant MFA",
    "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
    ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
  ),
];

/** The strength with this id: built in, or one of the tenant's custom strengths. */
export function findStrength(custom: readonly GraphObject[], id: string): GraphObject | undefined {
  return [...BUILT_IN_STRENGTHS, ...custom].find(
    (strength) => typeof strength.id === "string" && strength.id.toLowerCase() === id.toLowerCase(),
  );
}

/**
 * A policy as the listing shows it: the grant's strength reference replaced by the whole strength,
 * with Graph's annotation. `contextUrl` is the policy's `.../$metadata#identity/conditionalAccess/policies('<id>')` prefix.
 */
export function withStrengthInline(policy: GraphObject, custom: readonly GraphObject[], policyContextUrl: string): GraphObject {
  const grant = policy.grantControls;
  if (!isPlainObject(grant)) return policy;
  const reference = grant.authenticationStrength;
  const strength = isPlainObject(reference) && typeof reference.id === "string" ? (findStrength(custom, reference.id) ?? null) : null;
  return {
    ...policy,
    grantControls: {
      ...grant,
      "authenticationStrength@odata.context": `${policyContextUrl}/grantControls/authenticationStrength/$entity`,
      authenticationStrength: strength,
    },
  };
}
