/** The admin-consent plan: the URL Entra expects, the profile's permissions from the manifest, national clouds. */
import { describe, expect, it } from "vitest";
import { allPermissions, permissionsFor } from "../../shared/graph/permission-manifest.js";
import { adminConsentUrl, consentPlan, redirectUriProblem, renderConsentPlan } from "../../shared/onboarding/consent.js";
import { GRAPH_APP_ROLE_IDS, MICROSOFT_GRAPH_APP_ID } from "../../shared/onboarding/graph-app-roles.js";
import { accessTokenClaims } from "../../shared/onboarding/token-claims.js";

const TENANT = "db7e339f-4fdd-5d4e-8778-ad3eb108a2f9";
const APP = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346";
const GLOBAL = {
  tenantId: TENANT,
  clientId: APP,
  authorityHost: "https://login.microsoftonline.com",
  graphBaseUrl: "https://graph.microsoft.com/",
  state: "s1",
};

describe("consent plans", () => {
  it("knows the Graph app role id of every permission the manifest names", () => {
    expect(allPermissions().filter((p) => GRAPH_APP_ROLE_IDS[p] === undefined)).toEqual([]);
    expect(new Set(Object.values(GRAPH_APP_ROLE_IDS)).size).toBe(Object.keys(GRAPH_APP_ROLE_IDS).length);
  });

  it("read-only: the v2 admin-consent URL with .default, the sweep's permissions, no Entra role", () => {
    const plan = consentPlan({ ...GLOBAL, profile: "read-only", redirectUri: "https://patrol.example.com/consented" });
    const url = new URL(plan.url);
    expect(`${url.origin}${url.pathname}`).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0/adminconsent`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: APP,
      scope: "https://graph.microsoft.com/.default",
      redirect_uri: "https://patrol.example.com/consented",
      state: "s1",
    });
    expect(plan.permissions.map((p) => p.name)).toEqual(permissionsFor("sweep"));
    expect(plan.entraRoles).toEqual([]);
    expect(plan.requiredResourceAccess[0].resourceAppId).toBe(MICROSOFT_GRAPH_APP_ID);
    expect(plan.requiredResourceAccess[0].resourceAccess).toContainEqual({ id: "df021288-bdef-4463-88db-98f22de89214", type: "Role" }); // User.Read.All
    expect(plan.commands.declare).toBe(
      `az ad app permission add --id ${APP} --api ${MICROSOFT_GRAPH_APP_ID} --api-permissions ${plan.permissions.map((p) => `${p.id}=Role`).join(" ")}`,
    );
    expect(plan.notes.join("\n")).toMatch(/never a subset/);
  });

  it("remediation: every feature's permissions and Privileged Authentication Administrator with the command that assigns it", () => {
    const plan = consentPlan({ ...GLOBAL, profile: "remediation" });
    expect(plan.permissions.map((p) => p.name)).toEqual(allPermissions());
    expect(plan.permissions.find((p) => p.name === "Mail.Send")?.features).toEqual(["digest-mail"]);
    expect(plan.entraRoles).toEqual([
      { name: "Privileged Authentication Administrator", templateId: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", features: ["block-account"] },
    ]);
    expect(plan.commands.assignRoles[0]).toContain("https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments");
    expect(plan.redirectUri).toBeNull();
    expect(new URL(plan.url).searchParams.has("redirect_uri")).toBe(false);
    expect(plan.notes.join("\n")).toMatch(/AADSTS500113/);
    expect(renderConsentPlan(plan).join("\n")).toContain("Privileged Authentication Administrator (7be44c8a-adaf-4e2a-84d6-ab2649e08a13)");
  });

  it("national clouds: the authority and Graph of the configured cloud", () => {
    const url = new URL(
      adminConsentUrl({ ...GLOBAL, authorityHost: "https://login.microsoftonline.us", graphBaseUrl: "https://graph.microsoft.us/" }),
    );
    expect(url.origin).toBe("https://login.microsoftonline.us");
    expect(url.searchParams.get("scope")).toBe("https://graph.microsoft.us/.default");
    const china = consentPlan({
      ...GLOBAL,
      authorityHost: "https://login.chinacloudapi.cn",
      graphBaseUrl: "https://microsoftgraph.chinacloudapi.cn/",
      profile: "remediation",
    });
    expect(new URL(china.url).searchParams.get("scope")).toBe("https://microsoftgraph.chinacloudapi.cn/.default");
    expect(china.commands.assignRoles[0]).toContain("https://microsoftgraph.chinacloudapi.cn/v1.0/");
  });

  it("redirect URIs: https, or http on localhost", () => {
    expect(redirectUriProblem("https://patrol.example.com/cb")).toBeUndefined();
    expect(redirectUriProblem("http://localhost:7071/cb")).toBeUndefined();
    expect(redirectUriProblem("http://patrol.example.com/cb")).toMatch(/https/);
    expect(redirectUriProblem("patrol")).toMatch(/absolute URL/);
  });
});

describe("access token claims", () => {
  const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;

  it("reads roles, tid and oid; a token that grants nothing has no roles claim", () => {
    expect(accessTokenClaims(token({ roles: ["User.Read.All"], tid: TENANT, oid: APP }))).toEqual({
      roles: ["User.Read.All"],
      tenantId: TENANT,
      objectId: APP,
    });
    expect(accessTokenClaims(token({ tid: TENANT })).roles).toEqual([]);
    expect(() => accessTokenClaims("opaque")).toThrow(TypeError);
  });
});
