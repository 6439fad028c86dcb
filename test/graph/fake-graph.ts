/**
 * Microsoft Graph faked at the HTTP boundary, for unit tests. Only `fetch` is replaced: the real
 * SDK client from createGraphClient, our retry middleware, paging and $batch code run unchanged.
 * Each route answers from a script (the last answer repeats): Graph-shaped pages with nextLinks,
 * Graph's error body, 429 with Retry-After, a connection that breaks. POST $batch is answered
 * item by item from the same routes, as Graph does, unless the test scripts the envelope itself.
 */
import type { TokenCredential } from "@azure/identity";
import { vi } from "vitest";
import { createGraphClient, type GraphClientOptions, type TenantGraph } from "../../shared/graph/client.js";

export const FAKE_GRAPH_URL = "https://graph.fake.test/";

/** What one request gets: a response, or a connection that breaks before one comes. */
export type FakeAnswer =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: unknown; readonly text?: string }
  | { readonly brokenConnection: true };

export interface FakeRequest {
  readonly method: string;
  /** Below the base URL, version first: `v1.0/users`. */
  readonly path: string;
  /** Query parameters, decoded. */
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Headers;
  readonly body: unknown;
  /** An item of a $batch request (the envelope is recorded too, as a request of its own). */
  readonly batchItem: boolean;
}

/** One page of a collection, with the link to the next when there is one. */
export function page(items: readonly unknown[], nextLink?: string): FakeAnswer {
  return { status: 200, body: nextLink === undefined ? { value: items } : { value: items, "@odata.nextLink": nextLink } };
}

export function json(body: unknown, status = 200): FakeAnswer {
  return { status, body };
}

/** A body that is not what Graph sends, e.g. text that is not JSON. */
export function raw(status: number, text: string, contentType = "text/plain"): FakeAnswer {
  return { status, text, headers: { "content-type": contentType } };
}

/** Graph's error body (`{ error: { code, message, innerError } }`), request id and date included. */
export function graphError(
  status: number,
  code: string,
  message = `${code} (fake)`,
  headers: Readonly<Record<string, string>> = {},
): FakeAnswer {
  const innerError = { date: "2026-11-28T02:00:00", "request-id": `request-${code}`, "client-request-id": "client-request" };
  return { status, headers, body: { error: { code, message, innerError } } };
}

/** Graph's 429; Retry-After in seconds or as an HTTP date, or absent (as Conditional Access sends it). */
export function throttled(retryAfter?: string): FakeAnswer {
  return graphError(429, "TooManyRequests", "Too many requests.", retryAfter === undefined ? {} : { "Retry-After": retryAfter });
}

export const BROKEN_CONNECTION: FakeAnswer = { brokenConnection: true };

const FAKE_CREDENTIAL: TokenCredential = {
  getToken: () => Promise.resolve({ token: "fake-access-token", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

export class FakeGraph {
  readonly requests: FakeRequest[] = [];
  /** Every wait the retry middleware asked for, in ms (it never really sleeps). */
  readonly waits: number[] = [];
  private readonly scripts = new Map<string, FakeAnswer[]>();

  /** Scripts the answers to `method path` (path without query, e.g. `v1.0/users`), in order; the last repeats. */
  on(method: string, path: string, ...answers: FakeAnswer[]): this {
    if (answers.length === 0) throw new RangeError("on() needs at least one answer");
    this.scripts.set(routeKey(method, path), [...answers]);
    return this;
  }

  /**
   * A Graph client of the product (createGraphClient) talking to this fake. `fetch` is stubbed for
   * the current test (the unit tier unstubs globals after each test).
   */
  client(options: Omit<GraphClientOptions, "credential" | "baseUrl"> = {}): TenantGraph {
    vi.stubGlobal("fetch", this.fetch);
    return createGraphClient({
      ...options,
      credential: FAKE_CREDENTIAL,
      baseUrl: FAKE_GRAPH_URL,
      retry: { sleep: this.sleep, ...options.retry },
    });
  }

  readonly sleep = (ms: number): Promise<void> => {
    this.waits.push(ms);
    return Promise.resolve();
  };

  /** Requests to `path` (envelopes and batch items alike), in order. */
  requestsTo(path: string): FakeRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const path = decodeURIComponent(url.pathname.slice(1));
    const text = await request.text();
    const body: unknown = text === "" ? undefined : JSON.parse(text);
    this.requests.push({
      method: request.method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body,
      batchItem: false,
    });
    if (path.endsWith("/$batch") && !this.scripts.has(routeKey("POST", path)))
      return Response.json({ responses: this.answerBatch(path, body) });
    return toResponse(this.answer(request.method, path));
  };

  private answer(method: string, path: string): FakeAnswer {
    const script = this.scripts.get(routeKey(method, path));
    if (!script) return graphError(404, "FakeGraph_NoAnswer", `no answer scripted for ${method} ${path}`);
    return (script.length > 1 ? script.shift() : script[0]) as FakeAnswer;
  }

  private answerBatch(envelopePath: string, envelope: unknown): unknown[] {
    const version = envelopePath.slice(0, envelopePath.indexOf("/"));
    const items = (
      envelope as { requests: { id: string; method: string; url: string; headers?: Record<string, string>; body?: unknown }[] }
    ).requests;
    return items.map((item) => {
      const url = new URL(`${version}${item.url}`, FAKE_GRAPH_URL);
      const path = decodeURIComponent(url.pathname.slice(1));
      this.requests.push({
        method: item.method,
        path,
        query: Object.fromEntries(url.searchParams),
        headers: new Headers(item.headers),
        body: item.body,
        batchItem: true,
      });
      const answer = this.answer(item.method, path);
      if ("brokenConnection" in answer) throw new RangeError(`a $batch item cannot break its connection (${path})`);
      return { id: item.id, status: answer.status, headers: answer.headers ?? {}, body: answer.text ?? answer.body };
    });
  }
}

function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

function toResponse(answer: FakeAnswer): Response {
  if ("brokenConnection" in answer) {
    // What undici throws when a kept-alive socket was closed under the request.
    throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
  }
  const text = answer.text ?? (answer.body === undefined ? null : JSON.stringify(answer.body));
  return new Response(answer.status === 204 ? null : text, {
    status: answer.status,
    headers: { "content-type": "application/json", ...answer.headers },
  });
}
