/** roleManagement/directory: active assignments and PIM eligibility (P2), with $expand=principal. */
import { requireP2 } from "../licensing.js";
import { DIRECTORY_PAGE_LIMITS } from "../odata/paging.js";
import type { GraphObject } from "../state/graph-object.js";
import type { TenantState } from "../state/tenant-state.js";
import { serveCollection } from "./collection.js";
import { getById, presentDirectoryObject } from "./directory.js";
import type { Route, RouteContext } from "./route.js";

const EXPANDABLE = ["principal"];

function withPrincipal(ctx: RouteContext, tenant: TenantState) {
  const expand = ctx.query.expand.find((e) => e.name === "principal");
  if (!expand) return undefined;
  return (item: GraphObject, projected: GraphObject): GraphObject => ({
    ...projected,
    // A deleted principal expands to null, as Graph does for a dangling reference.
    principal: presentDirectoryObject(tenant, typeof item.principalId === "string" ? item.principalId : "", expand.select),
  });
}

function roleCollection(pattern: string, key: string, typeName: string, gate?: (t: TenantState) => void): Route[] {
  const fragment = `roleManagement/directory/${pattern}`;
  return [
    {
      method: "GET",
      pattern: fragment,
      family: "identity",
      handle: (ctx) => {
        gate?.(ctx.tenant);
        const present = withPrincipal(ctx, ctx.tenant);
        return serveCollection(ctx, {
          items: ctx.tenant.collection(key),
          typeName,
          contextFragment: fragment,
          limits: DIRECTORY_PAGE_LIMITS,
          expandable: EXPANDABLE,
          ...(present ? { present } : {}),
        });
      },
    },
    {
      method: "GET",
      pattern: `${fragment}/{id}`,
      family: "identity",
      handle: (ctx) => {
        gate?.(ctx.tenant);
        return getById(ctx, key, typeName, fragment);
      },
    },
  ];
}

export const roleRoutes: readonly Route[] = [
  ...roleCollection("roleAssignments", "v1.0/roleManagement/directory/roleAssignments", "unifiedRoleAssignment"),
  ...roleCollection(
    "roleEligibilitySchedules",
    "v1.0/roleManagement/directory/roleEligibilitySchedules",
    "unifiedRoleEligibilitySchedule",
    requireP2,
  ),
];
