/**
 * How fast a scan may send the Graph requests that count against request-count limits, as pure
 * decisions (the Azure SDK habit: policy apart from the loop). Graph's documented limits
 * (docs/reference/graph-facts.md §6) are the physical floor of a scan; pacing spends them evenly so
 * requests are never refused, instead of collecting 429s and sleeping on Retry-After.
 *
 * Each limit is spent on a GCRA schedule ("virtual scheduling", equivalent to a token bucket):
 * a theoretical arrival time `tat` advances by one interval per request, and a request may start
 * once `now ≥ tat − tolerance`, where the tolerance is the burst the bucket allows. We plan a
 * little below each limit (rate margin, and a reserve of the burst) so that requests arriving
 * late or out of order at Graph still find a token.
 */

/** Limits a scan paces itself under. Identity resource units are not paced: a scan uses a tiny share of them. */
export type PacedLimit =
  /** reports family (userRegistrationDetails, signInActivity, auditLogs…) per app per tenant. */
  | "reports"
  /** GET users with signInActivity, per tenant. */
  | "signInActivity"
  /**
   * Our own split of the per-tenant reports limit: requests that are not sign-in pages get what the
   * sign-in pages leave, so the sign-in pages (a large tenant's critical path) never queue behind
   * them.
   */
  | "reportsBesideSignIn"
  /** Conditional Access, per tenant (its 429s carry no Retry-After). */
  | "conditionalAccess"
  /** reports family per app across all tenants: shared by every scan in the process. */
  | "reportsPerApp";

export interface RequestLimit {
  readonly requests: number;
  readonly windowInMs: number;
}

/** Graph's documented request-count limits (learn throttling-limits, 2026-02). */
export const GRAPH_REQUEST_LIMITS = {
  reportsPerTenant: { requests: 5, windowInMs: 10_000 },
  reportsPerApp: { requests: 122, windowInMs: 10_000 },
  signInActivityPerTenant: { requests: 10, windowInMs: 60_000 },
  conditionalAccessPerTenant: { requests: 1, windowInMs: 1_000 },
} as const satisfies Record<string, RequestLimit>;

export interface PacingOptions {
  /** Multiplies every window: 1 against Graph, the simulator's time scale against it. */
  readonly timeScale?: number;
  /**
   * This process's share of the app-wide reports limit (requests per 10 s). 122 is the whole
   * limit: with several instances scanning at once, give each its share (GRAPH_REPORTS_BUDGET_PER_10S).
   */
  readonly reportsPerAppPer10s?: number;
  /** Plan this fraction below each limit's rate. */
  readonly rateMargin?: number;
  /** Leave this fraction of each burst unused (at least one request when the burst is above one). */
  readonly burstReserve?: number;
}

export const DEFAULT_PACING_OPTIONS: Required<PacingOptions> = {
  timeScale: 1,
  reportsPerAppPer10s: GRAPH_REQUEST_LIMITS.reportsPerApp.requests,
  rateMargin: 0.02,
  burstReserve: 0.1,
};

/** A limit as we plan it: one request per `intervalInMs`, up to `burst` back to back after a pause. */
export interface PaceSchedule {
  readonly intervalInMs: number;
  readonly burst: number;
}

/** Where a schedule stands: the theoretical arrival time of its next request (epoch ms). */
export interface PaceState {
  readonly tatInMs: number;
}

export const IDLE: PaceState = { tatInMs: 0 };

/**
 * A limit as planned. `shared`: several requests may be in flight under it at once (they can reach
 * Graph out of order), so part of the burst is kept in reserve; a limit only one sequential stream
 * uses (a tenant's sign-in pages) needs no reserve, since its requests arrive in order and late.
 */
export function scheduleFor(limit: RequestLimit, options: PacingOptions = {}, shared = true): PaceSchedule {
  const o = { ...DEFAULT_PACING_OPTIONS, ...options };
  if (!(limit.requests >= 1) || !(limit.windowInMs > 0)) throw new RangeError(`Invalid request limit: ${JSON.stringify(limit)}`);
  if (!(o.timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${o.timeScale}`);
  const reserve = shared && limit.requests > 1 ? Math.max(1, Math.ceil(limit.requests * o.burstReserve)) : 0;
  return {
    intervalInMs: ((limit.windowInMs * o.timeScale) / limit.requests) * (1 + o.rateMargin),
    burst: Math.max(1, Math.floor(limit.requests) - reserve),
  };
}

/** Every paced limit's schedule for the given options. */
export function paceSchedules(options: PacingOptions = {}): Readonly<Record<PacedLimit, PaceSchedule>> {
  const o = { ...DEFAULT_PACING_OPTIONS, ...options };
  const { reportsPerTenant, signInActivityPerTenant, conditionalAccessPerTenant } = GRAPH_REQUEST_LIMITS;
  const reports = scheduleFor(reportsPerTenant, o);
  // One users listing per tenant scan reads the sign-in pages, one page after the other.
  const signIn = scheduleFor(signInActivityPerTenant, o, false);
  // Requests per ms the reports limit leaves once sign-in pages take theirs.
  const besideRate = 1 / reports.intervalInMs - 1 / signIn.intervalInMs;
  return {
    reports,
    signInActivity: signIn,
    reportsBesideSignIn: { intervalInMs: 1 / besideRate, burst: Math.max(1, reports.burst - 1) },
    conditionalAccess: scheduleFor(conditionalAccessPerTenant, o),
    reportsPerApp: scheduleFor({ requests: o.reportsPerAppPer10s, windowInMs: 10_000 }, o),
  };
}

export type PacePriority = "critical" | "normal";

/** What one request must wait for: its tenant's limits, and whether it takes from the app-wide budget. */
export interface PaceClass {
  readonly tenantLimits: readonly Exclude<PacedLimit, "reportsPerApp">[];
  readonly perApp: boolean;
  /** Sign-in pages are a large tenant's critical path: they go first in the app-wide queue. */
  readonly priority: PacePriority;
}

export const UNPACED: PaceClass = { tenantLimits: [], perApp: false, priority: "normal" };

const VERSIONED_PATH = /^\/?(?:v1\.0|beta)\/(.*)$/i;

/**
 * Which limits a request counts against, from its method and URL (absolute, or relative to the
 * Graph root). Mirrors graph-facts §6: users with signInActivity in $select or $filter count as
 * reports and sign-in activity; reports/ and auditLogs/ as reports; identity/conditionalAccess/
 * against its own limit. Everything else (identity resource units, $batch) is not paced.
 */
export function paceClassOf(method: string, url: string): PaceClass {
  const parsed = new URL(url, "https://graph.invalid/");
  const match = VERSIONED_PATH.exec(decodeURIComponent(parsed.pathname));
  const path = (match?.[1] ?? parsed.pathname.replace(/^\//, "")).toLowerCase();
  if (method.toUpperCase() !== "GET") return UNPACED;
  const segments = path.split("/").filter((s) => s !== "");
  const [first, second] = segments;
  if (first === "users" && segments.length <= 2 && mentionsSignInActivity(parsed.searchParams)) {
    return { tenantLimits: ["signInActivity", "reports"], perApp: true, priority: "critical" };
  }
  if (first === "reports" || first === "auditlogs")
    return { tenantLimits: ["reportsBesideSignIn", "reports"], perApp: true, priority: "normal" };
  if (first === "identity" && second === "conditionalaccess")
    return { tenantLimits: ["conditionalAccess"], perApp: false, priority: "normal" };
  return UNPACED;
}

function mentionsSignInActivity(query: URLSearchParams): boolean {
  for (const [key, value] of query) {
    const name = key.toLowerCase().replace(/^\$/, "");
    if ((name === "select" || name === "filter") && value.toLowerCase().includes("signinactivity")) return true;
  }
  return false;
}

/** Earliest instant a request may start under one schedule. */
export function availableAt(schedule: PaceSchedule, state: PaceState): number {
  return state.tatInMs - (schedule.burst - 1) * schedule.intervalInMs;
}

/** The state after a request starts at `startInMs` (never before availableAt). */
export function take(schedule: PaceSchedule, state: PaceState, startInMs: number): PaceState {
  return { tatInMs: Math.max(state.tatInMs, startInMs) + schedule.intervalInMs };
}

export interface Reservation {
  /** When the request may start: now, or later. */
  readonly startInMs: number;
  /** The schedules' states once the request is booked, in the order given. */
  readonly states: readonly PaceState[];
}

/**
 * Books the earliest start at or after `nowInMs` that every schedule allows, for a request that
 * counts against all of them; the request then waits until `startInMs`.
 */
export function reserve(entries: readonly { readonly schedule: PaceSchedule; readonly state: PaceState }[], nowInMs: number): Reservation {
  const startInMs = Math.max(nowInMs, ...entries.map((e) => availableAt(e.schedule, e.state)));
  return { startInMs, states: entries.map((e) => take(e.schedule, e.state, startInMs)) };
}

/**
 * After Graph refused a request anyway (429): nothing under this schedule starts before
 * `untilInMs`, and then only one request at a time until the burst has refilled.
 */
export function holdUntil(schedule: PaceSchedule, state: PaceState, untilInMs: number): PaceState {
  return { tatInMs: Math.max(state.tatInMs, untilInMs + (schedule.burst - 1) * schedule.intervalInMs) };
}
