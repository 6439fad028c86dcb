/** Bearer tokens and the simulated Entra ID token endpoint. */
import { AuthenticationRequiredError, CredentialUnavailableError } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, TEST_APP, TEST_APP_CLIENT_SECRET, type GraphSimulator } from "../../dev/simulator/index.js";
import { credential, raw, sdkClient } from "./helpers/clients.js";
import { TENANT_A, TENANT_B, tenantFixture, user } from "./helpers/fixtures.js";

const SCOPE = "https://graph.microsoft.com/.default";
const NARROW_APP = { clientId: "9a9a9a9a-0000-4000-8000-000000000009", clientSecret: "narrow-secret", tenants: [TENANT_A] };
let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [
      tenantFixture({ graph: { "v1.0/users": [user(1)], "v1.0/domains": [{ id: "contoso.com", isVerified: true }] } }),
      tenantFixture({
        id: TENANT_B,
        displayName: "Fabrikam",
        graph: { "v1.0/users": [user(2, { userPrincipalName: "user2@fabrikam.com" })] },
      }),
    ],
    apps: [TEST_APP, NARROW_APP],
  });
});
afterAll(() => sim.close());

const usersOf = async (token: string | null) => raw(sim, TENANT_A, "v1.0/users", { token });

/** A token whose payload was edited after signing. */
function withClaims(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = { ...(JSON.parse(Buffer.from(payload, "base64url").toString()) as object), ...change };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}

describe("Graph requests need a valid bearer token", () => {
  it.each([
    ["no token", null, "Access token is empty."],
    ["a malformed token", "not-a-jwt", "IDX14100: JWT is not well formed, there are no dots (.)."],
  ])("rejects %s with 401 InvalidAuthenticationToken", async (_, token, message) => {
    const response = await usersOf(token);
    expect(response.status).toBe(401);
    expect(response.json.error).toMatchObject({ code: "InvalidAuthenticationToken", message });
  });

  it("rejects an expired token", async () => {
    const response = await usersOf(sim.mintToken(TENANT_A, { lifetimeSeconds: -60 }));
    expect(response.status).toBe(401);
    expect(response.json.error.message).toBe("Lifetime validation failed, the token is expired.");
  });

  it("serves the token's tenant, and a token re-pointed at another tenant is rejected", async () => {
    const tokenA = sim.mintToken(TENANT_A);
    expect((await raw(sim, TENANT_B, "v1.0/users", { token: tokenA })).json.value[0]?.userPrincipalName).toBe("user1@contoso.com");
    const tampered = await usersOf(withClaims(tokenA, { tid: TENANT_B }));
    expect(tampered.status).toBe(401);
    expect(tampered.json.error.code).toBe("InvalidAuthenticationToken");
    expect((await usersOf(withClaims(tokenA, { exp: 9_999_999_999 }))).status).toBe(401);
  });

  it("rejects a token minted by another simulator", async () => {
    const other = await startGraphSimulator({ fixtures: [tenantFixture()] });
    const foreign = other.mintToken(TENANT_A);
    await other.close();
    expect((await usersOf(foreign)).status).toBe(401);
    expect(sim.requests.at(-1)).toMatchObject({ tenantId: null, status: 401 });
  });

  it("mintToken refuses tenants it does not host and apps not consented there", () => {
    expect(() => sim.mintToken("dddddddd-0000-4000-8000-00000000000d")).toThrow(RangeError);
    expect(() => sim.mintToken(TENANT_B, { appId: NARROW_APP.clientId })).toThrow(RangeError);
  });
});

describe("token endpoint for @azure/identity ClientSecretCredential", () => {
  it("issues tokens the Graph SDK uses, per tenant", async () => {
    const body = (await sdkClient(sim, TENANT_B).api("/users").get()) as { value: { userPrincipalName: string }[] };
    expect(body.value.map((u) => u.userPrincipalName)).toEqual(["user2@fabrikam.com"]);
  });

  it("answers a wrong secret with AAD's 401 invalid_client (AADSTS7000215)", async () => {
    const wrong = credential(sim, TENANT_A, { ...TEST_APP, clientSecret: "nope" });
    // @azure/identity wraps MSAL's ServerError the same way for real Entra ID.
    const error = (await wrong.getToken(SCOPE).catch((e: unknown) => e)) as AuthenticationRequiredError;
    expect(error).toBeInstanceOf(AuthenticationRequiredError);
    expect(error.message).toContain("invalid_client");
    expect(error.message).toContain("AADSTS7000215: Invalid client secret provided.");
  });

  it("answers an app not consented in the tenant with 400 unauthorized_client (AADSTS700016)", async () => {
    expect((await credential(sim, TENANT_A, NARROW_APP).getToken(SCOPE)).token).toBeTruthy();
    const error = (await credential(sim, TENANT_B, NARROW_APP)
      .getToken(SCOPE)
      .catch((e: unknown) => e)) as AuthenticationRequiredError;
    expect(error).toBeInstanceOf(AuthenticationRequiredError);
    expect(error.message).toContain("unauthorized_client");
    expect(error.message).toContain(
      "AADSTS700016: Application with identifier '9a9a9a9a-0000-4000-8000-000000000009' was not found in the directory 'Fabrikam'",
    );
  });

  it("answers an unknown tenant with AADSTS90002, which MSAL reports as unresolvable endpoints", async () => {
    const unknown = "dddddddd-0000-4000-8000-00000000000d";
    const error = (await credential(sim, unknown)
      .getToken(SCOPE)
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(CredentialUnavailableError);
    const config = await fetch(`${sim.authorityHost}/${unknown}/v2.0/.well-known/openid-configuration`);
    expect(config.status).toBe(400);
    expect(await config.json()).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
  });

  it("accepts a tenant domain name and refuses scopes other than Graph's .default", async () => {
    const token = async (tenant: string, scope: string) => {
      const form = new URLSearchParams({
        grant_type: "client_credentials",
        client_id: TEST_APP.clientId,
        client_secret: TEST_APP_CLIENT_SECRET,
        scope,
      });
      const response = await fetch(`${sim.authorityHost}/${tenant}/oauth2/v2.0/token`, { method: "POST", body: form });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const byDomain = await token("contoso.com", SCOPE);
    expect(byDomain.status).toBe(200);
    expect(byDomain.body).toMatchObject({ token_type: "Bearer", expires_in: 3599 });
    expect((await usersOf(byDomain.body.access_token as string)).status).toBe(200);
    const wrongScope = await token(TENANT_A, "https://management.azure.com/.default");
    expect(wrongScope).toMatchObject({ status: 400, body: { error: "invalid_scope", error_codes: [1002012] } });
  });
});
