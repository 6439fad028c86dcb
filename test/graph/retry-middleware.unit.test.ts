/**
 * RetryMiddleware in the client the product builds (createGraphClient): which answers are sent
 * again, how long it waits (Retry-After in seconds or as a date, backoff without one), what it counts.
 */
import { describe, expect, it } from "vitest";
import { isGraphError } from "../../shared/graph/errors.js";
import { BROKEN_CONNECTION, FakeGraph, graphError, json, throttled } from "./fake-graph.js";

const ME = { id: "u1" };

async function failure(call: Promise<unknown>): Promise<{ status: number; code: string | null }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isGraphError(error)) throw new Error(`expected a GraphError, got ${String(error)}`);
  return { status: error.statusCode, code: error.code };
}

describe("RetryMiddleware", () => {
  it("waits what a 429's Retry-After says in seconds, sends again and counts it", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/users/u1", throttled("3"), json(ME));
    const { client, stats } = graph.client();
    expect(await client.api("/users/u1").get()).toEqual(ME);
    expect(graph.waits).toEqual([3_000]);
    expect(graph.requestsTo("v1.0/users/u1")).toHaveLength(2);
    expect(stats.snapshot()).toEqual({ requests: 2, throttled: 1, serverErrors: 0, retries: 1, waitedInMs: 3_000, pacedInMs: 0 });
  });

  it("reads a Retry-After given as an HTTP date", async () => {
    const at = new Date(Date.now() + 5_000).toUTCString();
    const graph = new FakeGraph().on("GET", "v1.0/users/u1", throttled(at), json(ME));
    await graph.client().client.api("/users/u1").get();
    expect(graph.waits).toHaveLength(1);
    expect(graph.waits[0]).toBeGreaterThan(3_000);
    expect(graph.waits[0]).toBeLessThanOrEqual(5_000);
  });

  it("backs off exponentially on a 429 without Retry-After (Conditional Access sends none)", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/identity/conditionalAccess/policies", throttled(), throttled(), json({ value: [] }));
    await graph
      .client({ retry: { baseDelayInMs: 100 } })
      .client.api("/identity/conditionalAccess/policies")
      .get();
    const [first, second] = graph.waits;
    expect(first).toBeGreaterThanOrEqual(100);
    expect(first).toBeLessThanOrEqual(150);
    expect(second).toBeGreaterThanOrEqual(200);
    expect(second).toBeLessThanOrEqual(300);
  });

  it("caps a far-off Retry-After at maxDelayInMs", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/users/u1", throttled("86400"), json(ME));
    await graph
      .client({ retry: { maxDelayInMs: 60_000 } })
      .client.api("/users/u1")
      .get();
    expect(graph.waits).toEqual([60_000]);
  });

  it.each([503, 504])("sends a read answered %i again", async (status) => {
    const graph = new FakeGraph().on(
      "GET",
      "v1.0/users/u1",
      graphError(status, "serviceUnavailable", "later", { "Retry-After": "1" }),
      json(ME),
    );
    const { client, stats } = graph.client();
    expect(await client.api("/users/u1").get()).toEqual(ME);
    expect(graph.waits).toEqual([1_000]);
    expect(stats.serverErrors).toBe(1);
  });

  it("never sends a write answered 503 again: it may have happened", async () => {
    const graph = new FakeGraph().on("PATCH", "v1.0/users/u1", graphError(503, "serviceUnavailable", "later", { "Retry-After": "1" }), {
      status: 204,
    });
    expect(await failure(graph.client().client.api("/users/u1").patch({ accountEnabled: false }))).toEqual({
      status: 503,
      code: "serviceUnavailable",
    });
    expect(graph.requestsTo("v1.0/users/u1")).toHaveLength(1);
    expect(graph.waits).toEqual([]);
  });

  it("sends a write answered 429 again: Graph did not process it", async () => {
    const graph = new FakeGraph().on("POST", "v1.0/users/u1/revokeSignInSessions", throttled("2"), json({ value: true }));
    expect(await graph.client().client.api("/users/u1/revokeSignInSessions").post({})).toEqual({ value: true });
    expect(graph.waits).toEqual([2_000]);
  });

  it("gives up after maxRetries with Graph's last answer", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/users/u1", throttled("1"));
    const { client, stats } = graph.client({ retry: { maxRetries: 2 } });
    expect(await failure(client.api("/users/u1").get())).toEqual({ status: 429, code: "TooManyRequests" });
    expect(graph.requestsTo("v1.0/users/u1")).toHaveLength(3);
    expect(stats).toMatchObject({ requests: 3, throttled: 3, retries: 2 });
  });

  it.each([400, 403, 404, 500])("does not send a request answered %i again", async (status) => {
    const graph = new FakeGraph().on("GET", "v1.0/users/u1", graphError(status, "someError"), json(ME));
    expect(await failure(graph.client().client.api("/users/u1").get())).toEqual({ status, code: "someError" });
    expect(graph.requestsTo("v1.0/users/u1")).toHaveLength(1);
  });

  it("sends a read again when its connection broke before an answer", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/users/u1", BROKEN_CONNECTION, json(ME));
    const { client, stats } = graph.client({ retry: { baseDelayInMs: 10 } });
    expect(await client.api("/users/u1").get()).toEqual(ME);
    expect(graph.requestsTo("v1.0/users/u1")).toHaveLength(2);
    expect(stats.retries).toBe(1);
  });

  it("does not send a write again when its connection broke: it may have arrived", async () => {
    const graph = new FakeGraph().on("PATCH", "v1.0/users/u1", BROKEN_CONNECTION, { status: 204 });
    expect(await failure(graph.client().client.api("/users/u1").patch({ accountEnabled: false }))).toEqual({
      status: -1,
      code: "TypeError",
    });
    expect(graph.requestsTo("v1.0/users/u1")).toHaveLength(1);
  });

  it("sends the access token on every attempt", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/users/u1", throttled("0"), json(ME));
    await graph.client().client.api("/users/u1").get();
    expect(graph.requests.map((r) => r.headers.get("Authorization"))).toEqual(["Bearer fake-access-token", "Bearer fake-access-token"]);
  });
});
