/**
 * Serves the HTTP functions of the function table on this machine, on the routes Azure gives
 * them (`/api/<route>`), through the same HttpRequest / HttpResponse classes the Functions host
 * hands the handlers. Extra (dev-only) pages can be served beside them.
 *
 * Its pages show approval links (bearer tokens) and every digest, so it listens on loopback only
 * and answers only requests addressed to itself by a loopback name: a page on any other name that
 * resolves to 127.0.0.1 (DNS rebinding) would otherwise be same-origin with it in the browser.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import functionsRuntime, { type Cookie, type HttpHandler, type HttpMethod, type HttpResponseInit } from "@azure/functions";
import type { FunctionDefinition } from "../../functions/registry.js";
import { compileRoute, type CompiledRoute } from "./routes.js";
import { CLIENT_PRINCIPAL_HEADER, encodeClientPrincipal, type ClientPrincipal } from "../../shared/http/principal.js";
import { logLine } from "../../shared/logging/log-text.js";

// @azure/functions is a CommonJS bundle whose classes Node's ESM loader cannot see as named exports.
const { HttpRequest, HttpResponse, InvocationContext } = functionsRuntime;

/** host.json extensions.http.routePrefix (default "api"). */
export const ROUTE_PREFIX = "api";
/** Request bodies above this are refused (413), like a front end would. */
const MAX_BODY_BYTES = 1024 * 1024;
/** The only interface it listens on; deliberately not an option (see the header comment). */
const LOOPBACK = "127.0.0.1";
/** Host header values it answers, with its own port appended. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

export interface HttpRoute {
  readonly name: string;
  readonly methods: readonly HttpMethod[];
  readonly authLevel: "anonymous" | "function" | "admin";
  readonly route: CompiledRoute;
  readonly handler: HttpHandler;
}

/** Dev pages: answer a request, or undefined to let the function routes (then 404) have it. */
export type ExtraRoutes = (request: InstanceType<typeof HttpRequest>) => Promise<HttpResponseInit | undefined>;

export interface LocalHttpHostOptions {
  readonly functions: readonly FunctionDefinition[];
  /** 0 picks a free port. Default 7071, the Functions host's. Always on 127.0.0.1. */
  readonly port?: number;
  readonly extraRoutes?: ExtraRoutes;
  /**
   * The key `function` and `admin` routes require, as Azure does: header `x-functions-key` or
   * query `code`. Without one, those routes answer 401 to everything.
   */
  readonly functionKey?: string;
  /** One line per request and the handlers' context.log output. */
  readonly log?: (line: string) => void;
  /**
   * Plays App Service Authentication: every request arrives signed in as this principal (the
   * reports' X-MS-CLIENT-PRINCIPAL header). Whatever the client sends in such headers is dropped,
   * with or without this option, as the platform drops it (shared/http/principal.ts).
   */
  readonly signedIn?: ClientPrincipal;
}

export interface LocalHttpHost {
  /** e.g. http://localhost:7071 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly routes: readonly HttpRoute[];
  close(): Promise<void>;
}

/** The HTTP entries of the function table, with their routes compiled under the /api prefix. */
export function httpRoutes(functions: readonly FunctionDefinition[]): HttpRoute[] {
  return functions.flatMap((f) =>
    f.trigger === "http"
      ? [
          {
            name: f.name,
            methods: f.methods,
            authLevel: f.authLevel,
            route: compileRoute(`${ROUTE_PREFIX}/${f.route}`),
            handler: f.handler,
          },
        ]
      : [],
  );
}

export async function startLocalHttpHost(options: LocalHttpHostOptions): Promise<LocalHttpHost> {
  const routes = httpRoutes(options.functions);
  const log = options.log ?? (() => undefined);
  const server = createServer((req, res) => {
    serve(routes, options, log, req, res).catch((error: unknown) => {
      log(logLine`local host: ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Internal error in the local host; see its console.");
    });
  });
  await listen(server, options.port ?? 7071, LOOPBACK);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    routes,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * The Host header when it names this host (`localhost:<port>`, `127.0.0.1:<port>` or
 * `[::1]:<port>`, its own port) and the target is a path; undefined for anything else, including
 * an absolute-form target, whose authority would stand in for the Host header.
 */
function ownHost(req: IncomingMessage): string | undefined {
  const host = req.headers.host?.toLowerCase();
  if (host === undefined || !req.url?.startsWith("/")) return undefined;
  return LOOPBACK_NAMES.some((name) => host === `${name}:${req.socket.localPort}`) ? host : undefined;
}

function listen(server: Server, port: number, hostname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Port ${port} is in use (another \`npm run dev\` or \`func start\`?); pick another with --port.`)
          : error,
      );
    };
    server.once("error", onError);
    server.listen(port, hostname, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

async function serve(
  routes: readonly HttpRoute[],
  options: LocalHttpHostOptions,
  log: (line: string) => void,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = Date.now();
  const method = (req.method ?? "GET").toUpperCase();
  const host = ownHost(req);
  if (host === undefined) {
    log(logLine`${method} refused (421): not addressed to this host (Host ${req.headers.host ?? "none"})`);
    res
      .writeHead(421, { "Content-Type": "text/plain; charset=utf-8" })
      .end("Misdirected request: this dev host answers only to localhost, 127.0.0.1 or [::1] on its own port.\n");
    return;
  }
  // Concatenated, not resolved against a base: a target like `//evil.example/` stays a path.
  const url = new URL(`http://${host}${req.url ?? "/"}`);
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
  if (body === "too-large") {
    res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8" }).end("Request body too large.");
    return;
  }

  const matching = routes.flatMap((r) => {
    const params = r.route.match(url.pathname);
    return params ? [{ ...r, params }] : [];
  });
  const route = matching.find((r) => r.methods.includes(method as HttpMethod));
  const params = route?.params;
  const request = new HttpRequest({
    method,
    url: url.toString(),
    headers: platformHeaders(flattenHeaders(req), options.signedIn),
    query: Object.fromEntries(url.searchParams),
    params: params ?? {},
    ...(body !== undefined && body.byteLength > 0 ? { body: { bytes: body } } : {}),
  });

  let result: HttpResponseInit | InstanceType<typeof HttpResponse> | undefined;
  let name = "dev";
  if (route && route.authLevel !== "anonymous" && !hasFunctionKey(request, options.functionKey)) {
    name = route.name;
    result = { status: 401 }; // what Azure answers to a missing or wrong key: no body
  } else if (route) {
    name = route.name;
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: route.name,
      logHandler: (level, ...args) => log(logLine`  [${route.name}] ${level}: ${args.map(describe).join(" ")}`),
    });
    result = (await route.handler(request, context)) ?? { status: 204 };
  } else {
    result = await options.extraRoutes?.(request);
    if (result === undefined) {
      result =
        matching.length > 0
          ? { status: 405, headers: { Allow: [...new Set(matching.flatMap((r) => r.methods))].join(", ") }, body: "Method not allowed." }
          : { status: 404, body: "Not found." };
    }
  }
  await writeResponse(res, result instanceof HttpResponse ? result : new HttpResponse(result), method === "HEAD");
  if (!url.pathname.startsWith("/favicon"))
    log(logLine`${method} ${redact(url)} → ${res.statusCode} (${name}, ${Date.now() - started} ms)`);
}

async function writeResponse(res: ServerResponse, response: InstanceType<typeof HttpResponse>, head: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(head ? undefined : body);
}

function hasFunctionKey(request: InstanceType<typeof HttpRequest>, key: string | undefined): boolean {
  const given = request.headers.get("x-functions-key") ?? request.query.get("code");
  if (key === undefined || given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Set-Cookie as the Functions host writes a handler's `cookies`. */
export function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push("Secure");
  if (cookie.httpOnly) parts.push("HttpOnly");
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join("; ");
}

/** The platform's identity headers are its own: a client's are dropped, the signed-in principal's set. */
function platformHeaders(headers: Record<string, string>, signedIn: ClientPrincipal | undefined): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !/^x-ms-(client-principal|token-)/i.test(name)));
  if (signedIn === undefined) return kept;
  const name = signedIn.claims.find((c) => c.typ === "name")?.val ?? "local developer";
  return { ...kept, [CLIENT_PRINCIPAL_HEADER]: encodeClientPrincipal(signedIn), "x-ms-client-principal-name": name };
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[key] = Array.isArray(value) ? value.join(key === "cookie" ? "; " : ", ") : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > MAX_BODY_BYTES) return "too-large";
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Approval tokens are bearer capabilities: the console shows only their start. */
function redact(url: URL): string {
  return url.pathname.replace(/\/api\/approvals\/([^/]{12})[^/]*/i, "/api/approvals/$1…");
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  return typeof value === "string" ? value : JSON.stringify(value);
}
