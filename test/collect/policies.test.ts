/**
 * Reading Conditional Access policies as Graph lists them (through the simulator and the real SDK):
 * every condition the rules name reaches the model, flags enums written as one comma-separated
 * string are split, a grant's authentication strength arrives inline with requirementsSatisfied,
 * and a condition of the wrong shape is refused rather than read as "no condition".
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, type GraphSimulator, type FixtureGraph } from "../../dev/simulator/index.js";
import { readConditionalAccessPolicies } from "../../shared/collect/policies.js";
import { sdkClient } from "../simulator/helpers/clients.js";
import { TENANT_A, tenantFixture } from "../simulator/helpers/fixtures.js";

type FixturePolicy = NonNullable<FixtureGraph["v1.0/identity/conditionalAccess/policies"]>[number];

const CUSTOM_STRENGTH = "5790842a-5bab-44c2-9cf1-b38d675b70ea";

/**
 * A policy as Graph returns it: every condition set to something that narrows it. Typed loosely:
 * Graph writes a flags enum with several members as one comma-separated string, which the SDK's
 * types cannot spell (the simulator checks the fixture against Graph's metadata instead).
 */
const NARROWED: Record<string, unknown> & { readonly id: string } = {
  id: "policy-narrowed",
  displayName: "Narrowed everywhere",
  state: "enabled",
  conditions: {
    clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
    userRiskLevels: ["high"],
    signInRiskLevels: ["medium", "high"],
    servicePrincipalRiskLevels: [],
    insiderRiskLevels: "minor,elevated",
    platforms: { includePlatforms: ["android", "iOS"], excludePlatforms: ["linux"] },
    locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
    devices: { deviceFilter: { mode: "exclude", rule: "device.isCompliant -eq True" } },
    authenticationFlows: { transferMethods: "deviceCodeFlow,authenticationTransfer" },
    applications: {
      includeApplications: ["All"],
      excludeApplications: ["00000002-0000-0ff1-ce00-000000000000"],
      includeUserActions: [],
      includeAuthenticationContextClassReferences: ["c1"],
      applicationFilter: null,
    },
    users: {
      includeUsers: ["All"],
      excludeUsers: [],
      includeGroups: [],
      excludeGroups: [],
      includeRoles: [],
      excludeRoles: [],
      includeGuestsOrExternalUsers: null,
      excludeGuestsOrExternalUsers: {
        guestOrExternalUserTypes: "b2bCollaborationGuest,b2bCollaborationMember",
        externalTenants: {
          "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
          membershipKind: "enumerated",
          members: ["partner-tenant-id"],
        },
      },
    },
  },
  grantControls: {
    operator: "OR",
    builtInControls: ["compliantDevice"],
    customAuthenticationFactors: [],
    termsOfUse: ["tou-1"],
    authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" },
  },
};

const PLAIN: FixturePolicy = {
  id: "policy-plain",
  displayName: "Plain",
  state: "enabled",
  conditions: {
    clientAppTypes: ["all"],
    applications: { includeApplications: ["All"] },
    users: { includeUsers: ["All"] },
  },
  grantControls: { operator: "OR", builtInControls: [], authenticationStrength: { id: CUSTOM_STRENGTH } },
};

let sim: GraphSimulator;
let client: Client;

beforeAll(async () => {
  const graph: FixtureGraph = {
    "v1.0/identity/conditionalAccess/policies": [NARROWED, PLAIN],
    "v1.0/policies/authenticationStrengthPolicies": [
      {
        id: CUSTOM_STRENGTH,
        displayName: "Password is enough",
        policyType: "custom",
        requirementsSatisfied: "none",
        allowedCombinations: ["password"],
        createdDateTime: "2025-01-01T00:00:00Z",
        modifiedDateTime: "2025-01-01T00:00:00Z",
      },
    ],
  };
  sim = await startGraphSimulator({ fixtures: [tenantFixture({ id: TENANT_A, license: "p1", graph })], throttling: { enabled: false } });
  client = sdkClient(sim, TENANT_A);
});
afterAll(() => sim.close());

describe("readConditionalAccessPolicies", () => {
  it("keeps every condition that can narrow a policy", async () => {
    const [narrowed] = await readConditionalAccessPolicies(client);
    expect(narrowed?.conditions).toEqual({
      clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
      users: {
        includeUsers: ["All"],
        excludeUsers: [],
        includeGroups: [],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
        excludeGuestsOrExternalUsers: {
          guestOrExternalUserTypes: ["b2bCollaborationGuest", "b2bCollaborationMember"],
          externalTenants: ["partner-tenant-id"],
        },
      },
      applications: {
        includeApplications: ["All"],
        excludeApplications: ["00000002-0000-0ff1-ce00-000000000000"],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: ["c1"],
        applicationFilter: null,
      },
      userRiskLevels: ["high"],
      signInRiskLevels: ["medium", "high"],
      servicePrincipalRiskLevels: [],
      insiderRiskLevels: ["minor", "elevated"],
      platforms: { include: ["android", "iOS"], exclude: ["linux"] },
      locations: { include: ["All"], exclude: ["AllTrusted"] },
      deviceFilter: { mode: "exclude", rule: "device.isCompliant -eq True" },
      authenticationFlows: ["deviceCodeFlow", "authenticationTransfer"],
    });
  });

  it("reads a built-in authentication strength inline, with requirementsSatisfied", async () => {
    const [narrowed] = await readConditionalAccessPolicies(client);
    expect(narrowed?.grantControls).toEqual({
      operator: "OR",
      builtInControls: ["compliantDevice"],
      customAuthenticationFactors: [],
      termsOfUse: ["tou-1"],
      authenticationStrength: {
        id: "00000000-0000-0000-0000-000000000004",
        displayName: "Phishing-resistant MFA",
        requirementsSatisfied: "mfa",
      },
    });
  });

  it("reads a custom strength that admits a single factor as requirementsSatisfied none, and absent conditions as empty", async () => {
    const [, plain] = await readConditionalAccessPolicies(client);
    expect(plain?.grantControls?.authenticationStrength).toEqual({
      id: CUSTOM_STRENGTH,
      displayName: "Password is enough",
      requirementsSatisfied: "none",
    });
    expect(plain?.conditions).toMatchObject({
      platforms: null,
      locations: null,
      deviceFilter: null,
      authenticationFlows: [],
      insiderRiskLevels: [],
      users: { excludeGuestsOrExternalUsers: null },
    });
  });
});

describe("malformed policies", () => {
  /** The SDK client answering one listing with `policy`, so the collector's own checks are what is tested. */
  const answering = (policy: Record<string, unknown>): Client => {
    const request = { version: () => request, get: () => Promise.resolve({ value: [policy] }) };
    return { api: () => request } as unknown as Client;
  };
  const base = { id: "p1", state: "enabled", conditions: { users: { includeUsers: ["All"] } } };

  it.each([
    [
      "a guest exclusion that is not an object",
      { users: { includeUsers: ["All"], excludeGuestsOrExternalUsers: "all" } },
      "users.excludeGuestsOrExternalUsers that is not an object",
    ],
    ["risk levels that are not strings", { signInRiskLevels: [1] }, "conditions.signInRiskLevels that is not a list of strings"],
    [
      "a device filter without a rule",
      { devices: { deviceFilter: { mode: "include" } } },
      "devices.deviceFilter that is not { mode, rule }",
    ],
    ["platforms that are a string", { platforms: "all" }, "conditions.platforms that is not an object"],
  ])("refuses %s, naming the policy and the field", async (_, conditions, message) => {
    const policy = { ...base, conditions: { ...base.conditions, ...conditions } };
    await expect(readConditionalAccessPolicies(answering(policy))).rejects.toThrow(
      `Graph returned Conditional Access policy p1 with ${message}`,
    );
  });
});
