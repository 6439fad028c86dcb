/** $select, $filter, $expand, single resources, errors and response headers. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, TEST_APP_CLIENT_ID, type GraphSimulator } from "../../dev/simulator/index.js";
import { raw } from "./helpers/clients.js";
import { GLOBAL_ADMIN, groupId, withMembers, spId, TENANT_A, tenantFixture, user, userId } from "./helpers/fixtures.js";

const SECURITY_ADMIN = "194ae4cb-b126-40b2-bd5b-6091b380977d";
let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [
      tenantFixture({
        graph: withMembers(
          {
            "v1.0/users": [
              user(0, { signInActivity: { lastSignInDateTime: "2023-06-01T00:00:00Z", lastSuccessfulSignInDateTime: null } }),
              user(1, { signInActivity: { lastSignInDateTime: "2024-06-01T00:00:00Z" }, accountEnabled: false }),
              user(2, { userType: "Guest", userPrincipalName: "guest_fabrikam.com#EXT#@contoso.com", jobTitle: "Auditor" }),
              user(3, { displayName: "Alice Admin" }),
            ],
            "v1.0/groups": [{ id: groupId(1), displayName: "Tier0 admins", isAssignableToRole: true }],
            "v1.0/servicePrincipals": [{ id: spId(1), displayName: "Automation", appId: "0a0a0a0a-0000-4000-8000-000000000001" }],
            "v1.0/roleManagement/directory/roleAssignments": [
              { id: "ra1", principalId: userId(3), roleDefinitionId: GLOBAL_ADMIN, directoryScopeId: "/" },
              { id: "ra2", principalId: groupId(1), roleDefinitionId: GLOBAL_ADMIN, directoryScopeId: "/" },
              { id: "ra3", principalId: spId(1), roleDefinitionId: SECURITY_ADMIN, directoryScopeId: "/" },
            ],
            "v1.0/reports/authenticationMethods/userRegistrationDetails": [
              {
                id: userId(0),
                userPrincipalName: "user0@contoso.com",
                userDisplayName: "User 0",
                isMfaRegistered: true,
                methodsRegistered: ["email", "fido2"],
              },
              {
                id: userId(3),
                userPrincipalName: "user3@contoso.com",
                userDisplayName: "Alice Admin",
                isMfaRegistered: false,
                methodsRegistered: [],
              },
            ],
          },
          groupId(1),
          [
            { "@odata.type": "#microsoft.graph.user", id: userId(3) },
            { "@odata.type": "#microsoft.graph.servicePrincipal", id: spId(1) },
          ],
        ),
      }),
    ],
    throttling: { enabled: false },
  });
});
afterAll(() => sim.close());

const ids = (body: { value: { id: string }[] }): string[] => body.value.map((v) => v.id);
const get = (path: string, headers?: Record<string, string>) => raw(sim, TENANT_A, path, headers ? { headers } : {});

describe("$select", () => {
  it("returns Graph's default user properties without $select, never signInActivity", async () => {
    const body = (await get("v1.0/users?$top=1")).json;
    expect(Object.keys(body.value[0] as object).sort()).toEqual(
      [
        "businessPhones",
        "displayName",
        "givenName",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
        "id",
      ].sort(),
    );
    expect(body.value[0]).toMatchObject({ businessPhones: [], mail: null, id: userId(0) });
  });

  it("returns exactly the selected properties, omitting signInActivity for users who never signed in", async () => {
    const body = (await get("v1.0/users?$select=id,accountEnabled,signInActivity")).json;
    expect(body["@odata.context"]).toBe(`${sim.baseUrl}v1.0/$metadata#users(id,accountEnabled,signInActivity)`);
    expect(body.value[0]).toEqual({
      id: userId(0),
      accountEnabled: true,
      signInActivity: { lastSignInDateTime: "2023-06-01T00:00:00Z", lastSuccessfulSignInDateTime: null },
    });
    expect(body.value[2]).toEqual({ id: userId(2), accountEnabled: true });
  });

  it("rejects a property the type does not have", async () => {
    const response = await get("v1.0/users?$select=id,shoeSize");
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({
      code: "BadRequest",
      message: "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.",
    });
  });
});

describe("$filter", () => {
  it.each([
    ["accountEnabled eq false", [userId(1)]],
    ["userType eq 'Guest'", [userId(2)]],
    ["jobTitle eq null", [userId(0), userId(1), userId(3)]],
    ["accountEnabled eq true and userType eq 'Member'", [userId(0), userId(3)]],
    [`id in ('${userId(1)}','${userId(3)}')`, [userId(1), userId(3)]],
    ["startsWith(displayName,'alice')", [userId(3)]],
    ["signInActivity/lastSignInDateTime le 2024-01-01T00:00:00Z", [userId(0)]],
    ["signInActivity/lastSignInDateTime ge 2024-01-01T00:00:00Z", [userId(1)]],
    ["userPrincipalName eq 'USER3@contoso.com'", [userId(3)]],
  ])("%s", async (filter, expected) => {
    const response = await get(`v1.0/users?$select=id&$filter=${encodeURIComponent(filter)}`);
    expect(response.status).toBe(200);
    expect(ids(response.json)).toEqual(expected);
  });

  it("filters role assignments by roleDefinitionId and registration details with any()", async () => {
    const roles = await get(`v1.0/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${GLOBAL_ADMIN}'`);
    expect(ids(roles.json)).toEqual(["ra1", "ra2"]);
    const registered = await get(
      "v1.0/reports/authenticationMethods/userRegistrationDetails?$filter=methodsRegistered/any(m:m eq 'fido2')",
    );
    expect(ids(registered.json)).toEqual([userId(0)]);
  });

  it.each(["accountEnabled ne true", "endsWith(userPrincipalName,'contoso.com')", "not(accountEnabled eq true)"])(
    "%s needs ConsistencyLevel: eventual and $count=true",
    async (filter) => {
      const operator = /^(\w+)\(/.exec(filter)?.[1] ?? filter.split(" ")[1];
      const refused = await get(`v1.0/users?$filter=${encodeURIComponent(filter)}`);
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe("Request_UnsupportedQuery");
      expect(refused.json.error.message).toMatch(
        new RegExp(
          `^Operator '${operator}' is not supported because the required parameters might be missing. Try adding \\$count=true query parameter and ConsistencyLevel:eventual header`,
        ),
      );
      const withHeaderOnly = await get(`v1.0/users?$filter=${encodeURIComponent(filter)}`, { ConsistencyLevel: "eventual" });
      expect(withHeaderOnly.status).toBe(400);
      const advanced = await get(`v1.0/users?$count=true&$filter=${encodeURIComponent(filter)}`, { ConsistencyLevel: "eventual" });
      expect(advanced.status).toBe(200);
      expect(advanced.json["@odata.count"]).toBe(advanced.json.value.length);
    },
  );

  it.each([
    ["accountEnabled eq", "expected a literal value"],
    ["accountEnabled eq true and", "expected a property name"],
    ["displayName eq 'unterminated", "unterminated string literal"],
    ["accountEnabled equals true", "unknown operator 'equals'"],
  ])("answers 400 BadRequest naming the problem in %s", async (filter, problem) => {
    const response = await get(`v1.0/users?$filter=${encodeURIComponent(filter)}`);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("BadRequest");
    expect(response.json.error.message).toContain("Invalid filter clause");
    expect(response.json.error.message).toContain(problem);
  });

  it("rejects a filter on a property the type does not have", async () => {
    const response = await get("v1.0/users?$filter=shoeSize eq 42");
    expect(response.json.error.message).toBe("Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
  });
});

describe("$expand=principal", () => {
  it("expands users, groups and service principals with @odata.type", async () => {
    const body = (await get("v1.0/roleManagement/directory/roleAssignments?$expand=principal")).json;
    expect(body["@odata.context"]).toBe(`${sim.baseUrl}v1.0/$metadata#roleManagement/directory/roleAssignments(principal())`);
    const principals = body.value.map((v) => {
      const principal = v.principal as { "@odata.type": string; id: string };
      return [principal["@odata.type"], principal.id];
    });
    // Last: tenant-patrol's own service principal, holding the fixture's default app role (Privileged
    // Authentication Administrator) as a role assignment, as in Entra ID.
    const own = (await get(`v1.0/servicePrincipals?$filter=appId eq '${TEST_APP_CLIENT_ID}'`)).json.value[0] as { id: string };
    expect(principals).toEqual([
      ["#microsoft.graph.user", userId(3)],
      ["#microsoft.graph.group", groupId(1)],
      ["#microsoft.graph.servicePrincipal", spId(1)],
      ["#microsoft.graph.servicePrincipal", own.id],
    ]);
  });

  it("rejects other navigation properties", async () => {
    expect((await get("v1.0/roleManagement/directory/roleAssignments?$expand=roleDefinition")).status).toBe(400);
  });
});

describe("single resources", () => {
  it("gets a user by id or by userPrincipalName, with $select", async () => {
    const byUpn = await get(`v1.0/users/${encodeURIComponent("guest_fabrikam.com#EXT#@contoso.com")}?$select=id,userType`);
    expect(byUpn.json).toEqual({
      "@odata.context": `${sim.baseUrl}v1.0/$metadata#users(id,userType)/$entity`,
      id: userId(2),
      userType: "Guest",
    });
    expect((await get(`v1.0/users/${userId(3)}`)).json.displayName).toBe("Alice Admin");
  });

  it("answers 400 for a user by userPrincipalName with signInActivity selected: that lookup takes the object id only", async () => {
    const upn = await get("v1.0/users/user0@contoso.com?$select=id,signInActivity");
    expect(upn.status).toBe(400);
    expect(upn.json.error).toMatchObject({ code: "400", message: "Get By Key only supports UserId and the key has to be a valid Guid" });
    const byId = await get(`v1.0/users/${userId(0)}?$select=id,signInActivity`);
    expect(byId.json).toMatchObject({ id: userId(0), signInActivity: { lastSignInDateTime: "2023-06-01T00:00:00Z" } });
    expect((await get("v1.0/users/user0@contoso.com?$select=id,displayName")).json.id).toBe(userId(0));
  });

  it("answers Graph's 404 for an unknown id", async () => {
    const response = await get("v1.0/users/5d1e8b9a-0000-4000-8000-000000000000");
    expect(response.status).toBe(404);
    expect(response.json.error).toMatchObject({
      code: "Request_ResourceNotFound",
      message:
        "Resource '5d1e8b9a-0000-4000-8000-000000000000' does not exist or one of its queried reference-property objects are not present.",
    });
    expect(response.json.error.innerError).toMatchObject({ "request-id": response.headers.get("request-id") });
    expect(response.json.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  });

  it("answers 400 for an unknown segment", async () => {
    const response = await get("v1.0/userz");
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: "BadRequest", message: "Resource not found for the segment 'userz'." });
    // v1.0 has users/{id}/authentication (methods); per-user MFA requirements exist only in beta.
    expect((await get(`v1.0/users/${userId(1)}/authentication/requirements`)).json.error.message).toBe(
      "Resource not found for the segment 'requirements'.",
    );
  });

  it("lists group members as directory objects with @odata.type", async () => {
    const body = (await get(`v1.0/groups/${groupId(1)}/members?$select=id,displayName`)).json;
    expect(body.value).toEqual([
      { "@odata.type": "#microsoft.graph.user", id: userId(3), displayName: "Alice Admin" },
      { "@odata.type": "#microsoft.graph.servicePrincipal", id: spId(1), displayName: "Automation" },
    ]);
    expect((await get(`v1.0/groups/${groupId(9)}/members`)).status).toBe(404);
  });

  it("serves policy singletons with Graph's defaults when the fixture omits them", async () => {
    const defaults = (await get("v1.0/policies/identitySecurityDefaultsEnforcementPolicy")).json;
    expect(defaults).toMatchObject({ id: "00000000-0000-0000-0000-000000000005", isEnabled: false });
    const authz = (await get("v1.0/policies/authorizationPolicy")).json;
    expect(authz["@odata.context"]).toBe(`${sim.baseUrl}v1.0/$metadata#policies/authorizationPolicy/$entity`);
    expect(authz).toMatchObject({ id: "authorizationPolicy", defaultUserRolePermissions: { permissionGrantPoliciesAssigned: [] } });
  });
});

describe("response headers", () => {
  it("carries request-id, echoes client-request-id, reports resource units and Graph's JSON content type", async () => {
    const response = await get("v1.0/users?$select=id", { "client-request-id": "c0ffee00-0000-4000-8000-000000000000" });
    expect(response.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("client-request-id")).toBe("c0ffee00-0000-4000-8000-000000000000");
    expect(response.headers.get("x-ms-resource-unit")).toBe("1"); // GET users 2, $select −1
    expect(response.headers.get("content-type")?.split(";")[0]).toBe("application/json");
  });
});
