/**
 * readPagedSources through the fake Graph: users and the registration report page by page, a
 * stop and a resume from the cursor, licence and permission refusals, expired page links, and
 * malformed answers.
 */
import { describe, expect, it } from "vitest";
import {
  MAX_RESTARTS,
  PAGED_START,
  readPagedSources,
  type PagedCursor,
  type PagedPage,
  type ReadPagedOptions,
} from "../../shared/collect/paged.js";
import { EXPIRED_PAGE_TOKEN, NON_PREMIUM_TENANT } from "../../shared/graph/errors.js";
import { FAKE_GRAPH_URL, FakeGraph, graphError, json, page } from "../graph/fake-graph.js";

const USERS = "v1.0/users";
const REPORT = "v1.0/reports/authenticationMethods/userRegistrationDetails";
const USERS_NEXT = `${FAKE_GRAPH_URL}${USERS}?$skiptoken=users2`;

const user = (n: number) => ({ id: `u${n}`, userPrincipalName: `user${n}@contoso.com`, accountEnabled: true });
const row = (n: number) => ({
  id: `u${n}`,
  userPrincipalName: `user${n}@contoso.com`,
  isMfaRegistered: true,
  isSsprEnabled: false,
  isSsprRegistered: false,
});
const LICENSE_REFUSAL = graphError(403, NON_PREMIUM_TENANT, "Tenant does not have a SKU required for this feature.");

interface Read {
  readonly cursor: PagedCursor;
  readonly pages: PagedPage[];
  readonly restarts: string[];
  readonly licenseWaits: number[];
}

async function read(graph: FakeGraph, start: PagedCursor = PAGED_START, options: Partial<ReadPagedOptions> = {}): Promise<Read> {
  const pages: PagedPage[] = [];
  const restarts: string[] = [];
  const licenseWaits: number[] = [];
  const cursor = await readPagedSources(graph.client().client, start, {
    shouldStop: () => false,
    onPage: (p) => void pages.push(p),
    onRestart: (stream) => void restarts.push(stream),
    licenseRetry: { sleep: (ms) => (licenseWaits.push(ms), Promise.resolve()), random: () => 0 },
    ...options,
  });
  return { cursor, pages, restarts, licenseWaits };
}

const DONE = { status: "done", pages: 1, items: 1 } as const;

describe("readPagedSources", () => {
  it("reads both collections page by page to their ends, users with signInActivity", async () => {
    const graph = new FakeGraph().on("GET", USERS, page([user(1), user(2)], USERS_NEXT), page([user(3)])).on("GET", REPORT, page([row(1)]));
    const { cursor, pages } = await read(graph);
    expect(cursor).toEqual({ users: { status: "done", pages: 2, items: 3, withSignIn: true }, registration: DONE });
    expect(pages.filter((p) => p.stream === "users").map((p) => [p.index, p.rows.map((u) => u.id)])).toEqual([
      [0, ["u1", "u2"]],
      [1, ["u3"]],
    ]);
    expect(pages.find((p) => p.stream === "registration")?.rows).toEqual([
      { id: "u1", userPrincipalName: "user1@contoso.com", isMfaRegistered: true, isSsprEnabled: false, isSsprRegistered: false },
    ]);
    const first = graph.requestsTo(USERS)[0];
    expect(first?.query.$select).toContain("signInActivity");
    expect(first?.query.$top).toBe("500");
    expect(graph.requestsTo(REPORT)[0]?.query.$top).toBe("999");
  });

  it("stops where shouldStop says and continues from the cursor without reading a page twice", async () => {
    const graph = new FakeGraph().on("GET", USERS, page([user(1)], USERS_NEXT), page([user(2)])).on("GET", REPORT, page([row(1)]));
    let pagesRead = 0;
    const stopped = await read(graph, PAGED_START, { shouldStop: () => pagesRead > 0, onPage: () => void pagesRead++ });
    expect(stopped.cursor.users).toEqual({ status: "reading", next: USERS_NEXT, pages: 1, items: 1, withSignIn: true });

    const resumed = await read(graph, stopped.cursor);
    expect(resumed.cursor.users).toEqual({ status: "done", pages: 2, items: 2, withSignIn: true });
    expect(resumed.pages.map((p) => [p.stream, p.index])).toEqual([["users", 1]]);
    expect(graph.requestsTo(USERS).map((r) => r.query.$skiptoken)).toEqual([undefined, "users2"]);
  });

  it("lists users again without signInActivity once Graph has repeated the licence refusal", async () => {
    const graph = new FakeGraph()
      .on("GET", USERS, LICENSE_REFUSAL, LICENSE_REFUSAL, LICENSE_REFUSAL, LICENSE_REFUSAL, page([user(1)]))
      .on("GET", REPORT, page([row(1)]));
    const { cursor, licenseWaits } = await read(graph);
    expect(cursor.users).toMatchObject({
      status: "done",
      pages: 1,
      items: 1,
      withSignIn: false,
      signInFailure: { ok: false, reason: "license", code: NON_PREMIUM_TENANT },
    });
    expect(licenseWaits).toEqual([1_000, 2_000, 4_000]);
    const last = graph.requestsTo(USERS).at(-1);
    expect(last?.query.$select).not.toContain("signInActivity");
    expect(last?.query.$top).toBe("999");
  });

  it("does not believe a single licence refusal: the page is asked for again", async () => {
    const graph = new FakeGraph().on("GET", USERS, LICENSE_REFUSAL, page([user(1)])).on("GET", REPORT, page([row(1)]));
    const { cursor } = await read(graph);
    expect(cursor.users).toEqual({ status: "done", pages: 1, items: 1, withSignIn: true });
  });

  it("lists users without signInActivity at once when the app lacks AuditLog.Read.All (a permission 403)", async () => {
    const graph = new FakeGraph()
      .on("GET", USERS, graphError(403, "Authorization_RequestDenied"), page([user(1)]))
      .on("GET", REPORT, page([row(1)]));
    const { cursor, licenseWaits } = await read(graph);
    expect(cursor.users).toMatchObject({
      status: "done",
      withSignIn: false,
      signInFailure: { reason: "permission", code: "Authorization_RequestDenied" },
    });
    expect(licenseWaits).toEqual([]);
  });

  it("records a refused registration report as failed, with the reason, and still reads users", async () => {
    const graph = new FakeGraph().on("GET", USERS, page([user(1)])).on("GET", REPORT, LICENSE_REFUSAL);
    const { cursor } = await read(graph);
    expect(cursor.users.status).toBe("done");
    expect(cursor.registration).toMatchObject({
      status: "failed",
      pages: 0,
      failure: { ok: false, reason: "license", code: NON_PREMIUM_TENANT },
    });
  });

  it("starts a collection over when Graph refuses its saved link as expired, telling the caller to drop its rows", async () => {
    const graph = new FakeGraph().on("GET", USERS, graphError(400, EXPIRED_PAGE_TOKEN), page([user(1)], USERS_NEXT), page([user(2)]));
    const start: PagedCursor = { users: { status: "reading", next: USERS_NEXT, pages: 3, items: 3, withSignIn: true }, registration: DONE };
    const { cursor, restarts, pages } = await read(graph, start);
    expect(restarts).toEqual(["users"]);
    expect(cursor.users).toEqual({ status: "done", pages: 2, items: 2, withSignIn: true, restarts: 1 });
    expect(pages.map((p) => p.index)).toEqual([0, 1]);
    expect(graph.requestsTo(USERS)[1]?.query.$skiptoken).toBeUndefined();
  });

  it(`fails a collection whose links expired ${MAX_RESTARTS} times already`, async () => {
    const graph = new FakeGraph().on("GET", USERS, graphError(400, EXPIRED_PAGE_TOKEN));
    const start: PagedCursor = {
      users: { status: "reading", next: USERS_NEXT, pages: 3, items: 3, withSignIn: true, restarts: MAX_RESTARTS },
      registration: DONE,
    };
    const { cursor, restarts } = await read(graph, start);
    expect(restarts).toEqual([]);
    expect(cursor.users).toMatchObject({ status: "failed", failure: { reason: "error", code: EXPIRED_PAGE_TOKEN } });
  });

  it("records a page without a value array as a failed source, naming the listing", async () => {
    const graph = new FakeGraph().on("GET", USERS, page([user(1)])).on("GET", REPORT, json({ "@odata.context": "report" }));
    const { cursor } = await read(graph);
    expect(cursor.registration).toMatchObject({
      status: "failed",
      failure: {
        ok: false,
        reason: "error",
        message: 'Graph answered /reports/authenticationMethods/userRegistrationDetails without a "value" array',
      },
    });
  });

  it("rejects a user row without an id: a broken answer, never a user less", async () => {
    const graph = new FakeGraph()
      .on("GET", USERS, page([user(1), { userPrincipalName: "ghost@contoso.com" }]))
      .on("GET", REPORT, page([row(1)]));
    await expect(read(graph)).rejects.toThrow(/^Graph returned a user without id or userPrincipalName/);
  });

  it("lets an authentication failure through: nothing in the tenant is readable", async () => {
    const graph = new FakeGraph().on("GET", USERS, graphError(401, "InvalidAuthenticationToken")).on("GET", REPORT, page([row(1)]));
    await expect(read(graph)).rejects.toMatchObject({ statusCode: 401, code: "InvalidAuthenticationToken" });
  });
});
