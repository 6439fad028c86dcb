/** The local Functions host: routes from the function table, request and response plumbing. */
import { request as httpRequest } from "node:http";
import type { HttpRequest, InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS, type FunctionDefinition } from "../../functions/registry.js";
import { httpRoutes, serializeCookie, startLocalHttpHost, type LocalHttpHost } from "../../dev/local-host/http-host.js";
import { compileRoute } from "../../dev/local-host/routes.js";

describe("route templates", () => {
  it("matches literals case-insensitively and decodes parameters", () => {
    const route = compileRoute("api/approvals/{token}");
    expect(route.match("/api/approvals/abc.def-ghi")).toEqual({ token: "abc.def-ghi" });
    expect(route.match("/API/Approvals/a%2Fb")).toEqual({ token: "a/b" });
    expect(route.match("/api/approvals")).toBeUndefined();
    expect(route.match("/api/approvals/a/b")).toBeUndefined();
    expect(route.match("/api/approvals/%E0%A4%A")).toBeUndefined();
  });

  it("supports constraints, an optional last parameter and a catch-all", () => {
    expect(compileRoute("api/tenants/{id:guid}/findings").match("/api/tenants/not-a-guid/findings")).toBeUndefined();
    expect(compileRoute("api/tenants/{id:guid}/findings").match("/api/tenants/aaaaaaaa-0000-4000-8000-00000000000a/findings")).toEqual({
      id: "aaaaaaaa-0000-4000-8000-00000000000a",
    });
    expect(compileRoute("api/items/{id:int?}").match("/api/items")).toEqual({});
    expect(compileRoute("api/items/{id:int?}").match("/api/items/12")).toEqual({ id: "12" });
    expect(compileRoute("api/files/{*path}").match("/api/files/a/b/c")).toEqual({ path: "a/b/c" });
  });

  it("builds the local routes from every HTTP entry of the function table", () => {
    const http = FUNCTIONS.filter((f) => f.trigger === "http");
    expect(http.length).toBeGreaterThan(0);
    expect(httpRoutes(FUNCTIONS).map((r) => [r.name, r.route.template])).toEqual(http.map((f) => [f.name, `api/${f.route}`]));
  });
});

describe("the local HTTP host", () => {
  let host: LocalHttpHost;
  const seen: { method: string; params: Record<string, string>; query: string | null; body: string; cookie: string | null }[] = [];

  const echo = async (request: HttpRequest, _context: InvocationContext) => {
    seen.push({
      method: request.method,
      params: request.params,
      query: request.query.get("q"),
      body: await request.text(),
      cookie: request.headers.get("cookie"),
    });
    return {
      status: 201,
      headers: { "X-Test": "yes" },
      cookies: [{ name: "a", value: "1", path: "/", httpOnly: true, sameSite: "Strict" as const }],
      jsonBody: { ok: true },
    };
  };
  const table: FunctionDefinition[] = [
    { name: "echo-get", trigger: "http", route: "things/{id}", methods: ["GET"], authLevel: "anonymous", handler: echo },
    { name: "echo-post", trigger: "http", route: "things/{id}", methods: ["POST"], authLevel: "anonymous", handler: echo },
    { name: "keyed", trigger: "http", route: "keyed/{id}", methods: ["GET"], authLevel: "function", handler: echo },
  ];

  beforeAll(async () => {
    host = await startLocalHttpHost({
      functions: table,
      port: 0,
      functionKey: "the-key",
      extraRoutes: (request) =>
        Promise.resolve(new URL(request.url).pathname === "/dev/hello" ? { status: 200, body: "hello" } : undefined),
    });
  });
  afterAll(() => host.close());

  it("calls the handler on /api/<route> with params, query, headers and body, and writes its response", async () => {
    const response = await fetch(`${host.url}/api/things/42?q=x`, {
      method: "POST",
      body: "a=b",
      headers: { cookie: "c=d", "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-test")).toBe("yes");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/; HttpOnly; SameSite=Strict"]);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen.at(-1)).toEqual({ method: "POST", params: { id: "42" }, query: "x", body: "a=b", cookie: "c=d" });
  });

  it("answers 405 for a known route with another method, 404 for an unknown path, and serves the extra routes", async () => {
    const put = await fetch(`${host.url}/api/things/42`, { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
    expect((await fetch(`${host.url}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${host.url}/things/42`)).status).toBe(404); // no /api prefix: not a function route
    expect(await (await fetch(`${host.url}/dev/hello`)).text()).toBe("hello");
  });

  it("requires the function key on function-level routes (x-functions-key or ?code=), as Azure does", async () => {
    const calls = seen.length;
    expect((await fetch(`${host.url}/api/keyed/1`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/keyed/1`, { headers: { "x-functions-key": "wrong" } })).status).toBe(401);
    expect((await fetch(`${host.url}/api/keyed/1?code=the-ke`)).status).toBe(401);
    expect(seen.length).toBe(calls);
    expect((await fetch(`${host.url}/api/keyed/1`, { headers: { "x-functions-key": "the-key" } })).status).toBe(201);
    expect((await fetch(`${host.url}/api/keyed/1?code=the-key`)).status).toBe(201);
    expect(seen.length).toBe(calls + 2);
  });

  /** A GET to the host with the Host header (or request target) of our choosing, which fetch does not allow. */
  function rawGet(path: string, hostHeader: string | null): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers = hostHeader === null ? {} : { host: hostHeader };
      const req = httpRequest({ host: "127.0.0.1", port: host.port, path, headers, setHost: false }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject).end();
    });
  }

  it("refuses a request not addressed to it by a loopback name and its own port (DNS rebinding), before any handler", async () => {
    const calls = seen.length;
    const port = host.port;
    for (const foreign of [
      "evil.example",
      `evil.example:${port}`,
      "localhost",
      `localhost:${port + 1}`,
      `127.0.0.2:${port}`,
      `localhost:${port}.evil.example`,
    ]) {
      for (const path of ["/dev/hello", "/api/things/42"]) {
        const refused = await rawGet(path, foreign);
        expect(refused.status, `${foreign} ${path}`).toBe(421);
        expect(refused.body).toMatch(/^Misdirected request: /);
      }
    }
    expect((await rawGet("/dev/hello", null)).status).toBe(400); // no Host at all: Node's own answer
    // An absolute-form target names another host even under a good Host header.
    expect((await rawGet("http://evil.example/dev/hello", `localhost:${port}`)).status).toBe(421);
    expect(seen.length).toBe(calls);
  });

  it("answers localhost, 127.0.0.1 and [::1] on its own port", async () => {
    const calls = seen.length;
    for (const own of [`localhost:${host.port}`, `127.0.0.1:${host.port}`, `[::1]:${host.port}`, `LocalHost:${host.port}`]) {
      expect(await rawGet("/dev/hello", own)).toEqual({ status: 200, body: "hello" });
      expect((await rawGet("/api/things/42", own)).status).toBe(201);
    }
    expect(seen.length).toBe(calls + 4);
  });

  it("serializes cookies as the Functions host does", () => {
    expect(serializeCookie({ name: "__Host-x", value: "v", path: "/", secure: true, httpOnly: true, sameSite: "Strict", maxAge: 60 })).toBe(
      "__Host-x=v; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Strict",
    );
  });
});
