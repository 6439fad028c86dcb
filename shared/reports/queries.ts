/**
 * What the reports read, and nothing more: the overview reads the summary rows (one query per 1,000
 * tenants, never a finding), the findings API one page of one tenant's partition at a time, the
 * tenant report one tenant's rows. Paging hands the client an opaque token that wraps the table's
 * own continuation and the query it belongs to: the table's token names the next key to read, so
 * rows written by a sweep while a client pages are neither lost nor repeated. Every read filters on
 * the tenant's partition, so a forged table token finds nothing of another tenant; one of the wrong
 * shape is refused by the storage layer (storage/operations.ts).
 */
import { createHash } from "node:crypto";
import type { ControlId } from "../model/findings.js";
import {
  acceptanceIndex,
  findingKey,
  type Acceptance,
  type AcceptanceIndex,
  type FindingEvent,
  type StoredFinding,
} from "../model/stored.js";
import type { AcceptancesRepository } from "../storage/acceptances.js";
import type { AuditEntry, AuditRepository } from "../storage/audit.js";
import type { FindingEventsRepository } from "../storage/findingEvents.js";
import type { FindingQuery, FindingsRepository } from "../storage/findings.js";
import type { SummariesRepository } from "../storage/summaries.js";
import type { TenantsRepository } from "../storage/tenants.js";
import type { OverviewTenant, WorkDoneRow } from "../views/report-inputs.js";
import { isOpenFinding } from "../model/stored.js";
import { ContinuationError } from "../storage/operations.js";

export { ContinuationError };

/** The events API's window when the client gives no `since`. */
const DEFAULT_EVENTS_DAYS = 30;
/** The CSV reads the service's largest page: 20,000 findings in 20 requests. */
const EXPORT_PAGE_SIZE = 1000;

/** The findings API's `status`: a stored status, or where the finding stands in the risk register. */
export const FINDING_FILTERS = ["fail", "unknown", "pass", "open", "accepted", "resolved"] as const;
export type FindingFilter = (typeof FINDING_FILTERS)[number];

export interface FindingsRequest {
  readonly control?: ControlId;
  readonly status?: FindingFilter;
  readonly since?: Date;
  readonly pageSize: number;
  /** The previous page's `continuation`, as the client got it. */
  readonly continuation?: string;
}

export interface ReportedFinding {
  readonly finding: StoredFinding;
  readonly acceptance: Acceptance | undefined;
}

export interface Page<T> {
  readonly items: T[];
  /** Undefined on the last page. */
  readonly continuation: string | undefined;
}

export interface ReportQueryDeps {
  readonly tenants: Pick<TenantsRepository, "list">;
  readonly summaries: Pick<SummariesRepository, "list" | "get">;
  readonly findings: Pick<FindingsRepository, "page" | "listForTenant">;
  readonly acceptances: Pick<AcceptancesRepository, "listForTenant">;
  readonly events: Pick<FindingEventsRepository, "listSince" | "listForRun">;
  readonly audit: Pick<AuditRepository, "listForTenant">;
}

/** Every registered tenant with its summary: two listings, whatever the number of findings. */
export async function fleet(deps: ReportQueryDeps, reaches: (tenantId: string) => boolean): Promise<OverviewTenant[]> {
  const [tenants, summaries] = await Promise.all([deps.tenants.list(), deps.summaries.list()]);
  const byTenant = new Map(summaries.map((s) => [s.tenantId, s]));
  return tenants
    .filter((t) => reaches(t.tenantId))
    .map((t) => ({ tenantId: t.tenantId, displayName: t.displayName, summary: byTenant.get(t.tenantId) }));
}

/** The acceptances of `tenantId` in force at `now`. */
export async function acceptancesInForce(deps: Pick<ReportQueryDeps, "acceptances">, tenantId: string, now: Date): Promise<Acceptance[]> {
  return (await deps.acceptances.listForTenant(tenantId)).map((s) => s.acceptance).filter((a) => a.expiresAt > now);
}

/** One page of a tenant's findings, filtered as asked, in key order. */
export async function findingsPage(
  deps: ReportQueryDeps,
  tenantId: string,
  request: FindingsRequest,
  now: Date,
): Promise<Page<ReportedFinding>> {
  const accepted = acceptanceIndex(await acceptancesInForce(deps, tenantId, now));
  return pageOfFindings(deps, tenantId, request, accepted);
}

/** Every finding the request selects (all pages, the acceptances read once): the CSV export. */
export async function allFindings(
  deps: ReportQueryDeps,
  tenantId: string,
  request: Omit<FindingsRequest, "continuation" | "pageSize">,
  now: Date,
): Promise<ReportedFinding[]> {
  const accepted = acceptanceIndex(await acceptancesInForce(deps, tenantId, now));
  const items: ReportedFinding[] = [];
  let continuation: string | undefined;
  do {
    const page = await pageOfFindings(
      deps,
      tenantId,
      { ...request, pageSize: EXPORT_PAGE_SIZE, ...(continuation ? { continuation } : {}) },
      accepted,
    );
    items.push(...page.items);
    continuation = page.continuation;
  } while (continuation !== undefined);
  return items;
}

async function pageOfFindings(
  deps: ReportQueryDeps,
  tenantId: string,
  request: FindingsRequest,
  accepted: AcceptanceIndex,
): Promise<Page<ReportedFinding>> {
  const query = fingerprint(["findings", tenantId, request.control ?? null, request.status ?? null, request.since?.toISOString() ?? null]);
  const from = request.continuation === undefined ? undefined : unwrap(request.continuation, query);
  const page = await deps.findings.page(tenantId, tableQuery(request), {
    pageSize: request.pageSize,
    ...(from ? { continuation: from.table } : {}),
  });
  const items = page.findings
    .map((finding) => ({ finding, acceptance: accepted.get(findingKey(finding)) }))
    .filter((item) => matches(item, request.status));
  return { items, continuation: page.continuation === undefined ? undefined : wrap({ query, table: page.continuation }) };
}

export interface EventsRequest {
  /** Default: DEFAULT_EVENTS_DAYS before now, fixed at the first page (the token carries it on). */
  readonly since?: Date;
  readonly pageSize: number;
  readonly continuation?: string;
}

/** One page of a tenant's events from `since` on, oldest first. */
export async function eventsPage(deps: ReportQueryDeps, tenantId: string, request: EventsRequest, now: Date): Promise<Page<FindingEvent>> {
  // The window's start is data, not part of the query's identity: without `since`, page two must read the same window as page one.
  const query = fingerprint(["events", tenantId, request.since?.toISOString() ?? null]);
  const from = request.continuation === undefined ? undefined : unwrap(request.continuation, query);
  const since = from?.since ?? request.since ?? new Date(now.getTime() - DEFAULT_EVENTS_DAYS * 86_400_000);
  const page = await deps.events.listSince(tenantId, since, { pageSize: request.pageSize, ...(from ? { continuation: from.table } : {}) });
  const next = page.continuation === undefined ? undefined : wrap({ query, table: page.continuation, since });
  return { items: page.events, continuation: next };
}

/** Every event from `since` on (all pages): the CSV export. */
export async function allEvents(deps: ReportQueryDeps, tenantId: string, since: Date | undefined, now: Date): Promise<FindingEvent[]> {
  const events: FindingEvent[] = [];
  let continuation: string | undefined;
  do {
    const page = await eventsPage(
      deps,
      tenantId,
      { ...(since ? { since } : {}), pageSize: EXPORT_PAGE_SIZE, ...(continuation ? { continuation } : {}) },
      now,
    );
    events.push(...page.items);
    continuation = page.continuation;
  } while (continuation !== undefined);
  return events;
}

/** Remediations by action and outcome (undo attempts as `undo <action>`), from the tenant's latest audit rows. */
export async function workDone(deps: Pick<ReportQueryDeps, "audit">, tenantId: string, limit = 500): Promise<WorkDoneRow[]> {
  const rows = await deps.audit.listForTenant(tenantId, { limit });
  const groups = new Map<string, { action: string; outcome: string; count: number; last: Date }>();
  for (const row of rows) {
    const action = actionLabel(row);
    const key = JSON.stringify([action, row.outcome]);
    const group = groups.get(key) ?? { action, outcome: row.outcome, count: 0, last: row.at };
    group.count += 1;
    if (row.at > group.last) group.last = row.at;
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => a.action.localeCompare(b.action) || a.outcome.localeCompare(b.outcome))
    .map((g) => ({ action: g.action, outcome: g.outcome, count: g.count, last: g.last.toISOString() }));
}

function actionLabel(row: AuditEntry): string {
  const action = row.action ?? "unknown action";
  return row.mode === "undo" ? `undo ${action}` : action;
}

function tableQuery(request: FindingsRequest): FindingQuery {
  const status: FindingQuery["status"] =
    request.status === "open" || request.status === "accepted" ? "open" : request.status === "resolved" ? "pass" : request.status;
  return {
    ...(request.control ? { control: request.control } : {}),
    ...(status ? { status } : {}),
    ...(request.since ? { seenSince: request.since } : {}),
  };
}

function matches(item: ReportedFinding, status: FindingFilter | undefined): boolean {
  switch (status) {
    case "open":
      return isOpenFinding(item.finding) && item.acceptance === undefined;
    case "accepted":
      return isOpenFinding(item.finding) && item.acceptance !== undefined;
    case "resolved":
      return item.finding.resolvedAt !== null;
    default:
      return true;
  }
}

/** Ties a token to its query: a token reused with other filters or another tenant would skip or repeat rows. */
function fingerprint(query: readonly (string | null)[]): string {
  return createHash("sha256").update(JSON.stringify(query)).digest("base64url").slice(0, 16);
}

/** Where a listing continues: the table's token, the query it belongs to, and (events) the window's start. */
interface Position {
  readonly query: string;
  readonly table: string;
  readonly since?: Date;
}

function wrap(position: Position): string {
  const { query, table, since } = position;
  return Buffer.from(JSON.stringify({ v: 1, q: query, t: table, ...(since ? { s: since.toISOString() } : {}) }), "utf8").toString(
    "base64url",
  );
}

function unwrap(token: string, query: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw new ContinuationError("is not a continuation token this API issued");
  }
  const { v, q, t, s } = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const since = typeof s === "string" ? new Date(s) : undefined;
  if (v !== 1 || typeof t !== "string" || typeof q !== "string" || (s !== undefined && !(since && Number.isFinite(since.getTime())))) {
    throw new ContinuationError("is not a continuation token this API issued");
  }
  if (q !== query) throw new ContinuationError("belongs to another query: keep the same filters while paging, or start again without it");
  return { query: q, table: t, ...(since ? { since } : {}) };
}
