/** Fault injection: status storms, delays, malformed JSON, a failure in the middle of paging. */
import { GraphError, PageIterator, RetryHandlerOptions, type PageCollection } from "@microsoft/microsoft-graph-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator, type GraphSimulator } from "../../dev/simulator/index.js";
import { raw, sdkClient } from "./helpers/clients.js";
import { TENANT_A, TENANT_B, tenantFixture, userId, users } from "./helpers/fixtures.js";

let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [tenantFixture({ graph: { "v1.0/users": users(50) } }), tenantFixture({ id: TENANT_B, graph: { "v1.0/users": users(5) } })],
    throttling: { enabled: false },
  });
});
afterAll(() => sim.close());
afterEach(() => {
  sim.faults.clear();
  sim.tenant(TENANT_A).reset();
});

describe("status faults", () => {
  it.each([
    [500, "InternalServerError"],
    [401, "InvalidAuthenticationToken"],
    [403, "Authorization_RequestDenied"],
    [504, "GatewayTimeout"],
  ])("answers %i with a Graph-shaped error body (%s)", async (status, code) => {
    sim.faults.add({ path: "v1.0/users", fault: { type: "status", status } });
    const response = await raw(sim, TENANT_A, "v1.0/users");
    expect(response.status).toBe(status);
    expect(response.json.error).toMatchObject({ code, innerError: { "request-id": response.headers.get("request-id") } });
    expect((await raw(sim, TENANT_A, "v1.0/users")).status).toBe(200); // times defaults to 1
  });

  it("uses the given code, message and Retry-After", async () => {
    sim.faults.add({
      path: "/v1.0/users",
      fault: { type: "status", status: 503, retryAfterSeconds: 7, code: "UnknownError", message: "Try later" },
    });
    const response = await raw(sim, TENANT_A, "v1.0/users");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(response.json.error).toMatchObject({ code: "UnknownError", message: "Try later" });
  });

  it("keeps a 429 storm going with times: Infinity until cleared, and the SDK gives up with a GraphError", async () => {
    const storm = sim.faults.add({ path: /^v1\.0\/users/, times: Infinity, fault: { type: "status", status: 429, retryAfterSeconds: 0 } });
    const error = (await sdkClient(sim, TENANT_A)
      .api("/users")
      .middlewareOptions([new RetryHandlerOptions(0, 3)])
      .get()
      .catch((e: unknown) => e)) as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error.statusCode).toBe(429);
    expect(storm.fired).toBe(4);
    sim.faults.clear();
    expect((await raw(sim, TENANT_A, "v1.0/users")).status).toBe(200);
  });

  it("matches tenant and method", async () => {
    sim.faults.add({ tenantId: TENANT_B, path: "v1.0/users", fault: { type: "status", status: 500 } });
    sim.faults.add({ method: "PATCH", path: `v1.0/users/${userId(1)}`, fault: { type: "status", status: 500 } });
    expect((await raw(sim, TENANT_A, "v1.0/users")).status).toBe(200);
    expect((await raw(sim, TENANT_A, `v1.0/users/${userId(1)}`)).status).toBe(200);
    expect((await raw(sim, TENANT_B, "v1.0/users")).status).toBe(500);
    expect((await raw(sim, TENANT_A, `v1.0/users/${userId(1)}`, { method: "PATCH", body: { jobTitle: "x" } })).status).toBe(500);
  });

  it("refuses statuses that are not errors", () => {
    expect(() => sim.faults.add({ path: "v1.0/users", fault: { type: "status", status: 200 } })).toThrow(RangeError);
  });
});

describe("a failure in the middle of paging", () => {
  it("fails the third page: the first two come through, PageIterator stops with the error", async () => {
    const rule = sim.faults.add({ path: "v1.0/users", after: 2, fault: { type: "status", status: 500 } });
    const client = sdkClient(sim, TENANT_A);
    const first = (await client.api("/users").select("id").top(10).get()) as PageCollection;
    const seen: string[] = [];
    const iterator = new PageIterator(client, first, (item: { id: string }) => {
      seen.push(item.id);
      return true;
    });
    const error = (await iterator.iterate().catch((e: unknown) => e)) as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error.statusCode).toBe(500);
    expect(seen).toHaveLength(20);
    expect(rule).toMatchObject({ matched: 3, fired: 1 });
    expect(sim.tenant(TENANT_A).requests.map((r) => r.status)).toEqual([200, 200, 500]);
  });
});

describe("delay and malformed JSON", () => {
  it("delays the answer by the given time", async () => {
    sim.faults.add({ path: "v1.0/users", fault: { type: "delay", ms: 150 } });
    const started = performance.now();
    const response = await raw(sim, TENANT_A, "v1.0/users");
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(response.status).toBe(200);
    expect(sim.tenant(TENANT_A).requests[0]?.fault).toBe("delay");
  });

  it("answers 200 with a body that is not valid JSON, which the SDK cannot parse", async () => {
    sim.faults.add({ path: "v1.0/users", times: 2, fault: { type: "malformed-json" } });
    const response = await raw(sim, TENANT_A, "v1.0/users");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")?.startsWith("application/json")).toBe(true);
    expect(() => JSON.parse(response.text) as unknown).toThrow(SyntaxError);
    await expect(sdkClient(sim, TENANT_A).api("/users").get()).rejects.toThrow();
  });
});

describe("an intermittent licence refusal", () => {
  it("answers a licensed tenant with the Free tenant's 403, on the matching requests only, then the data", async () => {
    const rule = sim.faults.add({ path: "v1.0/users", query: /signInActivity/, times: 2, fault: { type: "intermittent-license" } });
    const withSignIn = "v1.0/users?$select=id,signInActivity";
    for (let i = 0; i < 2; i++) {
      const refused = await raw(sim, TENANT_A, withSignIn);
      expect(refused.status).toBe(403);
      expect(refused.json.error).toMatchObject({
        code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        message: "Neither tenant is B2C or tenant doesn't have premium license",
      });
    }
    expect((await raw(sim, TENANT_A, "v1.0/users?$select=id")).status).toBe(200); // no signInActivity: not matched
    expect((await raw(sim, TENANT_A, withSignIn)).status).toBe(200);
    expect(rule).toMatchObject({ matched: 3, fired: 2 });
    expect(sim.tenant(TENANT_A).requests.map((r) => r.fault ?? null)).toEqual(["intermittent-license", "intermittent-license", null, null]);
  });
});
