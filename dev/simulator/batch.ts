/**
 * POST {version}/$batch (graph-facts §7): up to 20 requests with relative urls, unique ids, a
 * Content-Type header for any body, dependsOn (a failed dependency → 424). Each item runs through
 * the same auth/fault/throttle/log path as a direct request, so an item can be 429 with
 * Retry-After in its headers while the envelope is 200.
 */
import { GraphFailure, graphErrors, errorBody } from "./errors.js";
import type { ApiVersion } from "./routes/route.js";
import { INVALID_JSON, jsonResponse, type SimRequest, type SimResponse } from "./server/messages.js";
import { isPlainObject, type GraphObject } from "./state/graph-object.js";

export const BATCH_REQUEST_LIMIT = 20;

interface BatchItem {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly dependsOn: readonly string[];
}

/** Headers an item response keeps (the envelope carries request-id and the rest). */
const ITEM_HEADERS = [
  "retry-after",
  "location",
  "x-ms-throttle-scope",
  "x-ms-throttle-information",
  "x-ms-throttle-limit-percentage",
  "x-ms-resource-unit",
];

export async function handleBatch(
  envelope: SimRequest,
  version: ApiVersion,
  runItem: (request: SimRequest) => Promise<SimResponse>,
  now: () => number,
): Promise<SimResponse> {
  const items = readItems(envelope.body);
  const results = new Map<string, Promise<SimResponse>>();
  const responses: GraphObject[] = [];
  const run = async (item: BatchItem): Promise<SimResponse> => {
    const dependencies = await Promise.all(item.dependsOn.map((id) => startedBefore(results, id)));
    const failed = dependencies.some((r) => r.status < 200 || r.status > 299);
    const response = failed ? failedDependency(now) : await runItem(toRequest(item, envelope, version));
    responses.push(toItemResponse(item.id, response));
    return response;
  };
  // Items are started in an order where dependencies come first, so every awaited id exists.
  for (const item of dependencyOrder(items)) results.set(item.id, run(item));
  await Promise.all(results.values());
  return jsonResponse(200, { responses });
}

function startedBefore(results: ReadonlyMap<string, Promise<SimResponse>>, id: string): Promise<SimResponse> {
  const result = results.get(id);
  if (!result) throw new Error(`batch item ${id} was not started before its dependents`); // dependencyOrder guarantees it
  return result;
}

function readItems(body: unknown): BatchItem[] {
  const requests = isPlainObject(body) ? body.requests : undefined;
  if (body === INVALID_JSON || !Array.isArray(requests) || requests.length === 0)
    throw graphErrors.badRequest("Invalid batch payload format.");
  if (requests.length > BATCH_REQUEST_LIMIT) {
    throw graphErrors.badRequest(`The number of requests in the batch (${requests.length}) exceeds the limit of ${BATCH_REQUEST_LIMIT}.`);
  }
  const ids = new Set<string>();
  return requests.map((raw): BatchItem => {
    if (
      !isPlainObject(raw) ||
      typeof raw.id !== "string" ||
      raw.id === "" ||
      typeof raw.method !== "string" ||
      typeof raw.url !== "string"
    ) {
      throw graphErrors.badRequest("Invalid batch payload format: every request needs string 'id', 'method' and 'url'.");
    }
    if (ids.has(raw.id)) throw graphErrors.badRequest(`Batch request ids must be unique; '${raw.id}' appears more than once.`);
    ids.add(raw.id);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(isPlainObject(raw.headers) ? raw.headers : {})) headers[name.toLowerCase()] = String(value);
    if (raw.body !== undefined && headers["content-type"] === undefined) {
      throw graphErrors.badRequest(`Content-Type header must be specified for request '${raw.id}' because it has a body.`);
    }
    const dependsOn = Array.isArray(raw.dependsOn) ? raw.dependsOn.map(String) : [];
    return {
      id: raw.id,
      method: raw.method.toUpperCase(),
      url: raw.url,
      headers,
      dependsOn,
      ...(raw.body !== undefined ? { body: raw.body } : {}),
    };
  });
}

/** Topological order; unknown or circular dependencies make the whole batch a 400. */
function dependencyOrder(items: readonly BatchItem[]): BatchItem[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const ordered: BatchItem[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (item: BatchItem): void => {
    if (state.get(item.id) === "done") return;
    if (state.get(item.id) === "visiting") throw graphErrors.badRequest(`Circular dependsOn involving request '${item.id}'.`);
    state.set(item.id, "visiting");
    for (const id of item.dependsOn) {
      const dependency = byId.get(id);
      if (!dependency) throw graphErrors.badRequest(`Request '${item.id}' depends on unknown request '${id}'.`);
      visit(dependency);
    }
    state.set(item.id, "done");
    ordered.push(item);
  };
  items.forEach(visit);
  return ordered;
}

/** The item as a request of its own: the envelope's credentials, the item's headers and url. */
function toRequest(item: BatchItem, envelope: SimRequest, version: ApiVersion): SimRequest {
  const url = new URL(item.url.replace(/^\/?/, "/"), "https://batch.invalid");
  const segments = url.pathname.split("/").filter((s) => s !== "");
  // The SDK's BatchRequestContent keeps "/v1.0/" in item urls; Graph accepts the batch's own version.
  if (segments[0] === version) segments.shift();
  const authorization = envelope.headers.authorization;
  return {
    method: item.method,
    path: [version, ...segments.map(decodeURIComponent)].join("/"),
    search: url.searchParams,
    headers: { ...(authorization !== undefined ? { authorization } : {}), ...item.headers },
    body:
      typeof item.body === "string" && item.headers["content-type"]?.startsWith("application/json") ? parseOrInvalid(item.body) : item.body,
  };
}

function parseOrInvalid(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON; // answered by the route as Graph's "Unable to read JSON request payload"
  }
}

function failedDependency(now: () => number): SimResponse {
  const failure = new GraphFailure(424, "FailedDependency", "The request could not be completed because a request it depends on failed.");
  return jsonResponse(424, errorBody(failure, { requestId: "", clientRequestId: "", now: now() }));
}

function toItemResponse(id: string, response: SimResponse): GraphObject {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (ITEM_HEADERS.includes(name.toLowerCase())) headers[name] = value;
  }
  const body = response.rawBody ?? response.body;
  // BatchResponseContent only rebuilds JSON when "Content-Type" (this exact case) is present (§7).
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return { id, status: response.status, headers, ...(body !== undefined ? { body } : {}) };
}
