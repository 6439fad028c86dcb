/** domains: returned whole (no paging), PATCH of a root domain for password expiry (docs/controls.md password.never-expire). */
import { graphErrors } from "../errors.js";
import { emptyResponse } from "../server/messages.js";
import { serveCollection } from "./collection.js";
import { getById } from "./directory.js";
import { validatePatch } from "./patch-body.js";
import { param, type Route } from "./route.js";

const KEY = "v1.0/domains";

export const domainRoutes: readonly Route[] = [
  {
    method: "GET",
    pattern: "domains",
    family: "identity",
    handle: (ctx) =>
      serveCollection(ctx, { items: ctx.tenant.collection(KEY), typeName: "domain", contextFragment: "domains", limits: "whole" }),
  },
  { method: "GET", pattern: "domains/{id}", family: "identity", handle: (ctx) => getById(ctx, KEY, "domain", "domains") },
  {
    method: "PATCH",
    pattern: "domains/{id}",
    family: "identity",
    handle: (ctx) => {
      const id = param(ctx, "id");
      const domain = ctx.tenant.find(KEY, id);
      if (!domain) throw graphErrors.resourceNotFound(id);
      const changes = validatePatch(ctx.request.body, {
        typeName: "domain",
        resourceName: "Domain",
        readOnly: ["id", "isAdminManaged", "isDefault", "isInitial", "isRoot", "isVerified", "state"],
      });
      // Only a root domain holds settings of its own: Graph refuses the PATCH on a subdomain
      // (KelvinTegelaar/CIPP issue 5381, observed 2026-02) and the domain-update doc allows only
      // verified domains (isRoot is false for both). After the body checks: the simulator's order.
      if (domain.isRoot !== true) throw graphErrors.domainOperationNotAllowed();
      ctx.tenant.patch(domain, changes);
      return emptyResponse(204);
    },
  },
];
