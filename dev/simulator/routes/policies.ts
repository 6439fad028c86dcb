/**
 * policies/identitySecurityDefaultsEnforcementPolicy, policies/authorizationPolicy (singletons,
 * PATCH 204) and identity/conditionalAccess/policies (P1, its own 1 request/s limit, §4), each
 * policy's authentication strength inline as Graph lists it.
 */
import { graphErrors } from "../errors.js";
import { requireConditionalAccessLicense } from "../licensing.js";
import { checkSelect, project } from "../odata/projection.js";
import { emptyResponse, jsonResponse } from "../server/messages.js";
import { AUTHENTICATION_STRENGTHS_KEY, withStrengthInline } from "../state/authentication-strengths.js";
import { AUTHORIZATION_POLICY_KEY, SECURITY_DEFAULTS_KEY } from "../state/defaults.js";
import { serveCollection } from "./collection.js";
import { getById } from "./directory.js";
import { validatePatch } from "./patch-body.js";
import { contextUrl, type Route, type RouteContext } from "./route.js";

const CA_KEY = "v1.0/identity/conditionalAccess/policies";

interface Singleton {
  readonly pattern: string;
  readonly key: string;
  readonly typeName: string;
  readonly resourceName: string;
  /** Graph's @odata.context fragment for the GET (graph-facts §4 shows both shapes). */
  readonly fragment: string;
}

const SINGLETONS: readonly Singleton[] = [
  {
    pattern: "policies/identitySecurityDefaultsEnforcementPolicy",
    key: SECURITY_DEFAULTS_KEY,
    typeName: "identitySecurityDefaultsEnforcementPolicy",
    resourceName: "IdentitySecurityDefaultsEnforcementPolicy",
    fragment: "policies/identitySecurityDefaultsEnforcementPolicy",
  },
  {
    pattern: "policies/authorizationPolicy",
    key: AUTHORIZATION_POLICY_KEY,
    typeName: "authorizationPolicy",
    resourceName: "AuthorizationPolicy",
    fragment: "policies/authorizationPolicy/$entity",
  },
];

function stored(ctx: RouteContext, singleton: Singleton) {
  const object = ctx.tenant.singleton(singleton.key);
  if (!object) throw graphErrors.resourceNotFound(singleton.pattern);
  return object;
}

const singletonRoutes = SINGLETONS.flatMap((singleton): Route[] => [
  {
    method: "GET",
    pattern: singleton.pattern,
    family: "identity",
    handle: (ctx) => {
      checkSelect(ctx.query.select, singleton.typeName);
      const body = project(stored(ctx, singleton), singleton.typeName, ctx.query.select);
      return jsonResponse(200, { "@odata.context": contextUrl(ctx, singleton.fragment), ...body });
    },
  },
  {
    method: "PATCH",
    pattern: singleton.pattern,
    family: "identity",
    handle: (ctx) => {
      const changes = validatePatch(ctx.request.body, {
        typeName: singleton.typeName,
        resourceName: singleton.resourceName,
        readOnly: ["id"],
      });
      ctx.tenant.patch(stored(ctx, singleton), changes);
      return emptyResponse(204);
    },
  },
]);

export const policyRoutes: readonly Route[] = [
  ...singletonRoutes,
  {
    method: "GET",
    pattern: "identity/conditionalAccess/policies",
    family: "conditionalAccess",
    handle: (ctx) => {
      requireConditionalAccessLicense(ctx.tenant);
      const strengths = ctx.tenant.collection(AUTHENTICATION_STRENGTHS_KEY);
      return serveCollection(ctx, {
        items: ctx.tenant.collection(CA_KEY),
        typeName: "conditionalAccessPolicy",
        contextFragment: "identity/conditionalAccess/policies",
        limits: "whole",
        present: (_, projected) =>
          withStrengthInline(projected, strengths, contextUrl(ctx, `identity/conditionalAccess/policies('${String(projected.id)}')`)),
      });
    },
  },
  {
    method: "GET",
    pattern: "identity/conditionalAccess/policies/{id}",
    family: "conditionalAccess",
    handle: (ctx) => {
      requireConditionalAccessLicense(ctx.tenant);
      return getById(ctx, CA_KEY, "conditionalAccessPolicy", "identity/conditionalAccess/policies");
    },
  },
];
