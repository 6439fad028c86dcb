/** users: list, get by id or UPN, PATCH, revokeSignInSessions (graph-facts §1, §5). */
import { isGuid } from "../../../shared/model/ids.js";
import { graphErrors } from "../errors.js";
import { requirePremium } from "../licensing.js";
import { DIRECTORY_PAGE_LIMITS, type PageLimits } from "../odata/paging.js";
import { project, USER_DEFAULT_PROPERTIES } from "../odata/projection.js";
import { mentionsProperty } from "../odata/query-options.js";
import { emptyResponse, jsonResponse } from "../server/messages.js";
import type { GraphObject } from "../state/graph-object.js";
import { checkQuery, contextFragment, serveCollection } from "./collection.js";
import { validatePatch } from "./patch-body.js";
import { contextUrl, param, type Route, type RouteContext } from "./route.js";

/** With signInActivity selected or filtered, Graph caps pages at 500 (docs-contrib #9591). */
const SIGN_IN_ACTIVITY_PAGE_LIMITS: PageLimits = { defaultSize: 100, maxSize: 500 };

/** Set by the service, never by a PATCH. */
const READ_ONLY = [
  "id",
  "createdDateTime",
  "deletedDateTime",
  "signInActivity",
  "signInSessionsValidFromDateTime",
  "lastPasswordChangeDateTime",
  "assignedPlans",
  "provisionedPlans",
  "proxyAddresses",
  "onPremisesSyncEnabled",
  "onPremisesLastSyncDateTime",
  "onPremisesSecurityIdentifier",
  "securityIdentifier",
];

/** Properties mastered on-premises for synced users (Entra refuses cloud edits). */
const ON_PREMISES_MASTERED = [
  "accountEnabled",
  "displayName",
  "givenName",
  "surname",
  "userPrincipalName",
  "mail",
  "mailNickname",
  "jobTitle",
];

export function requireUser(ctx: RouteContext): GraphObject {
  const id = param(ctx, "id");
  const user = ctx.tenant.findUser(id);
  if (!user) throw graphErrors.resourceNotFound(id);
  return user;
}

function usesSignInActivity(ctx: RouteContext): boolean {
  return mentionsProperty(ctx.query, "signInActivity");
}

export const userRoutes: readonly Route[] = [
  {
    method: "GET",
    pattern: "users",
    family: "identity",
    baseCost: 2,
    extraLimits: (ctx) => (usesSignInActivity(ctx) ? ["reports", "signInActivity"] : []),
    handle: (ctx) => {
      const signIn = usesSignInActivity(ctx);
      if (signIn) requirePremium(ctx.tenant);
      return serveCollection(ctx, {
        items: ctx.tenant.collection("v1.0/users"),
        typeName: "user",
        contextFragment: "users",
        limits: signIn ? SIGN_IN_ACTIVITY_PAGE_LIMITS : DIRECTORY_PAGE_LIMITS,
        defaultSelect: USER_DEFAULT_PROPERTIES,
      });
    },
  },
  {
    method: "GET",
    pattern: "users/{id}",
    family: "identity",
    baseCost: 2,
    extraLimits: (ctx) => (usesSignInActivity(ctx) ? ["reports", "signInActivity"] : []),
    handle: (ctx) => {
      checkQuery(ctx, "user");
      if (usesSignInActivity(ctx)) {
        // Sign-in activity is looked up by object id only: a UPN key is a 400 (errors.ts).
        if (!isGuid(param(ctx, "id"))) throw graphErrors.signInActivityNeedsObjectId();
        requirePremium(ctx.tenant);
      }
      const user = requireUser(ctx);
      const body = {
        "@odata.context": contextUrl(ctx, `${contextFragment("users", ctx.query)}/$entity`),
        ...project(user, "user", ctx.query.select, USER_DEFAULT_PROPERTIES),
      };
      return jsonResponse(200, body);
    },
  },
  {
    method: "PATCH",
    pattern: "users/{id}",
    family: "identity",
    handle: (ctx) => {
      const user = requireUser(ctx);
      const changes = validatePatch(ctx.request.body, { typeName: "user", resourceName: "User", readOnly: READ_ONLY });
      if (user.onPremisesSyncEnabled === true && Object.keys(changes).some((p) => ON_PREMISES_MASTERED.includes(p))) {
        throw graphErrors.requestBadRequest(
          "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
        );
      }
      ctx.tenant.patch(user, changes);
      return emptyResponse(204);
    },
  },
  {
    method: "POST",
    pattern: "users/{id}/revokeSignInSessions",
    family: "identity",
    handle: (ctx) => {
      const user = requireUser(ctx);
      // Graph resets the session validity instant; tokens issued before it stop working.
      ctx.tenant.patch(user, { signInSessionsValidFromDateTime: new Date(ctx.now).toISOString().replace(/\.\d{3}Z$/, "Z") });
      return jsonResponse(200, { "@odata.context": contextUrl(ctx, "Edm.Boolean"), value: true });
    },
  },
];
