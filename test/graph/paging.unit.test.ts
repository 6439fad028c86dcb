/** listPages / listAll through the real SDK client: nextLinks, continuation tokens, malformed pages. */
import { describe, expect, it } from "vitest";
import { isGraphError } from "../../shared/graph/errors.js";
import { listAll, listPages, type ListRequest } from "../../shared/graph/paging.js";
import { FAKE_GRAPH_URL, FakeGraph, graphError, json, page, raw } from "./fake-graph.js";

const USERS: ListRequest = {
  path: "/users",
  select: ["id", "displayName"],
  top: 2,
  filter: "accountEnabled eq true",
  headers: { ConsistencyLevel: "eventual" },
};
const NEXT_1 = `${FAKE_GRAPH_URL}v1.0/users?$top=2&$skiptoken=page2`;
const NEXT_2 = `${FAKE_GRAPH_URL}v1.0/users?$top=2&$skiptoken=page3`;

async function allPages<T>(pages: AsyncIterable<{ items: T[]; continuationToken?: string }>) {
  const seen: { items: T[]; continuationToken?: string }[] = [];
  for await (const p of pages) seen.push(p);
  return seen;
}

describe("listPages", () => {
  it("follows @odata.nextLink to the last page, each link being the next page's continuation token", async () => {
    const graph = new FakeGraph().on(
      "GET",
      "v1.0/users",
      page([{ id: "1" }, { id: "2" }], NEXT_1),
      page([{ id: "3" }, { id: "4" }], NEXT_2),
      page([{ id: "5" }]),
    );
    const pages = await allPages(listPages(graph.client().client, USERS));
    expect(pages).toEqual([
      { items: [{ id: "1" }, { id: "2" }], continuationToken: NEXT_1 },
      { items: [{ id: "3" }, { id: "4" }], continuationToken: NEXT_2 },
      { items: [{ id: "5" }] },
    ]);
    const [first, second, third] = graph.requests;
    expect(first?.query).toEqual({ $select: "id,displayName", $top: "2", $filter: "accountEnabled eq true" });
    expect(second?.query).toEqual({ $top: "2", $skiptoken: "page2" });
    expect(third?.query).toEqual({ $top: "2", $skiptoken: "page3" });
    // Graph does not carry ConsistencyLevel over to next links: it is sent on every page.
    expect(graph.requests.map((r) => r.headers.get("ConsistencyLevel"))).toEqual(["eventual", "eventual", "eventual"]);
  });

  it("continues from a continuation token instead of the first page", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/users", page([{ id: "5" }]));
    const pages = await allPages(listPages(graph.client().client, USERS, { continuationToken: NEXT_2 }));
    expect(pages).toEqual([{ items: [{ id: "5" }] }]);
    expect(graph.requests).toHaveLength(1);
    expect(graph.requests[0]?.query).toEqual({ $top: "2", $skiptoken: "page3" });
  });

  it("reads the beta version when asked", async () => {
    const graph = new FakeGraph().on("GET", "beta/users", page([]));
    expect(await listAll(graph.client().client, { path: "/users", version: "beta" })).toEqual([]);
  });

  it.each([
    ["no value", json({ "@odata.context": "x" })],
    ["a value that is not an array", json({ value: { id: "1" } })],
    ["JSON null", json(null)],
    ["no content", { status: 204 }],
  ])("rejects a page with %s, naming the listing", async (_, answer) => {
    const graph = new FakeGraph().on("GET", "v1.0/users", answer);
    await expect(listAll(graph.client().client, USERS)).rejects.toThrow(new TypeError('Graph answered /users without a "value" array'));
  });

  it("rejects a page whose body is not JSON (the SDK's GraphError naming the parse failure)", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/users", raw(200, "{ not json", "application/json"));
    const error = await listAll(graph.client().client, USERS).catch((e: unknown) => e);
    expect(isGraphError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 200, code: "SyntaxError" });
  });

  it("yields the pages before a page Graph refuses, then rejects with Graph's error", async () => {
    const graph = new FakeGraph().on(
      "GET",
      "v1.0/users",
      page([{ id: "1" }], NEXT_1),
      graphError(400, "Directory_ExpiredPageToken", "The specified page token value has expired."),
    );
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const p of listPages(graph.client().client, USERS)) seen.push(p.items);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([[{ id: "1" }]]);
    expect(isGraphError(error) && { status: error.statusCode, code: error.code, requestId: error.requestId }).toEqual({
      status: 400,
      code: "Directory_ExpiredPageToken",
      requestId: "request-Directory_ExpiredPageToken",
    });
  });
});

describe("listAll", () => {
  it("concatenates every page", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/users", page([{ id: "1" }], NEXT_1), page([{ id: "2" }]));
    expect(await listAll(graph.client().client, USERS)).toEqual([{ id: "1" }, { id: "2" }]);
  });
});
