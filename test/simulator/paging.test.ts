/** Paging, page-size limits and @odata.count as Graph does them (graph-facts §1). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, type GraphSimulator } from "../../dev/simulator/index.js";
import { raw } from "./helpers/clients.js";
import { TENANT_A, tenantFixture, users } from "./helpers/fixtures.js";

let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [
      tenantFixture({
        graph: {
          "v1.0/users": users(1200, (n) => (n % 3 === 0 ? { signInActivity: { lastSignInDateTime: "2024-05-01T00:00:00Z" } } : {})),
          "v1.0/domains": Array.from({ length: 150 }, (_, i) => ({
            id: `d${i}.contoso.com`,
            isVerified: true,
            authenticationType: "Managed",
          })),
        },
      }),
    ],
    throttling: { enabled: false },
  });
});
afterAll(() => sim.close());

describe("paging", () => {
  it("pages users by 100 by default with an absolute nextLink that repeats the query", async () => {
    const first = await raw(sim, TENANT_A, "v1.0/users?$select=id&$filter=accountEnabled eq true");
    expect(first.json.value).toHaveLength(100);
    const next = first.json["@odata.nextLink"] as string;
    const url = new URL(next);
    expect(url.origin + "/").toBe(sim.baseUrl);
    expect(url.pathname).toBe("/v1.0/users");
    expect(url.searchParams.get("$select")).toBe("id");
    expect(url.searchParams.get("$filter")).toBe("accountEnabled eq true");
    expect(url.searchParams.get("$skiptoken")).toBeTruthy();

    const second = await raw(sim, TENANT_A, next);
    expect(second.json.value[0]?.id).not.toBe(first.json.value[0]?.id);
  });

  it("walks all pages to the end and the last page has no nextLink", async () => {
    let link: string | undefined = "v1.0/users?$top=999&$select=id";
    const ids: string[] = [];
    let pages = 0;
    while (link) {
      const page = await raw(sim, TENANT_A, link);
      ids.push(...(page.json.value as { id: string }[]).map((u) => u.id));
      link = page.json["@odata.nextLink"];
      pages++;
    }
    expect(pages).toBe(2);
    expect(new Set(ids).size).toBe(1200);
  });

  it("accepts $top up to 999 and answers Graph's error above it", async () => {
    expect((await raw(sim, TENANT_A, "v1.0/users?$top=999")).json.value).toHaveLength(999);
    const tooBig = await raw(sim, TENANT_A, "v1.0/users?$top=1000");
    expect(tooBig.status).toBe(400);
    expect(tooBig.json.error).toMatchObject({
      code: "Request_UnsupportedQuery",
      message: "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
    });
    expect((await raw(sim, TENANT_A, "v1.0/users?$top=0")).status).toBe(400);
  });

  it("caps pages at 500 when signInActivity is selected or filtered", async () => {
    expect((await raw(sim, TENANT_A, "v1.0/users?$select=id,signInActivity&$top=500")).json.value).toHaveLength(500);
    const selected = await raw(sim, TENANT_A, "v1.0/users?$select=id,signInActivity&$top=501");
    expect(selected.json.error.message).toBe("Invalid page size specified: '501'. Must be between 1 and 500 inclusive.");
    const filtered = await raw(sim, TENANT_A, "v1.0/users?$filter=signInActivity/lastSignInDateTime le 2025-01-01T00:00:00Z&$top=999");
    expect(filtered.status).toBe(400);
    expect(filtered.json.error.code).toBe("Request_UnsupportedQuery");
  });

  it("rejects a skiptoken it did not issue", async () => {
    const response = await raw(sim, TENANT_A, "v1.0/users?$skiptoken=garbage");
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("BadRequest");
  });

  it("answers Graph's expired-token 400 for nextLinks issued before expireSkipTokens(), not for later ones", async () => {
    const old = (await raw(sim, TENANT_A, "v1.0/users?$select=id")).json["@odata.nextLink"] as string;
    sim.tenant(TENANT_A).expireSkipTokens();
    const expired = await raw(sim, TENANT_A, old);
    expect(expired.status).toBe(400);
    expect(expired.json.error).toMatchObject({
      code: "Directory_ExpiredPageToken",
      message: "The specified page token value has expired and can no longer be included in your request.",
    });
    const fresh = (await raw(sim, TENANT_A, "v1.0/users?$select=id")).json["@odata.nextLink"] as string;
    expect((await raw(sim, TENANT_A, fresh)).status).toBe(200);
  });

  it("returns domains whole, without paging", async () => {
    const response = await raw(sim, TENANT_A, "v1.0/domains");
    expect(response.json.value).toHaveLength(150);
    expect(response.json["@odata.nextLink"]).toBeUndefined();
  });
});

describe("$count", () => {
  const eventual = { ConsistencyLevel: "eventual" };

  it("adds @odata.count on the first page only, with ConsistencyLevel: eventual", async () => {
    const first = await raw(sim, TENANT_A, "v1.0/users?$count=true&$filter=accountEnabled eq true&$top=500", { headers: eventual });
    expect(first.json["@odata.count"]).toBe(1200);
    const keys = Object.keys(first.json);
    expect(keys.indexOf("@odata.count")).toBeLessThan(keys.indexOf("value"));
    const second = await raw(sim, TENANT_A, first.json["@odata.nextLink"] as string, { headers: eventual });
    expect(second.json["@odata.count"]).toBeUndefined();
    expect(second.json.value).toHaveLength(500);
  });

  it("silently omits @odata.count without the header", async () => {
    const response = await raw(sim, TENANT_A, "v1.0/users?$count=true&$top=1");
    expect(response.status).toBe(200);
    expect(response.json["@odata.count"]).toBeUndefined();
  });
});
