/**
 * One Graph request, direct or a batch item, in Graph's order: token → tenant → faults →
 * route → query options → throttling → handler (licence gates inside) → headers → log.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { authorize } from "../auth/authorization.js";
import { handleBatch } from "../batch.js";
import { errorBody, graphErrors, isGraphFailure, type GraphFailure } from "../errors.js";
import { faultFailure, MALFORMED_JSON_BODY, type Fault } from "../faults.js";
import { parseQueryOptions } from "../odata/query-options.js";
import { API_VERSIONS, type ApiVersion, type RouteContext } from "../routes/route.js";
import { matchRoute } from "../routes/router.js";
import type { TenantState } from "../state/tenant-state.js";
import { throttleCharge } from "../throttling/costs.js";
import type { ThrottleDecision } from "../throttling/throttle-model.js";
import type { SimulatorCore } from "./core.js";
import { GRAPH_JSON_CONTENT_TYPE, hasBody, jsonResponse, type SimRequest, type SimResponse } from "./messages.js";

interface Outcome {
  tenant?: TenantState;
  appId?: string;
  resourceUnits: number;
  throttled: boolean;
  fault?: Fault["type"];
}

export async function handleGraphRequest(core: SimulatorCore, request: SimRequest, batchItem = false): Promise<SimResponse> {
  const requestId = randomUUID();
  const clientRequestId = request.headers["client-request-id"] ?? requestId;
  const startedAt = core.clock.now();
  const outcome: Outcome = { resourceUnits: 0, throttled: false };
  let response: SimResponse;
  try {
    response = await process(core, request, outcome, batchItem);
  } catch (error) {
    response = failureResponse(error, { requestId, clientRequestId, now: core.clock.now() });
  }
  const headers: Record<string, string> = { ...response.headers, "request-id": requestId, "client-request-id": clientRequestId };
  if (outcome.resourceUnits > 0) headers["x-ms-resource-unit"] = String(outcome.resourceUnits);
  if (hasBody(response)) headers["Content-Type"] = GRAPH_JSON_CONTENT_TYPE;
  const final: SimResponse = { ...response, headers };
  const entry = {
    at: startedAt,
    tenantId: outcome.tenant?.id ?? null,
    appId: outcome.appId ?? null,
    method: request.method,
    path: request.path,
    query: Object.fromEntries(request.search),
    status: final.status,
    resourceUnits: outcome.resourceUnits,
    throttled: outcome.throttled,
    batchItem,
    requestId,
    ...(headers["Retry-After"] !== undefined ? { retryAfter: headers["Retry-After"] } : {}),
    ...(headers["x-ms-throttle-scope"] !== undefined ? { throttleScope: headers["x-ms-throttle-scope"] } : {}),
    ...(outcome.fault !== undefined ? { fault: outcome.fault } : {}),
  };
  core.logs.all.record(entry);
  if (outcome.tenant) core.logs.forTenant(outcome.tenant.id).record(entry);
  return final;
}

async function process(core: SimulatorCore, request: SimRequest, outcome: Outcome, batchItem: boolean): Promise<SimResponse> {
  const principal = core.tokens.verify(request.headers.authorization);
  const tenant = core.tenants.get(principal.tenantId);
  if (!tenant) throw graphErrors.invalidToken("Access token validation failure. Invalid issuer: the token's tenant is not hosted here.");
  outcome.tenant = tenant;
  outcome.appId = principal.appId;

  const queryString = [...request.search].map(([name, value]) => `${name}=${value}`).join("&");
  const fault = core.faults.take({ tenantId: tenant.id, method: request.method, path: request.path, query: queryString });
  if (fault) outcome.fault = fault.type;
  if (fault?.type === "status") throw faultFailure(fault);
  if (fault?.type === "intermittent-license") throw graphErrors.nonPremiumTenant();
  if (fault?.type === "malformed-json") return { status: 200, headers: {}, rawBody: MALFORMED_JSON_BODY };
  if (fault?.type === "drop-connection") {
    // A $batch item has no connection of its own: fail loudly (500, logged) instead of a status-0 item.
    if (batchItem) throw new Error("a drop-connection fault matched a $batch item; give the rule a path outside $batch");
    return { status: 0, headers: {}, dropConnection: true };
  }
  if (fault?.type === "delay") await sleep(fault.ms);

  const [version, ...segments] = request.path.split("/").filter((s) => s !== "");
  if (!API_VERSIONS.includes(version as ApiVersion)) throw graphErrors.badRequest(`Invalid version: ${version ?? ""}`);
  if (segments.length === 1 && segments[0] === "$batch") {
    if (batchItem) throw graphErrors.badRequest("A batch request cannot contain another batch request.");
    if (request.method !== "POST") throw graphErrors.methodNotAllowed();
    return handleBatch(
      request,
      version as ApiVersion,
      (item) => handleGraphRequest(core, item, true),
      () => core.clock.now(),
    );
  }

  const match = matchRoute(request.method, version as ApiVersion, segments);
  const query = parseQueryOptions(request.search);
  const ctx: RouteContext = {
    tenant,
    request,
    version: version as ApiVersion,
    params: match.params,
    query,
    advancedQuery: request.headers.consistencylevel?.toLowerCase() === "eventual" && query.count,
    baseUrl: core.baseUrl,
    now: core.clock.now(),
  };
  const charge = throttleCharge(match.route, ctx);
  outcome.resourceUnits = charge.resourceUnits;
  const decision = core.throttle.decide({ tenantId: tenant.id, userCount: tenant.userCount, appId: principal.appId }, charge);
  if (!decision.allowed) {
    outcome.throttled = true;
    throw tooManyRequests(decision);
  }
  authorize(match.route, ctx, principal.roles);
  const response = await match.route.handle(ctx);
  if (decision.limitPercentage !== undefined) {
    return { ...response, headers: { ...response.headers, "x-ms-throttle-limit-percentage": decision.limitPercentage.toFixed(1) } };
  }
  return response;
}

function tooManyRequests(decision: Extract<ThrottleDecision, { allowed: false }>): GraphFailure {
  const headers: Record<string, string> = {
    "x-ms-throttle-scope": decision.scope,
    "x-ms-throttle-information": decision.information,
  };
  if (decision.retryAfterSeconds !== undefined) headers["Retry-After"] = String(decision.retryAfterSeconds);
  return graphErrors.tooManyRequests(headers);
}

function failureResponse(error: unknown, ids: { requestId: string; clientRequestId: string; now: number }): SimResponse {
  if (isGraphFailure(error)) return jsonResponse(error.status, errorBody(error, ids), { ...error.headers });
  // Not a Graph answer but a simulator bug: say so loudly instead of pretending Graph failed.
  console.error("graph simulator: unhandled error", error);
  return jsonResponse(500, errorBody(graphErrors.internal(), ids));
}
