/**
 * node:https front door with the shipped test certificate (the Graph SDK only talks to https
 * hosts, graph-facts §8). Turns node requests into SimRequests: /v1.0 and /beta go to the Graph
 * pipeline, /{tenant}/… to the token endpoint.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorBody, graphErrors } from "../errors.js";
import type { LoginRequest } from "../auth/token-endpoint.js";
import { parseJsonBody, type SimRequest, type SimResponse } from "./messages.js";

const CERT_DIR = new URL("../certs/", import.meta.url);
/** Graph rejects bodies far smaller than this; the cap only protects the test process. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface HttpHandlers {
  readonly graph: (request: SimRequest) => Promise<SimResponse>;
  /** undefined: not a login path. */
  readonly login: (request: LoginRequest) => SimResponse | undefined;
  readonly now: () => number;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpsServer(port: number, handlers: HttpHandlers): Promise<RunningServer> {
  const server: Server = createServer(
    { key: readFileSync(new URL("localhost.key", CERT_DIR)), cert: readFileSync(new URL("localhost.pem", CERT_DIR)) },
    (req, res) => {
      dispatch(req, handlers)
        .then((response) => write(res, response))
        .catch((error: unknown) => {
          console.error("graph simulator: request failed", error);
          write(res, {
            status: 500,
            headers: {},
            body: errorBody(graphErrors.internal(), { requestId: "", clientRequestId: "", now: handlers.now() }),
          });
        });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "localhost", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from fetch would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

async function dispatch(req: IncomingMessage, handlers: HttpHandlers): Promise<SimResponse> {
  const bodyText = await readBody(req);
  if (bodyText === undefined)
    return { status: 413, headers: {}, body: { error: { code: "RequestEntityTooLarge", message: "Request body too large." } } };
  const url = new URL(req.url ?? "/", "https://localhost");
  const method = (req.method ?? "GET").toUpperCase();
  let segments: string[];
  try {
    segments = url.pathname
      .split("/")
      .filter((s) => s !== "")
      .map(decodeURIComponent);
  } catch {
    return {
      status: 400,
      headers: {},
      body: errorBody(graphErrors.badRequest("Malformed URL encoding."), { requestId: "", clientRequestId: "", now: handlers.now() }),
    };
  }
  const first = segments[0] ?? "";
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  if (first === "v1.0" || first === "beta") {
    return handlers.graph({ method, path: segments.join("/"), search: url.searchParams, headers, body: parseJsonBody(bodyText) });
  }
  const login = handlers.login({ method, path: segments.join("/"), search: url.searchParams, headers, bodyText });
  if (login) return login;
  return {
    status: 400,
    headers: {},
    body: errorBody(graphErrors.badRequest(`Invalid version: ${first}`), { requestId: "", clientRequestId: "", now: handlers.now() }),
  };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function write(res: ServerResponse, response: SimResponse): void {
  if (response.dropConnection) {
    res.socket?.destroy();
    return;
  }
  const text = response.rawBody ?? (response.body !== undefined ? JSON.stringify(response.body) : undefined);
  const headers: Record<string, string> = { ...response.headers };
  if (text !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["Content-Type"] = "application/json; charset=utf-8";
  }
  res.writeHead(response.status, headers);
  res.end(text);
}
