/** batchGet: 20 per envelope, throttled items sent again after the longest Retry-After, item errors as GraphErrors. */
import { describe, expect, it } from "vitest";
import { BATCH_LIMIT, batchGet, type BatchGet } from "../../shared/graph/batch.js";
import { FakeGraph, graphError, json, raw, throttled } from "./fake-graph.js";

const requirements = (n: number): BatchGet[] =>
  Array.from({ length: n }, (_, i) => ({ id: String(i), url: `/users/u${i}/authentication/requirements` }));
const requirementsPath = (i: number) => `beta/users/u${i}/authentication/requirements`;
const ENFORCED = json({ perUserMfaState: "enforced" });

function fakeWithRequirements(n: number): FakeGraph {
  const graph = new FakeGraph();
  for (let i = 0; i < n; i++) graph.on("GET", requirementsPath(i), ENFORCED);
  return graph;
}

describe("batchGet", () => {
  it(`sends at most ${BATCH_LIMIT} GETs per $batch envelope and answers each by id`, async () => {
    const graph = fakeWithRequirements(45);
    const outcomes = await batchGet(graph.client().client, requirements(45), { version: "beta" });
    expect(graph.requestsTo("beta/$batch").map((r) => (r.body as { requests: unknown[] }).requests.length)).toEqual([20, 20, 5]);
    expect(outcomes.size).toBe(45);
    expect(outcomes.get("44")).toEqual({ ok: true, body: { perUserMfaState: "enforced" } });
    expect((graph.requestsTo("beta/$batch")[0]?.body as { requests: unknown[] }).requests[0]).toEqual({
      id: "0",
      method: "GET",
      url: "/users/u0/authentication/requirements",
    });
  });

  it("uses v1.0 unless told otherwise", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/users/u0/authentication/requirements", ENFORCED);
    await batchGet(graph.client().client, requirements(1));
    expect(graph.requestsTo("v1.0/$batch")).toHaveLength(1);
  });

  it("sends throttled items again in the next envelope, after the longest Retry-After among them, and counts them", async () => {
    const graph = fakeWithRequirements(3)
      .on("GET", requirementsPath(1), throttled("2"), ENFORCED)
      .on("GET", requirementsPath(2), graphError(503, "serviceUnavailable", "later", { "Retry-After": "5" }), throttled("1"), ENFORCED);
    const { client, stats } = graph.client();
    const waits: number[] = [];
    const outcomes = await batchGet(client, requirements(3), {
      version: "beta",
      stats,
      sleep: (ms) => (waits.push(ms), Promise.resolve()),
    });
    expect([...outcomes.values()].every((o) => o.ok)).toBe(true);
    expect(graph.requestsTo("beta/$batch").map((r) => (r.body as { requests: { id: string }[] }).requests.map((q) => q.id))).toEqual([
      ["0", "1", "2"],
      ["1", "2"],
      ["2"],
    ]);
    expect(waits).toEqual([5_000, 1_000]);
    expect(stats).toMatchObject({ throttled: 2, retries: 3, waitedInMs: 6_000 });
  });

  it("gives up on an item after maxRetries, with its last answer", async () => {
    const graph = fakeWithRequirements(1).on("GET", requirementsPath(0), throttled("1"));
    const outcomes = await batchGet(graph.client().client, requirements(1), {
      version: "beta",
      retry: { maxRetries: 2 },
      sleep: () => Promise.resolve(),
    });
    expect(graph.requestsTo("beta/$batch")).toHaveLength(3);
    const outcome = outcomes.get("0");
    expect(outcome?.ok === false && { status: outcome.error.statusCode, code: outcome.error.code }).toEqual({
      status: 429,
      code: "TooManyRequests",
    });
  });

  it("turns a failed item into Graph's error (status, code, message, request id) without sending it again", async () => {
    const graph = fakeWithRequirements(2).on(
      "GET",
      requirementsPath(1),
      graphError(404, "Request_ResourceNotFound", "Resource 'u1' does not exist."),
    );
    const outcomes = await batchGet(graph.client().client, requirements(2), { version: "beta" });
    const failed = outcomes.get("1");
    expect(failed?.ok).toBe(false);
    expect(failed?.ok === false && failed.error).toMatchObject({
      statusCode: 404,
      code: "Request_ResourceNotFound",
      message: "Resource 'u1' does not exist.",
      requestId: "request-Request_ResourceNotFound",
    });
    expect(graph.requestsTo("beta/$batch")).toHaveLength(1);
  });

  it("keeps nothing of a malformed item error but its status", async () => {
    const graph = fakeWithRequirements(2)
      .on("GET", requirementsPath(0), json({ error: { code: 7, message: ["no"] } }, 500))
      .on("GET", requirementsPath(1), raw(502, "Bad Gateway"));
    const outcomes = await batchGet(graph.client().client, requirements(2), { version: "beta" });
    for (const [id, status] of [
      ["0", 500],
      ["1", 502],
    ] as const) {
      const outcome = outcomes.get(id);
      expect(outcome?.ok === false && outcome.error).toMatchObject({
        statusCode: status,
        code: null,
        message: `Batch item failed with status ${status}`,
      });
    }
  });

  it.each([
    ["without a responses array", json({ value: [] }), 'Graph $batch answered without a "responses" array'],
    [
      "without an item it asked for",
      json({ responses: [{ id: "0", status: 200, body: {} }] }),
      'Graph $batch response has no item with id "1"',
    ],
    [
      "with an item without a numeric status",
      json({
        responses: [
          { id: "0", status: "200" },
          { id: "1", status: 200 },
        ],
      }),
      "Graph $batch answered an item without a string id and a numeric status",
    ],
    [
      "with an item without an id",
      json({ responses: [{ status: 200 }, { id: "1", status: 200 }] }),
      "Graph $batch answered an item without a string id and a numeric status",
    ],
  ])("rejects an envelope %s", async (_, envelope, message) => {
    const graph = new FakeGraph().on("POST", "beta/$batch", envelope);
    await expect(batchGet(graph.client().client, requirements(2), { version: "beta" })).rejects.toThrow(message);
  });
});
