/** groups, servicePrincipals and groups/{id}/members (directoryObjects with @odata.type). */
import { graphErrors } from "../errors.js";
import { DIRECTORY_PAGE_LIMITS } from "../odata/paging.js";
import { project, USER_DEFAULT_PROPERTIES } from "../odata/projection.js";
import { jsonResponse } from "../server/messages.js";
import { idOf, type GraphObject } from "../state/graph-object.js";
import type { TenantState } from "../state/tenant-state.js";
import { checkQuery, contextFragment, serveCollection } from "./collection.js";
import { contextUrl, param, type Route, type RouteContext } from "./route.js";

/**
 * A directory object as Graph returns it inside a polymorphic collection or an $expand:
 * `@odata.type` first, users with their default property set, others whole.
 */
export function presentDirectoryObject(tenant: TenantState, id: string, select?: readonly string[]): GraphObject | null {
  const found = tenant.findDirectoryObject(id);
  if (!found) return null;
  const projected = project(found.object, found.kind, select, found.kind === "user" ? USER_DEFAULT_PROPERTIES : undefined);
  return { "@odata.type": `#microsoft.graph.${found.kind}`, ...projected };
}

/** GET {collection} and GET {collection}/{id} for a plain directory collection. */
function listAndGet(pattern: string, key: string, typeName: string): Route[] {
  return [
    {
      method: "GET",
      pattern,
      family: "identity",
      handle: (ctx) =>
        serveCollection(ctx, { items: ctx.tenant.collection(key), typeName, contextFragment: pattern, limits: DIRECTORY_PAGE_LIMITS }),
    },
    {
      method: "GET",
      pattern: `${pattern}/{id}`,
      family: "identity",
      handle: (ctx) => getById(ctx, key, typeName, pattern),
    },
  ];
}

export function getById(ctx: RouteContext, key: string, typeName: string, fragment: string) {
  checkQuery(ctx, typeName);
  const id = param(ctx, "id");
  const item = ctx.tenant.find(key, id);
  if (!item) throw graphErrors.resourceNotFound(id);
  return jsonResponse(200, {
    "@odata.context": contextUrl(ctx, `${contextFragment(fragment, ctx.query)}/$entity`),
    ...project(item, typeName, ctx.query.select),
  });
}

export const directoryRoutes: readonly Route[] = [
  ...listAndGet("groups", "v1.0/groups", "group"),
  ...listAndGet("servicePrincipals", "v1.0/servicePrincipals", "servicePrincipal"),
  {
    method: "GET",
    pattern: "groups/{id}/members",
    family: "identity",
    baseCost: 3,
    handle: (ctx) => {
      const groupId = param(ctx, "id");
      if (!ctx.tenant.find("v1.0/groups", groupId)) throw graphErrors.resourceNotFound(groupId);
      // Filters see the members' full objects, not just the references the fixture stores.
      const members = ctx.tenant.groupMembers(groupId).map((member) => {
        const found = ctx.tenant.findDirectoryObject(idOf(member));
        return found ? { "@odata.type": `#microsoft.graph.${found.kind}`, ...found.object } : member;
      });
      return serveCollection(ctx, {
        items: members,
        typeName: "directoryObject",
        contextFragment: "directoryObjects",
        limits: DIRECTORY_PAGE_LIMITS,
        // A member the directory knows comes back as the full object; an unknown one as the fixture wrote it.
        present: (member, projected) => presentDirectoryObject(ctx.tenant, idOf(member), ctx.query.select) ?? projected,
      });
    },
  },
];
