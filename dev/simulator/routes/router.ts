/** Finds the route for a method and path, or Graph's 400 naming the first unknown segment. */
import { graphErrors } from "../errors.js";
import { authenticationMethodRoutes } from "./authentication-methods.js";
import { authenticationRequirementRoutes } from "./authentication-requirements.js";
import { directoryRoutes } from "./directory.js";
import { domainRoutes } from "./domains.js";
import { mailRoutes } from "./mail.js";
import { policyRoutes } from "./policies.js";
import { reportRoutes } from "./reports.js";
import { roleRoutes } from "./roles.js";
import { API_VERSIONS, type ApiVersion, type Route } from "./route.js";
import { userRoutes } from "./users.js";

export const ROUTES: readonly Route[] = [
  ...userRoutes,
  ...directoryRoutes,
  ...roleRoutes,
  ...reportRoutes,
  ...policyRoutes,
  ...domainRoutes,
  ...authenticationRequirementRoutes,
  ...authenticationMethodRoutes,
  ...mailRoutes,
];

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
}

const COMPILED: readonly CompiledRoute[] = ROUTES.map((route) => ({ route, segments: route.pattern.split("/") }));

export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

const isParameter = (segment: string): boolean => segment.startsWith("{");

/** How many leading segments of `path` the pattern accepts (Graph paths are case-insensitive). */
function matchedLength(pattern: readonly string[], path: readonly string[]): number {
  let n = 0;
  while (n < pattern.length && n < path.length) {
    const expected = pattern[n] ?? "";
    if (!isParameter(expected) && expected.toLowerCase() !== (path[n] ?? "").toLowerCase()) break;
    n++;
  }
  return n;
}

/** `segments`: the decoded path after the version, e.g. ["users", "abc"]. */
export function matchRoute(method: string, version: ApiVersion, segments: readonly string[]): RouteMatch {
  const candidates = COMPILED.filter((c) => (c.route.versions ?? API_VERSIONS).includes(version));
  const full = candidates.filter((c) => c.segments.length === segments.length && matchedLength(c.segments, segments) === segments.length);
  if (full.length === 0) {
    const longest = Math.max(0, ...candidates.map((c) => matchedLength(c.segments, segments)));
    throw graphErrors.segmentNotFound(segments[Math.min(longest, segments.length - 1)] ?? "");
  }
  // A literal segment beats a parameter ("users/{id}" never shadows a longer literal route).
  const literalCount = (c: CompiledRoute): number => c.segments.filter((s) => !isParameter(s)).length;
  const byMethod = full.filter((c) => c.route.method === method).sort((a, b) => literalCount(b) - literalCount(a));
  const chosen = byMethod[0];
  if (!chosen) throw graphErrors.methodNotAllowed();
  const params: Record<string, string> = {};
  chosen.segments.forEach((segment, i) => {
    if (isParameter(segment)) params[segment.slice(1, -1)] = segments[i] ?? "";
  });
  return { route: chosen.route, params };
}
