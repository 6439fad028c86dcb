/** JSON batching (graph-facts §7): validation, dependsOn, per-item status and headers. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ManualClock, startGraphSimulator, type GraphSimulator } from "../../dev/simulator/index.js";
import { raw } from "./helpers/clients.js";
import { TENANT_A, tenantFixture, userId, users } from "./helpers/fixtures.js";

const REPORT = "/reports/authenticationMethods/userRegistrationDetails";
let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({
    fixtures: [tenantFixture({ graph: { "v1.0/users": users(5), "v1.0/reports/authenticationMethods/userRegistrationDetails": [] } })],
    throttling: { enabled: true },
    clock: new ManualClock(), // throttling windows never refill: deterministic 429s
  });
});
afterAll(() => sim.close());
afterEach(() => {
  sim.faults.clear();
  sim.tenant(TENANT_A).reset();
  sim.tenant(TENANT_A).restore();
});

interface ItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: { error?: { code: string } } & Record<string, unknown>;
}
const batch = async (requests: unknown[], version = "v1.0") => {
  const response = await raw(sim, TENANT_A, `${version}/$batch`, { method: "POST", body: { requests } });
  const byId = new Map(((response.json?.responses ?? []) as ItemResponse[]).map((r) => [r.id, r]));
  return { response, byId };
};

describe("$batch", () => {
  it("runs relative GETs and a PATCH, with JSON Content-Type only on items that have a body", async () => {
    const { response, byId } = await batch([
      { id: "a", method: "GET", url: `/users/${userId(1)}?$select=id` },
      { id: "b", method: "GET", url: "users?$top=2&$select=id" },
      {
        id: "c",
        method: "PATCH",
        url: `/users/${userId(2)}`,
        headers: { "Content-Type": "application/json" },
        body: { accountEnabled: false },
      },
    ]);
    expect(response.status).toBe(200);
    expect(byId.get("a")).toMatchObject({ status: 200, headers: { "Content-Type": "application/json" }, body: { id: userId(1) } });
    expect(byId.get("b")?.body?.["@odata.nextLink"]).toMatch(new RegExp(`^${sim.baseUrl}v1\\.0/users\\?`));
    const patched = byId.get("c");
    expect(patched?.status).toBe(204);
    expect(patched).not.toHaveProperty("body"); // BatchResponseContent must never see a body on 204
    expect(patched?.headers["Content-Type"]).toBeUndefined();
    expect(sim.tenant(TENANT_A).get(`v1.0/users/${userId(2)}`)).toMatchObject({ accountEnabled: false });
    const log = sim.tenant(TENANT_A).requests;
    expect(
      log
        .filter((r) => r.batchItem)
        .map((r) => r.path)
        .sort(),
    ).toEqual([`v1.0/users/${userId(1)}`, `v1.0/users/${userId(2)}`, "v1.0/users"].sort());
    expect(log.find((r) => !r.batchItem)?.path).toBe("v1.0/$batch");
  });

  it("serves beta items from a beta batch", async () => {
    const { byId } = await batch([{ id: "1", method: "GET", url: `/users/${userId(1)}/authentication/requirements` }], "beta");
    expect(byId.get("1")?.body).toMatchObject({ perUserMfaState: "disabled" });
  });

  it.each([
    ["more than 20 requests", Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: "GET", url: "/users" }))],
    [
      "a duplicate id",
      [
        { id: "1", method: "GET", url: "/users" },
        { id: "1", method: "GET", url: "/domains" },
      ],
    ],
    ["a body without Content-Type", [{ id: "1", method: "PATCH", url: `/users/${userId(1)}`, body: { accountEnabled: false } }]],
    ["a dependency on an unknown id", [{ id: "1", method: "GET", url: "/users", dependsOn: ["9"] }]],
    ["no requests", []],
  ])("answers 400 for the whole batch with %s", async (_, requests) => {
    const { response } = await batch(requests);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("BadRequest");
    expect(sim.tenant(TENANT_A).get(`v1.0/users/${userId(1)}`)).toMatchObject({ accountEnabled: true });
  });

  it("answers 424 for items whose dependency failed, and runs the rest", async () => {
    const { byId } = await batch([
      { id: "1", method: "GET", url: "/users/nobody" },
      {
        id: "2",
        method: "PATCH",
        url: `/users/${userId(1)}`,
        dependsOn: ["1"],
        headers: { "content-type": "application/json" },
        body: { accountEnabled: false },
      },
      { id: "3", method: "GET", url: "/users?$top=1", dependsOn: ["2"] },
      { id: "4", method: "GET", url: "/domains" },
    ]);
    expect([byId.get("1")?.status, byId.get("2")?.status, byId.get("3")?.status, byId.get("4")?.status]).toEqual([404, 424, 424, 200]);
    expect(byId.get("2")?.body?.error?.code).toBe("FailedDependency");
    expect(sim.tenant(TENANT_A).get(`v1.0/users/${userId(1)}`)).toMatchObject({ accountEnabled: true });
  });

  it("throttles items on their own: 429 with Retry-After in item headers, envelope 200", async () => {
    const { response, byId } = await batch(Array.from({ length: 7 }, (_, i) => ({ id: String(i), method: "GET", url: REPORT })));
    expect(response.status).toBe(200);
    const items = [...byId.values()];
    expect(items.filter((r) => r.status === 200)).toHaveLength(5);
    const throttled = items.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]?.headers).toMatchObject({
      "Retry-After": "2",
      "Content-Type": "application/json",
      "x-ms-throttle-information": "RequestLimitExceeded",
    });
    expect(throttled[0]?.body?.error?.code).toBe("TooManyRequests");
  });

  it("applies faults to items by their path", async () => {
    sim.faults.add({ path: `v1.0/users/${userId(3)}`, fault: { type: "status", status: 503, retryAfterSeconds: 1 } });
    const { byId } = await batch([
      { id: "1", method: "GET", url: `/users/${userId(3)}` },
      { id: "2", method: "GET", url: `/users/${userId(4)}` },
    ]);
    expect(byId.get("1")).toMatchObject({ status: 503, headers: { "Retry-After": "1" } });
    expect(byId.get("2")?.status).toBe(200);
  });

  it("needs the envelope's token", async () => {
    const response = await raw(sim, TENANT_A, "v1.0/$batch", {
      method: "POST",
      body: { requests: [{ id: "1", method: "GET", url: "/users" }] },
      token: null,
    });
    expect(response.status).toBe(401);
  });
});
