/**
 * The `report-1000` scenario (issue 13): what the fleet overview and `GET /api/tenants` cost with
 * 1,000 tenants' findings stored, against the naive overview that reads every finding of every
 * tenant (measured in the same run), and what the CSV of the largest tenant costs. It runs in this
 * process against the scenario's own Azurite, without Graph or a scan: the rows are written as a
 * sweep leaves them (findings in 100-row transactions, each tenant's summary row as a scan's end
 * computes it with summarize()).
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { TableClient } from "@azure/data-tables";
import pLimit from "p-limit";
import type { AzuriteInstance } from "../dev/azurite.js";
import { Prng } from "../dev/fixtures/prng.js";
import { CONTROLS } from "../shared/controls/index.js";
import type { ControlId, FindingDetail, FindingStatus } from "../shared/model/findings.js";
import type { Acceptance, StoredFinding } from "../shared/model/stored.js";
import { TREND_RUNS, type LastRun, type TrendPoint } from "../shared/model/summary.js";
import { findingsCsv } from "../shared/reports/csv.js";
import { acceptancesInForce, allFindings, fleet, type ReportQueryDeps } from "../shared/reports/queries.js";
import { summarize } from "../shared/reports/summary.js";
import { TableAcceptancesRepository } from "../shared/storage/acceptances.js";
import { TableAuditRepository } from "../shared/storage/audit.js";
import { TableStore } from "../shared/storage/connection.js";
import { TableFindingEventsRepository } from "../shared/storage/findingEvents.js";
import { TableFindingsRepository } from "../shared/storage/findings.js";
import { runIdAt } from "../shared/storage/keys.js";
import { TableSummariesRepository } from "../shared/storage/summaries.js";
import { TableTenantsRepository } from "../shared/storage/tenants.js";
import type { OverviewTenant } from "../shared/views/report-inputs.js";
import { cpuSecondsOf } from "./children.js";
import { aligned, int, ratio } from "./format.js";
import { cpuSince, seedTenants } from "./worker-common.js";

export interface ReportScenario {
  readonly name: string;
  readonly what: string;
  readonly tenants: number;
  /** Findings of the largest tenant; the others have 50 to 200. */
  readonly largestFindings: number;
}

/** One kind of page view, measured a few times: medians, and what one view sent and read. */
export interface ViewFigures {
  readonly repetitions: number;
  /** Real time in this process from the first table request to the body in memory. */
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Azurite's CPU during the view: on 2 shared cores, most of the wall time of a query-heavy view. */
  readonly azuriteCpuMs: number;
  /** HTTP requests to Table Storage (each retry counted). */
  readonly requests: number;
  /** Of the response body. */
  readonly bytes: number;
}

export interface ReportFigures {
  readonly tenants: number;
  readonly findingRows: number;
  readonly largestTenant: { readonly tenantId: string; readonly findings: number };
  readonly seedSeconds: number;
  /** `GET /api/tenants` as served: fleet() (tenants and summary rows) and the JSON body. */
  readonly overview: ViewFigures;
  /** The same body from every tenant's findings and acceptances, summarised on each view. Absent with --skip-baseline. */
  readonly baseline?: ViewFigures;
  /** The largest tenant's CSV as `?format=csv` serves it (1,000 rows a page, the acceptances read once). */
  readonly csv: ViewFigures;
}

export interface ReportResult {
  readonly name: string;
  readonly what: string;
  readonly figures: ReportFigures;
}

const SEED_CONCURRENCY = 8;
/** Tenants the naive overview reads at once (unbounded would be 1,000 queries in flight). */
const NAIVE_CONCURRENCY = 16;
/**
 * Runs of each view (medians are printed). The naive overview runs once: Azurite scans its whole
 * table for every query (145,000 rows, about 55 ms a query on this machine), so one run takes a
 * minute where Table Storage reads only the partition.
 */
const REPETITIONS = { overview: 5, baseline: 1, csv: 3 } as const;
/** Tenant-level rows every tenant has (one per control judged for the whole tenant). */
const TENANT_LEVEL: readonly ControlId[] = [
  "mfa.all-users",
  "auth.legacy-blocked",
  "password.sspr-enabled",
  "apps.user-consent",
  "roles.global-admin-count",
];
const SEVERITY = new Map(CONTROLS.map((c) => [c.id, c.severity]));

export function reportScenario(quick: boolean): ReportScenario {
  const tenants = quick ? 100 : 1_000;
  const largestFindings = quick ? 2_000 : 20_000;
  return {
    name: `report-${tenants}`,
    what: `${tenants.toLocaleString("en-US")} tenants' findings (50 to 200 each, one with ${largestFindings.toLocaleString("en-US")}) and summary rows: overview and the largest tenant's CSV`,
    tenants,
    largestFindings,
  };
}

export async function runReportScenario(
  scenario: ReportScenario,
  azurite: AzuriteInstance,
  options: { readonly asOf: Date; readonly skipBaseline: boolean; readonly progress: (line: string) => void },
): Promise<ReportFigures> {
  const store = new CountingTableStore({ connectionString: azurite.connectionString }, { tableNamePrefix: "report" });
  const deps = reportDeps(store);
  const started = performance.now();
  options.progress(`  seeding ${scenario.tenants.toLocaleString("en-US")} tenants' findings and summary rows`);
  const seeded = await seedFleet(deps, scenario, options.asOf);
  const seedSeconds = (performance.now() - started) / 1000;
  options.progress(`  seeded ${seeded.findingRows.toLocaleString("en-US")} findings in ${seedSeconds.toFixed(0)} s; measuring`);
  const now = options.asOf;
  const measure = (repetitions: number, view: () => Promise<string>) => measureView(store, azurite, repetitions, view);
  const overview = await measure(REPETITIONS.overview, async () => tenantsBody(await fleet(deps, () => true)));
  const baseline = options.skipBaseline
    ? undefined
    : await measure(REPETITIONS.baseline, async () => tenantsBody(await naiveFleet(deps, now)));
  const csv = await measure(REPETITIONS.csv, async () => findingsCsv(await allFindings(deps, seeded.largestTenantId, {}, now), true));
  return {
    tenants: scenario.tenants,
    findingRows: seeded.findingRows,
    largestTenant: { tenantId: seeded.largestTenantId, findings: scenario.largestFindings },
    seedSeconds,
    overview,
    ...(baseline ? { baseline } : {}),
    csv,
  };
}

// ---------------------------------------------------------------- counting Table Storage requests

/** A TableStore whose clients count every HTTP request they send (Table Storage bills and throttles by request). */
class CountingTableStore extends TableStore {
  requests = 0;
  readonly #counted = new WeakSet<TableClient>();

  override async table(name: string): Promise<TableClient> {
    const client = await super.table(name);
    if (!this.#counted.has(client)) {
      // After the retry phase: a retried request is counted each time it is sent.
      client.pipeline.addPolicy(this.#countingPolicy(), { afterPhase: "Retry" });
      this.#counted.add(client);
    }
    return client;
  }

  #countingPolicy(): PipelinePolicy {
    return {
      name: "benchCountRequests",
      sendRequest: (request, next) => {
        this.requests += 1;
        return next(request);
      },
    };
  }
}

function reportDeps(store: TableStore): ReportQueryDeps & {
  readonly tenants: TableTenantsRepository;
  readonly findings: TableFindingsRepository;
  readonly acceptances: TableAcceptancesRepository;
  readonly summaries: TableSummariesRepository;
} {
  return {
    tenants: new TableTenantsRepository(store),
    summaries: new TableSummariesRepository(store),
    findings: new TableFindingsRepository(store),
    acceptances: new TableAcceptancesRepository(store),
    events: new TableFindingEventsRepository(store),
    audit: new TableAuditRepository(store),
  };
}

async function measureView(
  store: CountingTableStore,
  azurite: AzuriteInstance,
  repetitions: number,
  view: () => Promise<string>,
): Promise<ViewFigures> {
  const samples: Omit<ViewFigures, "repetitions">[] = [];
  for (let i = 0; i < repetitions; i++) {
    const requests = store.requests;
    const cpu = process.cpuUsage();
    const azuriteCpu = cpuSecondsOf(azurite.pid);
    const started = performance.now();
    const body = await view();
    samples.push({
      wallMs: performance.now() - started,
      cpuMs: cpuSince(cpu) * 1000,
      azuriteCpuMs: (cpuSecondsOf(azurite.pid) - azuriteCpu) * 1000,
      requests: store.requests - requests,
      bytes: Buffer.byteLength(body),
    });
  }
  const median = (f: (s: Omit<ViewFigures, "repetitions">) => number) => {
    const sorted = samples.map(f).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  return {
    repetitions,
    wallMs: median((s) => s.wallMs),
    cpuMs: median((s) => s.cpuMs),
    azuriteCpuMs: median((s) => s.azuriteCpuMs),
    requests: Math.max(...samples.map((s) => s.requests)),
    bytes: median((s) => s.bytes),
  };
}

// ---------------------------------------------------------------- the views

/** The body `GET /api/tenants` answers (handleTenants in functions/reports-api.ts). */
function tenantsBody(tenants: readonly OverviewTenant[]): string {
  return JSON.stringify({
    tenants: tenants.map(({ tenantId, displayName, summary }) => ({ tenantId, displayName, summary: summary ?? null })),
  });
}

/** The overview without summary rows: every tenant's findings and acceptances read and summarised on each view. */
async function naiveFleet(deps: ReportQueryDeps, now: Date): Promise<OverviewTenant[]> {
  const limit = pLimit(NAIVE_CONCURRENCY);
  const tenants = await deps.tenants.list();
  return Promise.all(
    tenants.map((t) =>
      limit(async () => {
        const [findings, acceptances] = await Promise.all([
          deps.findings.listForTenant(t.tenantId),
          acceptancesInForce(deps, t.tenantId, now),
        ]);
        const summary = summarize({ tenantId: t.tenantId, findings, acceptances, lastRun: null, changes: {}, trend: [], now });
        return { tenantId: t.tenantId, displayName: t.displayName, summary };
      }),
    ),
  );
}

// ---------------------------------------------------------------- seeding

interface SeededFleet {
  readonly findingRows: number;
  readonly largestTenantId: string;
}

/**
 * Registers the tenants, writes each one's findings (applyChanges: 100-row transactions), a few
 * acceptances (every tenth tenant accepts two of its failing findings) and its summary row with a
 * full trend, as its last scan's end would have.
 */
async function seedFleet(deps: ReturnType<typeof reportDeps>, scenario: ReportScenario, asOf: Date): Promise<SeededFleet> {
  const random = new Prng(13);
  const tenants = Array.from({ length: scenario.tenants }, (_, i) => ({
    tenantId: random.guid(),
    displayName: `Customer ${String(i + 1).padStart(4, "0")} Ltd`,
    config: { approvers: [`it@customer${i + 1}.example`], exclusions: { userIds: [], groupIds: [] } },
  }));
  const sizes = tenants.map((_, i) => (i === 0 ? scenario.largestFindings : random.int(50, 200)));
  await seedTenants(deps, tenants, "bench-report-app");
  const limit = pLimit(SEED_CONCURRENCY);
  await Promise.all(
    tenants.map((t, i) =>
      limit(async () => {
        const findings = tenantFindings(new Prng(i), sizes[i] ?? 0, asOf);
        await deps.findings.applyChanges(t.tenantId, findings);
        const acceptances = i % 10 === 0 ? await acceptSome(deps, t.tenantId, findings, asOf) : [];
        await deps.summaries.put(summaryOf(t.tenantId, findings, acceptances, asOf));
      }),
    ),
  );
  return { findingRows: sizes.reduce((n, s) => n + s, 0), largestTenantId: tenants[0]?.tenantId ?? "" };
}

async function acceptSome(
  deps: ReturnType<typeof reportDeps>,
  tenantId: string,
  findings: readonly StoredFinding[],
  asOf: Date,
): Promise<Acceptance[]> {
  const accepted = findings
    .filter((f) => f.status === "fail" && f.subjectId !== null)
    .slice(0, 2)
    .map((f): Acceptance => ({
      tenantId,
      control: f.control,
      subjectId: f.subjectId,
      reason: "Service account, reviewed quarterly",
      acceptedBy: "analyst@msp.example",
      acceptedAt: new Date(asOf.getTime() - 7 * 86_400_000),
      expiresAt: new Date(asOf.getTime() + 83 * 86_400_000),
    }));
  for (const a of accepted) await deps.acceptances.accept(a, asOf);
  return accepted;
}

function summaryOf(tenantId: string, findings: readonly StoredFinding[], acceptances: readonly Acceptance[], asOf: Date) {
  const runId = runIdAt(asOf);
  const lastRun: LastRun = { runId, status: "completed", reason: null, asOf: asOf.toISOString(), finishedAt: asOf.toISOString() };
  const judged = summarize({
    tenantId,
    findings,
    acceptances,
    lastRun,
    changes: { new: 3, resolved: 2, reopened: 0, changed: 1 },
    trend: [],
    now: asOf,
  });
  const trend: TrendPoint[] = Array.from({ length: TREND_RUNS }, (_, k) => {
    const at = new Date(asOf.getTime() - (TREND_RUNS - 1 - k) * 86_400_000);
    return { runId: runIdAt(at), asOf: at.toISOString(), open: judged.open + (TREND_RUNS - 1 - k) };
  });
  return { ...judged, trend };
}

/** `count` findings of one tenant: its tenant-level rows, then per-user rows (mostly failing, some resolved, a few unknown). */
function tenantFindings(random: Prng, count: number, asOf: Date): StoredFinding[] {
  const runId = runIdAt(asOf);
  const day = (n: number) => new Date(asOf.getTime() - n * 86_400_000);
  const row = (control: ControlId, subjectId: string | null, status: FindingStatus, detail: FindingDetail): StoredFinding => ({
    control,
    subjectId,
    status,
    severity: SEVERITY.get(control) ?? "medium",
    detail,
    firstSeen: day(random.int(1, 200)),
    lastSeen: asOf,
    resolvedAt: status === "pass" ? day(random.int(0, 30)) : null,
    lastRunId: runId,
  });
  const tenantLevel = TENANT_LEVEL.slice(0, count).map((control) =>
    row(control, null, random.pick<FindingStatus>(["fail", "pass"]), { decidedOn: "conditional-access", policies: [] }),
  );
  const perUser = Array.from({ length: Math.max(0, count - tenantLevel.length) }, () => {
    const control = random.weighted<ControlId>([
      ["accounts.inactive-30", 45],
      ["accounts.inactive-90", 45],
      ["mfa.admins", 10],
    ]);
    const status = random.weighted<FindingStatus>([
      ["fail", 75],
      ["pass", 20],
      ["unknown", 5],
    ]);
    return row(control, random.guid(), status, userEvidence(random, control, asOf));
  });
  return [...tenantLevel, ...perUser];
}

function userEvidence(random: Prng, control: ControlId, asOf: Date): FindingDetail {
  const n = random.int(1, 99_999);
  const account = { userPrincipalName: `user${n}@customer.example`, displayName: `User ${n}` };
  if (control === "mfa.admins") return { ...account, roles: ["User Administrator"], reason: "not-registered" };
  const daysInactive = random.int(30, 400);
  return {
    ...account,
    userType: "Member",
    onPremisesSyncEnabled: false,
    lastActivity: new Date(asOf.getTime() - daysInactive * 86_400_000).toISOString(),
    neverSignedIn: false,
    createdDateTime: "2024-03-01T09:00:00Z",
    daysInactive,
  };
}

// ---------------------------------------------------------------- output

const VIEW_COLUMNS: readonly [string, (v: ViewFigures) => string][] = [
  ["requests", (v) => int(v.requests)],
  ["wall ms", (v) => int(v.wallMs)],
  ["CPU ms", (v) => int(v.cpuMs)],
  ["Azurite CPU ms", (v) => int(v.azuriteCpuMs)],
  ["body bytes", (v) => int(v.bytes)],
  ["runs", (v) => String(v.repetitions)],
];

/** The scenario's table: each view's medians, and the naive overview against the product's. */
export function reportLines(result: ReportResult): string[] {
  const f = result.figures;
  const row = (label: string, v: ViewFigures) => [label, ...VIEW_COLUMNS.map(([, cell]) => cell(v))];
  const rows = [
    ["view", ...VIEW_COLUMNS.map(([h]) => h)],
    row("overview: GET /api/tenants (tenants + summary rows)", f.overview),
    ...(f.baseline
      ? [
          row("baseline: every tenant's findings, summarised", f.baseline),
          [
            "baseline/optimised",
            ratio(f.baseline.requests, f.overview.requests),
            ratio(f.baseline.wallMs, f.overview.wallMs),
            ratio(f.baseline.cpuMs, f.overview.cpuMs),
            ratio(f.baseline.azuriteCpuMs, f.overview.azuriteCpuMs),
            "",
            "",
          ],
        ]
      : []),
    row(`CSV of the largest tenant (${int(f.largestTenant.findings)})`, f.csv),
  ];
  return [
    `${result.name}: ${result.what}`,
    ...aligned(rows),
    `  ${int(f.findingRows)} findings of ${int(f.tenants)} tenants seeded in ${int(f.seedSeconds)} s (not measured); medians of the runs, requests of the costliest run`,
    "",
  ];
}

/** Issue 13's goal: the overview's table queries grow with tenants / 1,000 and not with findings. */
export function reportGoal(result: ReportResult): { readonly goal: string; readonly met: boolean; readonly detail: string } {
  const f = result.figures;
  const listings = 2 * Math.ceil(f.tenants / 1_000);
  return {
    goal: "6 fleet overview costs O(tenants / 1,000) table queries, not O(findings)",
    met: f.overview.requests <= listings,
    detail:
      `${int(f.overview.requests)} requests for ${int(f.tenants)} tenants and ${int(f.findingRows)} findings (≤ ${listings}: tenants and summary rows, 1,000 a page)` +
      (f.baseline
        ? `; reading every finding: ${int(f.baseline.requests)} requests, ${ratio(f.baseline.wallMs, f.overview.wallMs)} the time`
        : ""),
  };
}
