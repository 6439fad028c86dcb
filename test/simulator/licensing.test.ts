/** Licence gates per tenant: Free, P1, P2 (graph-facts §1–4). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, type GraphSimulator, type TenantFixture } from "../../dev/simulator/index.js";
import { raw } from "./helpers/clients.js";
import { tenantFixture, user, userId } from "./helpers/fixtures.js";

const FREE = "f0000000-0000-4000-8000-000000000001";
const P1 = "f0000000-0000-4000-8000-000000000002";
const P2 = "f0000000-0000-4000-8000-000000000003";
let sim: GraphSimulator;

const fixture = (id: string, license: TenantFixture["tenant"]["license"]): TenantFixture =>
  tenantFixture({
    id,
    license,
    graph: {
      "v1.0/users": [user(1, { signInActivity: { lastSignInDateTime: "2024-01-01T00:00:00Z" } })],
      "v1.0/reports/authenticationMethods/userRegistrationDetails": [
        { id: userId(1), userPrincipalName: "user1@contoso.com", userDisplayName: "User 1", isMfaRegistered: true },
      ],
      "v1.0/roleManagement/directory/roleEligibilitySchedules": [
        {
          id: "e1",
          principalId: userId(1),
          roleDefinitionId: "62e90394-69f5-4237-9190-012177145e10",
          directoryScopeId: "/",
          memberType: "Direct",
          status: "Provisioned",
        },
      ],
      "v1.0/identity/conditionalAccess/policies": [],
    },
  });

beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [fixture(FREE, "free"), fixture(P1, "p1"), fixture(P2, "p2")],
    throttling: { enabled: false },
  });
});
afterAll(() => sim.close());

const NON_PREMIUM = {
  status: 403,
  code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
  message: "Neither tenant is B2C or tenant doesn't have premium license",
};
const NO_P2 = {
  status: 400,
  code: "AadPremiumLicenseRequired",
  message: "The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license.",
};

describe.each([
  ["v1.0/users?$select=id,signInActivity", { free: NON_PREMIUM, p1: 200, p2: 200 }],
  ["v1.0/users?$filter=signInActivity/lastSignInDateTime le 2025-01-01T00:00:00Z", { free: NON_PREMIUM, p1: 200, p2: 200 }],
  [`v1.0/users/${userId(1)}?$select=signInActivity`, { free: NON_PREMIUM, p1: 200, p2: 200 }],
  ["v1.0/reports/authenticationMethods/userRegistrationDetails", { free: NON_PREMIUM, p1: 200, p2: 200 }],
  ["v1.0/roleManagement/directory/roleEligibilitySchedules", { free: NO_P2, p1: NO_P2, p2: 200 }],
  [
    "v1.0/identity/conditionalAccess/policies",
    { free: { status: 403, code: "AadPremiumLicenseRequired", message: expect.any(String) as string }, p1: 200, p2: 200 },
  ],
  ["v1.0/users?$select=id,accountEnabled", { free: 200, p1: 200, p2: 200 }],
])("%s", (path, expected) => {
  it.each([
    ["free", FREE],
    ["p1", P1],
    ["p2", P2],
  ] as const)("on %s", async (license, tenantId) => {
    const response = await raw(sim, tenantId, path);
    const want = expected[license];
    if (typeof want === "number") {
      expect(response.status).toBe(want);
      return;
    }
    expect(response.status).toBe(want.status);
    expect(response.json.error).toMatchObject({ code: want.code, message: want.message });
  });
});
