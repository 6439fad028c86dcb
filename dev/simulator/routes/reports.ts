/** reports/authenticationMethods/userRegistrationDetails: P1/P2 only, reports throttling (§2, §6). */
import { requirePremium } from "../licensing.js";
import { DIRECTORY_PAGE_LIMITS } from "../odata/paging.js";
import { serveCollection } from "./collection.js";
import { getById } from "./directory.js";
import type { Route } from "./route.js";

const PATTERN = "reports/authenticationMethods/userRegistrationDetails";
const KEY = `v1.0/${PATTERN}`;

export const reportRoutes: readonly Route[] = [
  {
    method: "GET",
    pattern: PATTERN,
    family: "reports",
    handle: (ctx) => {
      requirePremium(ctx.tenant);
      // The maximum page size is undocumented; clients send 999 or 500 (graph-facts §2).
      return serveCollection(ctx, {
        items: ctx.tenant.collection(KEY),
        typeName: "userRegistrationDetails",
        contextFragment: PATTERN,
        limits: DIRECTORY_PAGE_LIMITS,
      });
    },
  },
  {
    method: "GET",
    pattern: `${PATTERN}/{id}`,
    family: "reports",
    handle: (ctx) => {
      requirePremium(ctx.tenant);
      return getById(ctx, KEY, "userRegistrationDetails", PATTERN);
    },
  },
];
