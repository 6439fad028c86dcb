/**
 * Permissions in the simulator: tokens carry the tenant's consent as `roles`, each route checks the
 * permission Graph documents for it, and sensitive writes on administrators check the app's role.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, TEST_APP_CLIENT_ID, type GraphSimulator, type TenantFixture } from "../../dev/simulator/index.js";
import { allPermissions, permissionsFor } from "../../shared/graph/permission-manifest.js";
import { raw } from "./helpers/clients.js";
import { GLOBAL_ADMIN, TENANT_A, TENANT_B, tenantFixture, user, userId } from "./helpers/fixtures.js";

const TENANT_C = "cccccccc-0000-4000-8000-00000000000c";

function fixture(id: string, app: TenantFixture["app"]): TenantFixture {
  const base = tenantFixture({
    id,
    graph: {
      "v1.0/users": [user(1), user(2)],
      "v1.0/roleManagement/directory/roleAssignments": [
        { id: "ra-1", principalId: userId(1), roleDefinitionId: GLOBAL_ADMIN, directoryScopeId: "/" },
      ],
    },
  });
  return app === undefined ? base : { ...base, app };
}

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [
      fixture(TENANT_A, undefined), // the default: everything the manifest needs
      fixture(TENANT_B, { permissions: permissionsFor("sweep").filter((p) => p !== "AuditLog.Read.All") }),
      fixture(TENANT_C, { roles: ["User Administrator"] }),
    ],
    throttling: { enabled: false },
  });
});
afterAll(() => sim.close());

const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { roles: string[] };

describe("consent", () => {
  it("tokens carry the tenant's consented permissions as roles (default: the permission manifest's)", () => {
    expect(claims(sim.mintToken(TENANT_A)).roles.sort()).toEqual(allPermissions());
    expect(claims(sim.mintToken(TENANT_B)).roles).not.toContain("AuditLog.Read.All");
  });

  it("a route answers Graph's 403 when no permission it documents was consented", async () => {
    const response = await raw(sim, TENANT_B, "v1.0/reports/authenticationMethods/userRegistrationDetails");
    expect(response.status).toBe(403);
    expect(response.json.error).toMatchObject({
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
    });
    expect((await raw(sim, TENANT_B, "v1.0/domains")).status).toBe(200);
  });

  it("users: the listing needs User.Read.All; selecting signInActivity needs AuditLog.Read.All as well", async () => {
    expect((await raw(sim, TENANT_B, "v1.0/users?$select=id")).status).toBe(200);
    const withSignIn = await raw(sim, TENANT_B, "v1.0/users?$select=id,signInActivity");
    expect(withSignIn.status).toBe(403);
    expect(withSignIn.json.error.code).toBe("Authentication_MSGraphPermissionMissing");
    expect((await raw(sim, TENANT_A, "v1.0/users?$select=id,signInActivity")).status).toBe(200);
    const noUsers = sim.mintToken(TENANT_A, { roles: ["AuditLog.Read.All"] });
    expect((await raw(sim, TENANT_A, "v1.0/users", { token: noUsers })).status).toBe(403);
  });

  it("a higher-privileged permission the docs list is enough", async () => {
    const token = sim.mintToken(TENANT_A, { roles: ["Directory.Read.All"] });
    expect((await raw(sim, TENANT_A, "v1.0/domains", { token })).status).toBe(200);
    expect(
      (await raw(sim, TENANT_A, "v1.0/domains/contoso.com", { token, method: "PATCH", body: { passwordValidityPeriodInDays: 90 } })).status,
    ).toBe(403);
  });
});

describe("sensitive writes on administrators", () => {
  it("disabling an administrator needs Privileged Authentication Administrator on the app; a plain user does not", async () => {
    const disable = { method: "PATCH", body: { accountEnabled: false } } as const;
    const admin = await raw(sim, TENANT_C, `v1.0/users/${userId(1)}`, disable);
    expect(admin.status).toBe(403);
    expect(admin.json.error.code).toBe("Authorization_RequestDenied");
    expect(sim.tenant(TENANT_C).get(`v1.0/users/${userId(1)}`)).toMatchObject({ accountEnabled: true });
    expect((await raw(sim, TENANT_C, `v1.0/users/${userId(2)}`, disable)).status).toBe(204);
    expect((await raw(sim, TENANT_A, `v1.0/users/${userId(1)}`, disable)).status).toBe(204);
  });

  it("revoking an administrator's sessions is refused with Graph's own message", async () => {
    const revoke = await raw(sim, TENANT_C, `v1.0/users/${userId(1)}/revokeSignInSessions`, { method: "POST" });
    expect(revoke.status).toBe(403);
    expect(revoke.json.error).toMatchObject({
      code: "Authorization_RequestDenied",
      message: "Access to invalidate refresh tokens operation is denied.",
    });
    expect((await raw(sim, TENANT_C, `v1.0/users/${userId(2)}/revokeSignInSessions`, { method: "POST" })).status).toBe(200);
  });
});

describe("the app's service principal", () => {
  it("is in every tenant (admin consent creates it), once, with a stable id", async () => {
    const lookup = `v1.0/servicePrincipals?$filter=appId eq '${TEST_APP_CLIENT_ID}'&$select=id,appId`;
    const first = await raw(sim, TENANT_A, lookup);
    expect(first.json.value).toHaveLength(1);
    const other = await raw(sim, TENANT_C, lookup);
    expect(other.json.value[0]?.id).not.toBe(first.json.value[0]?.id);
    sim.tenant(TENANT_A).restore();
    expect((await raw(sim, TENANT_A, lookup)).json.value).toEqual(first.json.value);
  });
});
