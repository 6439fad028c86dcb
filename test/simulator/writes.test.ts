/** Remediation writes change what later reads return; bodies are checked like Graph checks them. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, type GraphSimulator } from "../../dev/simulator/index.js";
import { raw } from "./helpers/clients.js";
import { TENANT_A, tenantFixture, user, userId } from "./helpers/fixtures.js";

let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [
      tenantFixture({
        graph: {
          "v1.0/users": [user(1), user(2, { onPremisesSyncEnabled: true }), user(3)],
          "v1.0/reports/authenticationMethods/userRegistrationDetails": [
            { id: userId(3), userPrincipalName: "user3@contoso.com", userDisplayName: "User 3", isMfaRegistered: true },
          ],
          "v1.0/policies/authorizationPolicy": {
            defaultUserRolePermissions: {
              permissionGrantPoliciesAssigned: [
                "ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
                "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team",
              ],
            },
          },
          "v1.0/domains": [
            { id: "contoso.com", isVerified: true, authenticationType: "Managed", passwordValidityPeriodInDays: 90 },
            // isRoot left out: a subdomain of contoso.com, so false (defaults.ts)
            { id: "eu.contoso.com", isVerified: true, authenticationType: "Managed", passwordValidityPeriodInDays: 90 },
            { id: "contoso-retail.com", isVerified: false, authenticationType: "Managed", passwordValidityPeriodInDays: 90 },
          ],
        },
      }),
    ],
    throttling: { enabled: false },
  });
});
afterAll(() => sim.close());
afterEach(() => sim.tenant(TENANT_A).restore());

const call = (method: string, path: string, body?: unknown) =>
  raw(sim, TENANT_A, path, { method, ...(body !== undefined ? { body } : {}) });

describe("PATCH users/{id}", () => {
  it("disables the account: 204 without a body or JSON content type, then reads see it", async () => {
    const response = await call("PATCH", `v1.0/users/${userId(1)}`, { accountEnabled: false });
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect(response.headers.has("content-type")).toBe(false);
    expect((await call("GET", `v1.0/users/${userId(1)}?$select=accountEnabled`)).json.accountEnabled).toBe(false);
    expect((await call("GET", "v1.0/users?$filter=accountEnabled eq false&$select=id")).json.value).toEqual([{ id: userId(1) }]);
  });

  it.each([
    [{ shoeSize: 42 }, "Request_BadRequest", "Property 'shoeSize' does not exist as a declared property or extension property."],
    [{ accountEnabled: "no" }, "Request_BadRequest", "Invalid value specified for property 'accountEnabled' of resource 'User'."],
    [{ createdDateTime: "2020-01-01T00:00:00Z" }, "Request_BadRequest", "Property 'createdDateTime' is read-only and cannot be set."],
    [
      "{not json",
      "BadRequest",
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    ],
  ])("answers 400 for %j", async (body, code, message) => {
    const response = await call("PATCH", `v1.0/users/${userId(1)}`, body);
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code, message });
    expect(sim.tenant(TENANT_A).get(`v1.0/users/${userId(1)}`)).toMatchObject({ accountEnabled: true });
  });

  it("refuses to disable an on-premises synced account", async () => {
    const response = await call("PATCH", `v1.0/users/${userId(2)}`, { accountEnabled: false });
    expect(response.status).toBe(400);
    expect(response.json.error.message).toContain("on-premises mastered Directory Sync objects");
  });

  it("answers 404 for an unknown user", async () => {
    expect((await call("PATCH", "v1.0/users/nobody@contoso.com", { accountEnabled: false })).status).toBe(404);
  });
});

describe("POST users/{id}/revokeSignInSessions", () => {
  it("answers 200 with Edm.Boolean true and moves signInSessionsValidFromDateTime", async () => {
    const response = await call("POST", `v1.0/users/${userId(1)}/revokeSignInSessions`);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ "@odata.context": `${sim.baseUrl}v1.0/$metadata#Edm.Boolean`, value: true });
    expect(sim.tenant(TENANT_A).get(`v1.0/users/${userId(1)}`)).toHaveProperty("signInSessionsValidFromDateTime");
  });
});

describe("PATCH beta users/{id}/authentication/requirements", () => {
  const path = (n: number) => `beta/users/${userId(n)}/authentication/requirements`;

  it("sets the per-user MFA state; enabled on a registered user becomes enforced", async () => {
    expect((await call("PATCH", path(1), { perUserMfaState: "enabled" })).status).toBe(204);
    expect((await call("GET", path(1))).json.perUserMfaState).toBe("enabled");
    await call("PATCH", path(3), { perUserMfaState: "enabled" });
    expect((await call("GET", path(3))).json.perUserMfaState).toBe("enforced");
  });

  it("with stale reads set, shows a write only after that many reads (eventual consistency); restore() ends it", async () => {
    sim.tenant(TENANT_A).setStaleReadsAfterWrite(2);
    await call("PATCH", path(1), { perUserMfaState: "enforced" });
    await call("PATCH", path(1), { perUserMfaState: "enabled" });
    const reads = [];
    for (let i = 0; i < 3; i++) reads.push((await call("GET", path(1))).json.perUserMfaState);
    expect(reads).toEqual(["disabled", "disabled", "enabled"]);
    expect(sim.tenant(TENANT_A).get(path(1))).toEqual({ perUserMfaState: "enabled" });
    sim.tenant(TENANT_A).restore();
    await call("PATCH", path(1), { perUserMfaState: "enforced" });
    expect((await call("GET", path(1))).json.perUserMfaState).toBe("enforced");
  });

  it("refuses values outside the enum", async () => {
    const response = await call("PATCH", path(1), { perUserMfaState: "on" });
    expect(response.status).toBe(400);
    expect(response.json.error.message).toBe(
      "Invalid value specified for property 'perUserMfaState' of resource 'StrongAuthenticationRequirements'.",
    );
  });
});

describe("PATCH policies/authorizationPolicy and domains/{id}", () => {
  it("turns off user consent, keeping the owned-resource entries", async () => {
    const keep = ["ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"];
    const response = await call("PATCH", "v1.0/policies/authorizationPolicy", {
      defaultUserRolePermissions: { permissionGrantPoliciesAssigned: keep },
    });
    expect(response.status).toBe(204);
    const policy = (await call("GET", "v1.0/policies/authorizationPolicy")).json;
    expect(policy.defaultUserRolePermissions).toMatchObject({ permissionGrantPoliciesAssigned: keep, allowedToCreateApps: true });
  });

  it("rejects an unknown nested property", async () => {
    const response = await call("PATCH", "v1.0/policies/authorizationPolicy", { defaultUserRolePermissions: { allowEverything: true } });
    expect(response.json.error.message).toBe("Property 'allowEverything' does not exist as a declared property or extension property.");
  });

  it("sets passwords to never expire on a domain", async () => {
    expect((await call("PATCH", "v1.0/domains/contoso.com", { passwordValidityPeriodInDays: 2147483647 })).status).toBe(204);
    expect((await call("GET", "v1.0/domains/contoso.com")).json.passwordValidityPeriodInDays).toBe(2147483647);
    expect((await call("PATCH", "v1.0/domains/contoso.com", { passwordValidityPeriodInDays: "never" })).status).toBe(400);
  });

  it("gives fixture domains without isRoot Graph's value: verified and no parent domain in the tenant", async () => {
    const domains = (await call("GET", "v1.0/domains?$select=id,isRoot")).json.value;
    expect(domains).toEqual([
      { id: "contoso.com", isRoot: true },
      { id: "eu.contoso.com", isRoot: false },
      { id: "contoso-retail.com", isRoot: false },
    ]);
  });

  it.each(["eu.contoso.com", "contoso-retail.com"])(
    "refuses to change %s, which is not a root domain (CIPP issue 5381)",
    async (domain) => {
      const response = await call("PATCH", `v1.0/domains/${domain}`, { passwordValidityPeriodInDays: 2147483647 });
      expect(response.status).toBe(400);
      expect(response.json.error).toMatchObject({ code: "Request_BadRequest", message: "Domain operation is not allowed." });
      expect(sim.tenant(TENANT_A).get(`v1.0/domains/${domain}`)).toMatchObject({ passwordValidityPeriodInDays: 90 });
    },
  );
});

describe("restore()", () => {
  it("puts the fixture's data back", async () => {
    await call("PATCH", `v1.0/users/${userId(1)}`, { accountEnabled: false });
    sim.tenant(TENANT_A).restore();
    expect(sim.tenant(TENANT_A).get(`v1.0/users/${userId(1)}`)).toMatchObject({ accountEnabled: true });
  });
});
