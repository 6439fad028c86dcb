/** The real Graph SDK and @azure/identity against the simulator, unchanged but for URLs. */
import {
  BatchRequestContent,
  BatchResponseContent,
  GraphError,
  PageIterator,
  RetryHandlerOptions,
  type PageCollection,
} from "@microsoft/microsoft-graph-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, type GraphSimulator } from "../../dev/simulator/index.js";
import { sdkClient } from "./helpers/clients.js";
import { TENANT_A, tenantFixture, userId, users } from "./helpers/fixtures.js";

let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [tenantFixture({ graph: { "v1.0/users": users(250, (n) => ({ accountEnabled: n % 5 !== 0 })) } })],
    throttling: { enabled: false },
  });
});
afterAll(() => sim.close());
afterEach(() => {
  sim.faults.clear();
  sim.tenant(TENANT_A).reset();
});

describe("Graph SDK v3 with ClientSecretCredential", () => {
  it("gets a token from the simulated Entra ID and reads a page", async () => {
    const page = (await sdkClient(sim, TENANT_A).api("/users").select("id,userPrincipalName").top(10).get()) as PageCollection;
    expect(page.value).toHaveLength(10);
    expect(page.value[0]).toEqual({ id: userId(0), userPrincipalName: "user0@contoso.com" });
    expect(page["@odata.nextLink"]).toMatch(new RegExp(`^${sim.baseUrl}v1\\.0/users\\?.*\\$skiptoken=`));
    expect(sim.tenant(TENANT_A).counters.tokensIssued).toBeGreaterThanOrEqual(1);
  });

  it("walks every page with PageIterator, keeping the query on each nextLink", async () => {
    const client = sdkClient(sim, TENANT_A);
    const first = (await client.api("/users").filter("accountEnabled eq true").select("id").top(37).get()) as PageCollection;
    const seen: string[] = [];
    const iterator = new PageIterator(client, first, (item: { id: string }) => {
      seen.push(item.id);
      return true;
    });
    await iterator.iterate();
    expect(seen).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);
    const pages = sim.tenant(TENANT_A).requests.filter((r) => r.path === "v1.0/users");
    expect(pages).toHaveLength(Math.ceil(200 / 37));
    expect(pages.every((r) => r.query.$filter === "accountEnabled eq true" && r.query.$top === "37")).toBe(true);
  });

  it("RetryHandler recovers from 429 and 503 answered with Retry-After", async () => {
    sim.faults.add({ path: "v1.0/users/" + userId(1), fault: { type: "status", status: 429, retryAfterSeconds: 0.01 } });
    sim.faults.add({ path: "v1.0/users/" + userId(1), after: 1, fault: { type: "status", status: 503, retryAfterSeconds: 0.01 } });
    const found = (await sdkClient(sim, TENANT_A)
      .api(`/users/${userId(1)}`)
      .get()) as { id: string };
    expect(found.id).toBe(userId(1));
    expect(sim.tenant(TENANT_A).requests.map((r) => r.status)).toEqual([429, 503, 200]);
  });

  it("surfaces a GraphError with Graph's code when retries run out", async () => {
    sim.faults.add({ path: "v1.0/users", times: Infinity, fault: { type: "status", status: 503, retryAfterSeconds: 0 } });
    const error = (await sdkClient(sim, TENANT_A)
      .api("/users")
      .middlewareOptions([new RetryHandlerOptions(0, 2)])
      .get()
      .catch((e: unknown) => e)) as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error.statusCode).toBe(503);
    expect(error.code).toBe("ServiceUnavailable");
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.tenant(TENANT_A).counters.byStatus[503]).toBe(3);
  });

  it("BatchRequestContent / BatchResponseContent round-trip GET, PATCH (204) and a 404", async () => {
    const client = sdkClient(sim, TENANT_A);
    const base = `${sim.baseUrl}v1.0`;
    const batch = new BatchRequestContent([
      { id: "1", request: new Request(`${base}/users/${userId(2)}?$select=id,accountEnabled`) },
      {
        id: "2",
        request: new Request(`${base}/users/${userId(3)}`, {
          method: "PATCH",
          body: JSON.stringify({ accountEnabled: false }),
          headers: { "Content-Type": "application/json" },
        }),
      },
      { id: "3", request: new Request(`${base}/users/nobody`) },
    ]);
    const content = (await batch.getContent()) as unknown;
    const response = new BatchResponseContent((await client.api("/$batch").post(content)) as { responses: [] });

    const got = response.getResponseById("1");
    expect(got?.status).toBe(200);
    expect(await got?.json()).toMatchObject({ id: userId(2), accountEnabled: true });
    const patched = response.getResponseById("2");
    expect(patched?.status).toBe(204);
    expect(await patched?.text()).toBe("");
    const missing = response.getResponseById("3");
    expect(missing?.status).toBe(404);
    expect(((await missing?.json()) as { error: { code: string } }).error.code).toBe("Request_ResourceNotFound");

    expect(sim.tenant(TENANT_A).get(`v1.0/users/${userId(3)}`)).toMatchObject({ accountEnabled: false });
    expect(sim.tenant(TENANT_A).requests.filter((r) => r.batchItem)).toHaveLength(3);
  });

  it("reads beta through .version('beta') and writes through .patch", async () => {
    const client = sdkClient(sim, TENANT_A);
    const path = `/users/${userId(4)}/authentication/requirements`;
    expect(await client.api(path).version("beta").get()).toMatchObject({ perUserMfaState: "disabled" });
    await client.api(path).version("beta").patch({ perUserMfaState: "enforced" });
    expect(await client.api(path).version("beta").get()).toMatchObject({ perUserMfaState: "enforced" });
  });
});
