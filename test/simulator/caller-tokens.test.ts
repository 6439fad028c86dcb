/** Caller apps' tokens for the MSP's API: OpenID discovery, the JWKS, and RS256 tokens jose verifies. */
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, TEST_APP_CLIENT_ID, type GraphSimulator } from "../../dev/simulator/index.js";
import { tenantFixture } from "./helpers/fixtures.js";

const CALLER = { clientId: "6a1f0c2e-1111-4a4a-9b9b-000000000001", clientSecret: "caller-secret", roles: ["Remediation.Request"] };
let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({ fixtures: [tenantFixture()], callerApps: [CALLER] });
});
afterAll(() => sim.close());

const tokenRequest = (form: Record<string, string>) =>
  fetch(`${sim.authorityHost}/${sim.homeTenantId}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: CALLER.clientId,
      client_secret: CALLER.clientSecret,
      ...form,
    }),
  });

describe("caller tokens for the MSP's API", () => {
  it("publishes the home tenant's OpenID configuration with its v2.0 issuer and a JWKS of RS256 keys", async () => {
    const config = (await (await fetch(`${sim.authorityHost}/${sim.homeTenantId}/v2.0/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(config.issuer).toBe(`${sim.authorityHost}/${sim.homeTenantId}/v2.0`);
    expect(config.jwks_uri).toBe(`${sim.authorityHost}/${sim.homeTenantId}/discovery/v2.0/keys`);
    const jwks = (await (await fetch(config.jwks_uri)).json()) as { keys: { kty: string; kid: string; use: string }[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: "RSA", use: "sig", kid: expect.any(String) as string })]);
  });

  it("issues a v2.0 app token (aud the API's client id, azp the caller, its roles) that verifies against the published keys", async () => {
    const answer = (await (await tokenRequest({ scope: `api://${TEST_APP_CLIENT_ID}/.default` })).json()) as { access_token: string };
    const keys = createRemoteJWKSet(new URL(`${sim.authorityHost}/${sim.homeTenantId}/discovery/v2.0/keys`));
    const { payload, protectedHeader } = await jwtVerify(answer.access_token, keys, {
      issuer: `${sim.authorityHost}/${sim.homeTenantId}/v2.0`,
      audience: TEST_APP_CLIENT_ID,
      algorithms: ["RS256"],
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({ azp: CALLER.clientId, roles: CALLER.roles, tid: sim.homeTenantId, ver: "2.0", idtyp: "app" });
  });

  it("refuses a wrong secret (AADSTS7000215), an unknown caller (AADSTS700016) and an unknown API (AADSTS500011)", async () => {
    const scope = `${TEST_APP_CLIENT_ID}/.default`;
    expect((await tokenRequest({ scope, client_secret: "wrong" })).status).toBe(401);
    const stranger = await tokenRequest({ scope, client_id: "6a1f0c2e-9999-4a4a-9b9b-000000000009" });
    expect(await stranger.json()).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
    const unknownApi = await tokenRequest({ scope: "api://unknown-api/.default" });
    expect(await unknownApi.json()).toMatchObject({ error: "invalid_resource", error_codes: [500011] });
  });
});
