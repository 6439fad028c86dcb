/**
 * Each credential mode signs in to a simulated customer tenant through the real @azure/identity
 * classes (shared/graph/credentials.ts) and reads Graph with the token; wrong credentials are
 * refused as Entra refuses them (AADSTS codes in the error).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startGraphSimulator,
  TEST_APP,
  TEST_APP_CLIENT_ID,
  TEST_APP_CLIENT_SECRET,
  TEST_APP_CREDENTIAL_PEM_PATH,
  TEST_MANAGED_IDENTITY,
  type GraphSimulator,
} from "../../dev/simulator/index.js";
import { loadSettings, type GraphSettings } from "../../shared/config/settings.js";
import { createGraphClient } from "../../shared/graph/client.js";
import { createTenantCredential } from "../../shared/graph/credentials.js";
import { demoFixture } from "../sweep/harness.js";

const CONTOSO = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const UNREGISTERED_PEM_PATH = fileURLToPath(new URL("../../dev/simulator/certs/unregistered-credential.pem", import.meta.url));
/** An identity the simulator serves but no federated credential of the app trusts. */
const STRANGER_IDENTITY = {
  clientId: "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
  principalId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
  tenantId: TEST_MANAGED_IDENTITY.tenantId,
};

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [await demoFixture("contoso-messy")],
    managedIdentities: [TEST_MANAGED_IDENTITY, STRANGER_IDENTITY],
  });
});
afterAll(() => sim.close());

function graphSettings(credential: Record<string, string>): GraphSettings {
  return loadSettings({
    AzureWebJobsStorage: "UseDevelopmentStorage=true",
    GRAPH_CLIENT_ID: TEST_APP_CLIENT_ID,
    GRAPH_AUTHORITY_HOST: sim.authorityHost,
    GRAPH_BASE_URL: sim.baseUrl,
    ...credential,
  }).graph;
}

/** Signs in to Contoso with the mode's credential and reads its domains through Graph. */
async function readDomains(credential: Record<string, string>): Promise<string[]> {
  const settings = graphSettings(credential);
  const { client } = createGraphClient({
    credential: createTenantCredential(settings, CONTOSO),
    baseUrl: settings.baseUrl,
    retry: { maxRetries: 0 },
  });
  const domains = (await client.api("/domains").select("id").get()) as { value: { id: string }[] };
  return domains.value.map((domain) => domain.id);
}

describe("managed identity as a federated credential (the default in infra/)", () => {
  // MSAL reads these once per process, as App Service sets them once per instance.
  beforeAll(() => {
    process.env.IDENTITY_ENDPOINT = sim.managedIdentityEnvironment.IDENTITY_ENDPOINT;
    process.env.IDENTITY_HEADER = sim.managedIdentityEnvironment.IDENTITY_HEADER;
  });
  afterAll(() => {
    delete process.env.IDENTITY_ENDPOINT;
    delete process.env.IDENTITY_HEADER;
  });

  it("signs in with the identity's token-exchange token as the client assertion", async () => {
    const issued = sim.tenant(CONTOSO).counters.tokensIssued;
    expect(
      await readDomains({ GRAPH_CREDENTIAL_MODE: "managed-identity", GRAPH_MANAGED_IDENTITY_CLIENT_ID: TEST_MANAGED_IDENTITY.clientId }),
    ).toContain("contoso.com");
    expect(sim.tenant(CONTOSO).counters.tokensIssued).toBe(issued + 1);
  });

  it("an identity the app registration does not trust is refused with AADSTS700213, naming the subject", async () => {
    await expect(readDomains({ GRAPH_MANAGED_IDENTITY_CLIENT_ID: STRANGER_IDENTITY.clientId })).rejects.toThrow(
      new RegExp(
        `AADSTS700213: No matching federated identity record found for presented assertion subject '${STRANGER_IDENTITY.principalId}'`,
      ),
    );
  });
});

describe("certificate", () => {
  it("signs in with a PEM given as text (a Key Vault reference in Azure)", async () => {
    expect(await readDomains({ GRAPH_CLIENT_CERTIFICATE: readFileSync(TEST_APP_CREDENTIAL_PEM_PATH, "utf8") })).toContain("contoso.com");
  });

  it("signs in with a PEM file", async () => {
    expect(await readDomains({ GRAPH_CLIENT_CERTIFICATE_PATH: TEST_APP_CREDENTIAL_PEM_PATH })).toContain("contoso.com");
  });

  it("a certificate the app registration does not hold is refused with AADSTS700027 (key not found)", async () => {
    await expect(readDomains({ GRAPH_CLIENT_CERTIFICATE_PATH: UNREGISTERED_PEM_PATH })).rejects.toThrow(
      /AADSTS700027: Client assertion contains an invalid signature\. \[Reason - The key was not found\./,
    );
  });
});

describe("client secret", () => {
  it("signs in", async () => {
    expect(await readDomains({ GRAPH_CLIENT_SECRET: TEST_APP_CLIENT_SECRET })).toContain("contoso.com");
  });

  it("a wrong secret is refused with AADSTS7000215", async () => {
    await expect(readDomains({ GRAPH_CLIENT_SECRET: "not-the-secret" })).rejects.toThrow(/AADSTS7000215/);
  });
});

describe("the token endpoint judges client assertions as Entra does", () => {
  const tokenRequest = async (assertion: string) => {
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: TEST_APP.clientId,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
      scope: "https://graph.microsoft.com/.default",
    });
    const response = await fetch(`${sim.authorityHost}/${CONTOSO}/oauth2/v2.0/token`, { method: "POST", body });
    return {
      status: response.status,
      body: (await response.json()) as { error?: string; error_codes?: number[]; error_description?: string },
    };
  };
  const identityToken = async (resource: string) => {
    const url = new URL(sim.managedIdentityEnvironment.IDENTITY_ENDPOINT);
    url.search = new URLSearchParams({ "api-version": "2019-08-01", resource, client_id: TEST_MANAGED_IDENTITY.clientId }).toString();
    const response = await fetch(url, { headers: { "X-IDENTITY-HEADER": sim.managedIdentityEnvironment.IDENTITY_HEADER } });
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const editClaims = (token: string, edit: (claims: Record<string, unknown>) => void): string => {
    const [header = "", payload = "", signature = ""] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    edit(claims);
    return `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
  };

  it("the identity endpoint answers only requests that carry App Service's identity header", async () => {
    const url = new URL(sim.managedIdentityEnvironment.IDENTITY_ENDPOINT);
    url.search = new URLSearchParams({
      "api-version": "2019-08-01",
      resource: "api://AzureADTokenExchange",
      client_id: TEST_MANAGED_IDENTITY.clientId,
    }).toString();
    expect((await fetch(url, { headers: { "X-IDENTITY-HEADER": "not-the-header" } })).status).toBe(401);
    expect((await fetch(url)).status).toBe(401);
  });

  it("accepts the identity's token for api://AzureADTokenExchange", async () => {
    expect((await tokenRequest(await identityToken("api://AzureADTokenExchange"))).status).toBe(200);
  });

  it("refuses a token for another audience (AADSTS700212)", async () => {
    const refused = await tokenRequest(await identityToken("https://management.azure.com"));
    expect(refused).toMatchObject({ status: 400, body: { error: "invalid_request", error_codes: [700212] } });
  });

  it("refuses an edited token: the signature no longer matches (AADSTS50013)", async () => {
    const token = editClaims(await identityToken("api://AzureADTokenExchange"), (claims) => {
      claims.exp = Number(claims.exp) + 3600;
    });
    expect(await tokenRequest(token)).toMatchObject({ status: 401, body: { error: "invalid_client", error_codes: [50013] } });
  });

  it("refuses a malformed assertion (AADSTS50027)", async () => {
    expect(await tokenRequest("not.a-jwt")).toMatchObject({ status: 400, body: { error_codes: [50027] } });
  });
});
