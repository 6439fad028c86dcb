/**
 * `npm run bench`: the scale benchmark (bench/README.md). Each scenario runs the product and a
 * naive baseline in child processes against Azurite and the Graph simulator with Graph's
 * throttling model at a time scale, and reports requests against the minimum the data needs,
 * simulated wall time against the floor Graph's limits allow, 429s, peak RSS and table writes.
 *
 *   npm run bench -- [--json [file]] [--only <scenario>]... [--quick] [--plain-azurite]
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { startAzurite, type AzuriteInstance } from "../dev/azurite.js";
import { planTenantFleet } from "../dev/fixtures/generate.js";
import { TEST_APP_CLIENT_ID, TEST_APP_CLIENT_SECRET } from "../dev/simulator/index.js";
import { buildWorkers, cpuSecondsOf, startChild } from "./children.js";
import { aligned, int, ratio } from "./format.js";
import { reportGoal, reportLines, reportScenario, runReportScenario, type ReportResult } from "./report.js";
import { fleetFloor, type TenantNeeds } from "./minimum.js";
import type { BenchFault, SimulatorReady, SimulatorSpec, SimulatorStats, WorkerResult, WorkerTenantResult } from "./protocol.js";
import type { WorkerInput } from "./worker-common.js";

const AS_OF = "2026-11-28T02:00:00.000Z";
/** SCAN_TIME_BUDGET_SECONDS in simulated seconds (the product's default: 7 of the Consumption plan's 10 minutes). */
const TIME_BUDGET_SIM_SECONDS = 420;
const SIMULATOR_HEAP_MB = 8_192;
/**
 * The scanning children get the V8 heap limit Node chooses on the function app's machine, not on
 * this one: a Consumption instance has 1.5 GB, and V8 sizes its old space at a quarter of physical
 * memory (384 MB). With this machine's 24 GB it would allow 4 GB and collect garbage lazily.
 */
const WORKER_HEAP_MB = 384;
/** Pacing of the unmeasured previous night: as good as none (the simulator does not throttle it). */
const PREVIOUS_NIGHT_TIME_SCALE = 0.001;

interface RunPlan {
  readonly kind: "optimised" | "baseline";
  readonly spec: SimulatorSpec;
  readonly timeScale: number;
  /** Previous night's sizes (fan-out order), written as the product would have. */
  readonly history?: boolean;
  /** Scan the same tenants the night before (unthrottled, not measured): findings are stored already. */
  readonly previousNight?: boolean;
  readonly faults?: (tenants: readonly TenantNeeds[], timeScale: number) => BenchFault[];
}

interface Scenario {
  readonly name: string;
  readonly what: string;
  readonly optimised: RunPlan;
  /** Measured baseline, or one reused from another scenario and scaled by `factor`. */
  readonly baseline: { readonly plan: RunPlan; readonly factor: number } | { readonly from: string; readonly factor: number };
}

/** Everything measured in one run (figures are totals over the run's tenants). */
interface RunFigures {
  readonly kind: "optimised" | "baseline";
  readonly timeScale: number;
  /** 1 when measured as is; otherwise the figures are a sample's, multiplied by it. */
  readonly extrapolatedBy: number;
  readonly tenants: number;
  readonly users: number;
  readonly requests: number;
  readonly minimumRequests: number;
  readonly worstTenantRequestRatio: number;
  readonly perUserCalls: number;
  readonly simWallSeconds: number;
  readonly floorSeconds: number;
  readonly floor: { readonly tenantSeconds: number; readonly appSeconds: number; readonly measuredSeconds: number };
  readonly tooManyRequests: number;
  readonly tooManyRequestsOutsideFaults: number;
  /** 429s by path over the tenants without injected faults (where throttling came from). */
  readonly tooManyRequestsByPath: Readonly<Record<string, number>>;
  readonly peakRssMb: number;
  readonly findingRows: number;
  readonly eventRows: number;
  readonly findingWrites: number;
  readonly eventWrites: number;
  readonly checkpointWrites: number;
  /** Σ over tenant partitions of ⌈rows/100⌉ (findings and events). */
  readonly writeBound: number;
  /** Largest (writes − ⌈rows/100⌉) of any tenant partition. */
  readonly worstWriteExcess: number;
  readonly repeatedPages: number;
  readonly maxInvocations: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly faulted: readonly { readonly tenantId: string; readonly fault: string; readonly status: string }[];
  readonly loadSeconds: number;
  readonly realSeconds: number;
  /** CPU seconds while scanning: the scanning process, the simulator, Azurite (2 cores are shared). */
  readonly cpuSeconds: { readonly scanner: number; readonly simulator: number; readonly azurite: number };
  /** When tenants ended (simulated seconds from the start): quantiles, and the last one. */
  readonly ended: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly last: { readonly users: number; readonly seconds: number; readonly scanSeconds: number };
  };
}

interface ScenarioResult {
  readonly name: string;
  readonly what: string;
  readonly optimised: RunFigures;
  /** Absent with --skip-baseline. */
  readonly baseline?: RunFigures;
}

function scenarios(quick: boolean): Scenario[] {
  const fleetSize = quick ? 200 : 1_000;
  const bigUsers = quick ? 30_000 : 100_000;
  const fleetBaselineEvery = quick ? 20 : 50;
  return [
    {
      name: "tenant-10k",
      what: "one 10,000-user P1 tenant, quiet (goals 1, 2, 5)",
      optimised: { kind: "optimised", spec: { kind: "tenants", tenants: [{ users: 10_000, license: "p1", seed: 1 }] }, timeScale: 0.5 },
      baseline: {
        plan: { kind: "baseline", spec: { kind: "tenants", tenants: [{ users: 10_000, license: "p1", seed: 1 }] }, timeScale: 0.05 },
        factor: 1,
      },
    },
    {
      name: `tenant-${bigUsers / 1000}k`,
      what: `one ${bigUsers.toLocaleString("en-US")}-user P1 tenant across invocations, its previous night's findings stored (goals 1, 2, 3, 5)`,
      optimised: {
        kind: "optimised",
        spec: { kind: "tenants", tenants: [{ users: bigUsers, license: "p1", seed: 1 }] },
        timeScale: 0.2,
        previousNight: true,
      },
      baseline: { from: "tenant-10k", factor: bigUsers / 10_000 },
    },
    {
      name: `fleet-${fleetSize}`,
      what: `${fleetSize.toLocaleString("en-US")} generated tenants (realistic size mix) through the queue, two with injected faults (goals 1, 4, 5)`,
      optimised: {
        kind: "optimised",
        spec: { kind: "fleet", tenants: fleetSize, seed: 1 },
        timeScale: 0.5,
        history: true,
        faults: fleetFaults,
      },
      baseline: {
        plan: {
          kind: "baseline",
          spec: { kind: "fleet", tenants: fleetSize, seed: 1, only: sampleBySize(fleetSize, fleetBaselineEvery) },
          timeScale: 0.02,
        },
        factor: fleetBaselineEvery,
      },
    },
  ];
}

/** Every `every`-th tenant of the fleet in size order (from the middle of each stride). */
function sampleBySize(tenants: number, every: number): number[] {
  const bySize = [...planTenantFleet({ tenants, seed: 1, asOf: new Date(AS_OF) })].sort((a, b) => a.users - b.users);
  return bySize.filter((_, i) => i % every === Math.floor(every / 2)).map((p) => p.index);
}

/**
 * One tenant Graph keeps failing for (503 on every request), one throttled by something else (its
 * first 6 requests answered 429, fewer than a request's retries), both larger than most: the others must not notice. Retry-After is simulated time
 * (the simulator sends fault headers as given).
 */
function fleetFaults(tenants: readonly TenantNeeds[], timeScale: number): BenchFault[] {
  const premium = [...tenants].filter((t) => t.license !== "free").sort((a, b) => a.users - b.users);
  const failing = premium[Math.floor(premium.length * 0.9)];
  const storming = premium[Math.floor(premium.length * 0.8)];
  if (!failing || !storming) return [];
  return [
    { tenantId: failing.tenantId, status: 503, times: 1_000_000, retryAfterSeconds: 10 * timeScale },
    { tenantId: storming.tenantId, status: 429, times: 6, retryAfterSeconds: 5 * timeScale },
  ];
}

interface HostJsonQueues {
  readonly batchSize: number;
  readonly newBatchThreshold: number;
  readonly maxDequeueCount: number;
  readonly maxPollingInterval: string;
  readonly visibilityTimeout: string;
}

/** host.json's queue settings, with its intervals scaled to the simulation. */
function hostSettings(timeScale: number): WorkerInput["host"] {
  const json = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../host.json"), "utf8")) as {
    extensions: { queues: HostJsonQueues };
  };
  const q = json.extensions.queues;
  return {
    batchSize: q.batchSize,
    newBatchThreshold: q.newBatchThreshold,
    maxDequeueCount: q.maxDequeueCount,
    maxPollingIntervalInMs: Math.max(5, timeSpanSeconds(q.maxPollingInterval) * 1000 * timeScale),
    retryVisibilityInSeconds: Math.max(1, Math.round(timeSpanSeconds(q.visibilityTimeout) * timeScale)),
  };
}

function timeSpanSeconds(span: string): number {
  const [h = 0, m = 0, s = 0] = span.split(":").map(Number);
  return h * 3600 + m * 60 + s;
}

async function runPlan(scenario: string, plan: RunPlan, azurite: AzuriteInstance, factor: number): Promise<RunFigures> {
  if (plan.previousNight) await scanPreviousNight(scenario, plan, azurite);
  const realStart = performance.now();
  progress(`  ${plan.kind}: starting the simulator (${describeSpec(plan.spec)}, time scale ${plan.timeScale})`);
  const sim = startChild("sim-host.ts", [JSON.stringify(plan.spec), String(plan.timeScale)], { heapMb: SIMULATOR_HEAP_MB });
  try {
    const ready = await sim.next<SimulatorReady>("ready");
    progress(`  ${plan.kind}: ${ready.tenants.length} tenant(s) served after ${ready.loadSeconds.toFixed(0)} s; scanning`);
    const needs = ready.tenants.map((t) => t.needs);
    const faults = plan.faults?.(needs, plan.timeScale) ?? [];
    if (faults.length > 0) {
      sim.send({ type: "faults", faults });
      await sim.next("faults");
    }
    sim.send({ type: "stats" });
    const before = await sim.next<SimulatorStats>("stats");
    const azuriteBefore = cpuSecondsOf(azurite.pid);
    const result = await runWorker(scenario, plan, ready, azurite, AS_OF, plan.timeScale);
    const azuriteCpu = cpuSecondsOf(azurite.pid) - azuriteBefore;
    sim.send({ type: "stats" });
    const stats = await sim.next<SimulatorStats>("stats");
    const cpu = { scanner: result.cpuSeconds, simulator: stats.cpuSeconds - before.cpuSeconds, azurite: azuriteCpu };
    return figures(plan, needs, faults, result, stats, factor, ready.loadSeconds, (performance.now() - realStart) / 1000, cpu);
  } finally {
    sim.send({ type: "stop" });
    await Promise.race([sim.exited, new Promise((r) => setTimeout(r, 5_000))]);
    sim.kill();
  }
}

function storagePrefix(scenario: string, plan: RunPlan): string {
  return `${plan.kind === "optimised" ? "opt" : "naive"}${scenario.replace(/[^a-z0-9]/gi, "")}`.slice(0, 20);
}

/** One scanning child against a served simulator; resolves with what it measured. */
async function runWorker(
  scenario: string,
  plan: RunPlan,
  ready: SimulatorReady,
  azurite: AzuriteInstance,
  asOf: string,
  timeScale: number,
  budgetSeconds = TIME_BUDGET_SIM_SECONDS * timeScale,
): Promise<WorkerResult> {
  const prefix = storagePrefix(scenario, plan);
  const input: WorkerInput = {
    tenants: ready.tenants.map((t) => ({ tenantId: t.needs.tenantId, displayName: t.needs.displayName, config: t.config })),
    asOf,
    queuePrefix: `${prefix.toLowerCase()}-`,
    host: hostSettings(timeScale),
    ...(plan.history ? { history: Object.fromEntries(ready.tenants.map((t) => [t.needs.tenantId, t.needs.users])) } : {}),
  };
  const env = {
    AzureWebJobsStorage: azurite.connectionString,
    STORAGE_TABLE_PREFIX: prefix,
    GRAPH_CLIENT_ID: TEST_APP_CLIENT_ID,
    GRAPH_CLIENT_SECRET: TEST_APP_CLIENT_SECRET,
    GRAPH_AUTHORITY_HOST: ready.authorityHost,
    GRAPH_BASE_URL: ready.baseUrl,
    GRAPH_TIME_SCALE: String(timeScale),
    SCAN_TIME_BUDGET_SECONDS: String(budgetSeconds),
  };
  const worker = startChild(plan.kind === "optimised" ? "scan-worker.ts" : "naive-worker.ts", [], {
    env,
    compiled: true,
    heapMb: WORKER_HEAP_MB,
  });
  worker.send({ type: "input", input });
  const result = await worker.next<WorkerResult>("result");
  await worker.exited;
  return result;
}

/** The night before, scanned without throttling and not measured: the measured night finds its findings stored. */
async function scanPreviousNight(scenario: string, plan: RunPlan, azurite: AzuriteInstance): Promise<void> {
  const started = performance.now();
  progress(`  ${plan.kind}: scanning the night before (${describeSpec(plan.spec)}, unthrottled, not measured)`);
  const sim = startChild("sim-host.ts", [JSON.stringify(plan.spec), "1", "unthrottled"], { heapMb: SIMULATOR_HEAP_MB });
  try {
    const ready = await sim.next<SimulatorReady>("ready");
    const yesterday = new Date(Date.parse(AS_OF) - 86_400_000).toISOString();
    await runWorker(scenario, { ...plan, history: false }, ready, azurite, yesterday, PREVIOUS_NIGHT_TIME_SCALE, TIME_BUDGET_SIM_SECONDS);
  } finally {
    sim.send({ type: "stop" });
    await Promise.race([sim.exited, new Promise((r) => setTimeout(r, 5_000))]);
    sim.kill();
  }
  progress(`  ${plan.kind}: previous night stored after ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

function tooManyByPath(stats: SimulatorStats, faultedIds: ReadonlySet<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [tenantId, t] of Object.entries(stats.tenants)) {
    if (faultedIds.has(tenantId)) continue;
    for (const [shape, n] of Object.entries(t.tooManyRequestsByPath)) counts[shape] = (counts[shape] ?? 0) + n;
  }
  return counts;
}

function figures(
  plan: RunPlan,
  needs: readonly TenantNeeds[],
  faults: readonly BenchFault[],
  result: WorkerResult,
  stats: SimulatorStats,
  factor: number,
  loadSeconds: number,
  realSeconds: number,
  cpuSeconds: RunFigures["cpuSeconds"],
): RunFigures {
  const byId = new Map(result.tenants.map((t) => [t.tenantId, t]));
  const faultedIds = new Set(faults.map((f) => f.tenantId));
  const sum = (f: (t: WorkerTenantResult) => number) => result.tenants.reduce((n, t) => n + f(t), 0);
  const simSum = (f: (t: SimulatorStats["tenants"][string]) => number) => Object.values(stats.tenants).reduce((n, t) => n + f(t), 0);
  const floor = fleetFloor(needs);
  const healthy = needs.filter((n) => !faultedIds.has(n.tenantId));
  const excess = (t: WorkerTenantResult) =>
    Math.max(t.findingWrites - Math.ceil(t.findingRows / 100), t.eventWrites - Math.ceil(t.eventRows / 100));
  const statuses: Record<string, number> = {};
  for (const t of result.tenants) statuses[t.status] = (statuses[t.status] ?? 0) + 1;
  const measuredFloor =
    Math.max(stats.appMinimalWaitMs, ...Object.values(stats.tenants).map((t) => t.minimalWaitMs)) / 1000 / plan.timeScale;
  return {
    kind: plan.kind,
    timeScale: plan.timeScale,
    extrapolatedBy: factor,
    tenants: needs.length * factor,
    users: needs.reduce((n, t) => n + t.users, 0) * factor,
    requests: sum((t) => t.requests) * factor,
    minimumRequests: needs.reduce((n, t) => n + t.minimum.total, 0) * factor,
    worstTenantRequestRatio: Math.max(0, ...healthy.map((n) => (byId.get(n.tenantId)?.requests ?? 0) / n.minimum.total)),
    perUserCalls: simSum((t) => t.perUserCalls) * factor,
    simWallSeconds: (result.wallMs / 1000 / plan.timeScale) * factor,
    floorSeconds: factor === 1 ? floor.seconds : Number.NaN,
    floor: { tenantSeconds: floor.tenantSeconds, appSeconds: floor.appSeconds, measuredSeconds: measuredFloor },
    tooManyRequests: sum((t) => t.throttled) * factor,
    tooManyRequestsOutsideFaults: result.tenants.filter((t) => !faultedIds.has(t.tenantId)).reduce((n, t) => n + t.throttled, 0) * factor,
    tooManyRequestsByPath: tooManyByPath(stats, faultedIds),
    peakRssMb: result.peakRssBytes / 2 ** 20,
    findingRows: sum((t) => t.findingRows) * factor,
    eventRows: sum((t) => t.eventRows) * factor,
    findingWrites: sum((t) => t.findingWrites) * factor,
    eventWrites: sum((t) => t.eventWrites) * factor,
    checkpointWrites: sum((t) => t.checkpointWrites) * factor,
    writeBound: sum((t) => Math.ceil(t.findingRows / 100) + Math.ceil(t.eventRows / 100)) * factor,
    worstWriteExcess: Math.max(0, ...result.tenants.map(excess)),
    repeatedPages: simSum((t) => t.repeatedPages) * factor,
    maxInvocations: Math.max(0, ...result.tenants.map((t) => t.invocations)),
    statuses,
    faulted: faults.map((f) => ({
      tenantId: f.tenantId,
      fault: `${f.status}${f.times < 1_000_000 ? ` ×${f.times}` : " on every request"}`,
      status: byId.get(f.tenantId)?.status ?? "missing",
    })),
    loadSeconds,
    realSeconds,
    cpuSeconds,
    ended: endings(result.tenants, needs, plan.timeScale),
  };
}

function endings(tenants: readonly WorkerTenantResult[], needs: readonly TenantNeeds[], timeScale: number): RunFigures["ended"] {
  const sim = (ms: number) => ms / 1000 / timeScale;
  const sorted = [...tenants].sort((a, b) => a.endedAtMs - b.endedAtMs);
  const at = (q: number) => sim(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.endedAtMs ?? 0);
  const last = sorted.at(-1);
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    last: {
      users: needs.find((n) => n.tenantId === last?.tenantId)?.users ?? 0,
      seconds: sim(last?.endedAtMs ?? 0),
      scanSeconds: sim(last?.scanMs ?? 0),
    },
  };
}

/** A baseline measured in another scenario, scaled to this one's size. */
function scaled(figures: RunFigures, factor: number): RunFigures {
  const x = (n: number) => n * factor;
  return {
    ...figures,
    extrapolatedBy: figures.extrapolatedBy * factor,
    tenants: figures.tenants,
    users: x(figures.users),
    requests: x(figures.requests),
    minimumRequests: x(figures.minimumRequests),
    perUserCalls: x(figures.perUserCalls),
    simWallSeconds: x(figures.simWallSeconds),
    floorSeconds: Number.NaN,
    tooManyRequests: x(figures.tooManyRequests),
    tooManyRequestsOutsideFaults: x(figures.tooManyRequestsOutsideFaults),
    findingRows: x(figures.findingRows),
    eventRows: x(figures.eventRows),
    findingWrites: x(figures.findingWrites),
    eventWrites: x(figures.eventWrites),
    writeBound: x(figures.writeBound),
    repeatedPages: x(figures.repeatedPages),
  };
}

function describeSpec(spec: SimulatorSpec): string {
  if (spec.kind === "fleet")
    return spec.only ? `${spec.only.length} sampled tenants of a ${spec.tenants}-tenant fleet` : `a ${spec.tenants}-tenant fleet`;
  return spec.tenants.map((t) => `${t.users.toLocaleString("en-US")} users ${t.license}`).join(", ");
}

// ---------------------------------------------------------------- output

interface Goal {
  readonly goal: string;
  readonly met: boolean;
  readonly detail: string;
}

/** The scan goals when a scan scenario ran, and each report scenario's. */
function allGoals(results: readonly ScenarioResult[], reports: readonly ReportResult[]): Goal[] {
  return [...(results.length > 0 ? goals(results) : []), ...reports.map(reportGoal)];
}

function goals(results: readonly ScenarioResult[]): Goal[] {
  const out: Goal[] = [];
  const opt = (r: ScenarioResult) => r.optimised;
  const worstRatio = Math.max(...results.map((r) => opt(r).worstTenantRequestRatio));
  const perUser = results.reduce((n, r) => n + opt(r).perUserCalls, 0);
  out.push({
    goal: "1 requests ≤ 1.05 × minimum, no per-user calls for bulk-report data",
    met: worstRatio <= 1.05 && perUser === 0,
    detail: `worst tenant ${worstRatio.toFixed(3)}×, per-user calls ${perUser}`,
  });
  const quiet = results.filter((r) => opt(r).tenants === 1);
  const wall = quiet.map(
    (r) => `${r.name} ${(opt(r).simWallSeconds / opt(r).floorSeconds).toFixed(3)}× with ${opt(r).tooManyRequests} 429s`,
  );
  out.push({
    goal: "2 single-tenant wall ≤ 1.15 × floor, 0 429s",
    met: quiet.every((r) => opt(r).simWallSeconds <= 1.15 * opt(r).floorSeconds && opt(r).tooManyRequests === 0),
    detail: wall.join("; "),
  });
  const big = results.find((r) => opt(r).tenants === 1 && opt(r).maxInvocations > 1);
  out.push({
    goal: "3 huge tenant resumes across invocations, no page read twice, ≤ 300 MB RSS",
    met: big !== undefined && opt(big).repeatedPages === 0 && opt(big).peakRssMb <= 300,
    detail: big
      ? `${big.name}: ${opt(big).maxInvocations} invocations, ${opt(big).repeatedPages} pages read twice, peak RSS ${opt(big).peakRssMb.toFixed(0)} MB`
      : "no multi-invocation scenario ran",
  });
  const fleet = results.find((r) => opt(r).tenants > 1);
  if (fleet) {
    const f = opt(fleet);
    const others = Object.entries(f.statuses)
      .filter(([s]) => s !== "completed")
      .map(([s, n]) => `${n} ${s}`);
    out.push({
      goal: "4 fleet wall ≤ 1.2 × floor, faults stay with their tenant",
      met:
        f.simWallSeconds <= 1.2 * f.floorSeconds &&
        f.faulted.every((x) => x.status !== "missing") &&
        (f.statuses.completed ?? 0) >= f.tenants - f.faulted.length,
      detail: `${(f.simWallSeconds / f.floorSeconds).toFixed(3)}× of ${f.floorSeconds.toFixed(0)} s (tenant floor ${f.floor.tenantSeconds.toFixed(0)} s, app-wide reports floor ${f.floor.appSeconds.toFixed(0)} s); ${f.statuses.completed ?? 0} completed${others.length ? `, ${others.join(", ")}` : ""}; faulted: ${f.faulted.map((x) => `${x.fault} → ${x.status}`).join(", ")}`,
    });
  } else out.push({ goal: "4 fleet", met: false, detail: "fleet scenario not run" });
  const excess = Math.max(...results.map((r) => opt(r).worstWriteExcess));
  out.push({
    goal: "5 table transactions ≤ ⌈rows/100⌉ + O(1) per tenant partition",
    met: excess <= 1,
    detail: `worst partition ⌈rows/100⌉ + ${excess}`,
  });
  return out;
}

const COLUMNS: readonly [string, (f: RunFigures) => string][] = [
  ["run", (f) => (f.extrapolatedBy === 1 ? f.kind : `${f.kind} ≈×${f.extrapolatedBy}`)],
  ["requests", (f) => int(f.requests)],
  ["minimum", (f) => int(f.minimumRequests)],
  ["req/min", (f) => (f.requests / f.minimumRequests).toFixed(3)],
  ["per-user", (f) => int(f.perUserCalls)],
  ["sim wall s", (f) => int(f.simWallSeconds)],
  ["floor s", (f) => (Number.isNaN(f.floorSeconds) ? "-" : int(f.floorSeconds))],
  ["wall/floor", (f) => (Number.isNaN(f.floorSeconds) ? "-" : (f.simWallSeconds / f.floorSeconds).toFixed(3))],
  ["429s", (f) => int(f.tooManyRequests)],
  ["peak RSS MB", (f) => f.peakRssMb.toFixed(0)],
  ["rows f+e", (f) => `${int(f.findingRows)}+${int(f.eventRows)}`],
  ["table tx f+e", (f) => `${int(f.findingWrites)}+${int(f.eventWrites)}`],
  ["⌈rows/100⌉", (f) => int(f.writeBound)],
  ["ckpt tx", (f) => int(f.checkpointWrites)],
  ["scale", (f) => String(f.timeScale)],
];

function table(results: readonly ScenarioResult[], reports: readonly ReportResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const rows = [
      COLUMNS.map(([h]) => h),
      ...[r.optimised, ...(r.baseline ? [r.baseline] : [])].map((f) => COLUMNS.map(([, cell]) => cell(f))),
    ];
    const o = r.optimised;
    const b = r.baseline;
    if (b)
      rows.push([
        "baseline/optimised",
        ratio(b.requests, o.requests),
        "",
        "",
        "",
        ratio(b.simWallSeconds, o.simWallSeconds),
        "",
        "",
        o.tooManyRequests === 0 ? `${int(b.tooManyRequests)} vs 0` : ratio(b.tooManyRequests, o.tooManyRequests),
        ratio(b.peakRssMb, o.peakRssMb),
        "",
        ratio(b.findingWrites + b.eventWrites, o.findingWrites + o.eventWrites),
        "",
        "",
        "",
      ]);
    lines.push(`${r.name}: ${r.what}`, ...aligned(rows));
    lines.push(
      `  floor: tenant ${int(o.floor.tenantSeconds)} s, app-wide reports ${int(o.floor.appSeconds)} s (the simulator's own count for the optimised run: ${int(o.floor.measuredSeconds)} s)`,
      `  optimised: invocations per tenant ≤ ${o.maxInvocations}, pages read twice ${o.repeatedPages}, statuses ${JSON.stringify(o.statuses)}` +
        (o.faulted.length
          ? `; faults ${o.faulted.map((x) => `${x.fault} → ${x.status}`).join(", ")} (429s outside them: ${o.tooManyRequestsOutsideFaults})`
          : "") +
        (Object.keys(o.tooManyRequestsByPath).length ? `; 429s by path: ${JSON.stringify(o.tooManyRequestsByPath)}` : ""),
      `  optimised: tenants ended by ${int(o.ended.p50)} / ${int(o.ended.p90)} / ${int(o.ended.p99)} s (50/90/99 %), the last at ${int(o.ended.last.seconds)} s ` +
        `(${int(o.ended.last.users)} users, its scan took ${int(o.ended.last.scanSeconds)} s); CPU while scanning: scanner ${int(o.cpuSeconds.scanner)} s, ` +
        `simulator ${int(o.cpuSeconds.simulator)} s, Azurite ${int(o.cpuSeconds.azurite)} s in ${int(o.simWallSeconds * o.timeScale)} s real on ${cpus().length} cores`,
      "",
    );
  }
  for (const r of reports) lines.push(...reportLines(r));
  lines.push("Goals:");
  for (const g of allGoals(results, reports)) lines.push(`  [${g.met ? "met" : "NOT met"}] ${g.goal}: ${g.detail}`);
  return lines.join("\n");
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: "string" },
      "json-stdout": { type: "boolean" },
      only: { type: "string", multiple: true },
      quick: { type: "boolean" },
      "plain-azurite": { type: "boolean" },
      "skip-baseline": { type: "boolean" },
    },
    args: normaliseJsonFlag(process.argv.slice(2)),
  });
  const all = scenarios(values.quick ?? false);
  const reportRun = reportScenario(values.quick ?? false);
  const wanted = (name: string) => !values.only?.length || values.only.includes(name);
  const chosen = all.filter((s) => wanted(s.name));
  if (chosen.length === 0 && !wanted(reportRun.name))
    throw new Error(`No such scenario; choose from ${[...all, reportRun].map((s) => s.name).join(", ")}`);
  const plainAzurite = values["plain-azurite"] ?? false;
  const started = performance.now();
  if (chosen.length > 0) {
    progress("compiling the scanning children (as deployed: plain JavaScript)");
    buildWorkers();
  }
  const results: ScenarioResult[] = [];
  const measuredBaselines = new Map<string, RunFigures>();
  for (const scenario of chosen) {
    progress(`${scenario.name}: ${scenario.what}`);
    const azurite = await startBenchAzurite(plainAzurite);
    try {
      const optimised = await runPlan(scenario.name, scenario.optimised, azurite, 1);
      let baseline: RunFigures | undefined;
      if (values["skip-baseline"]) baseline = undefined;
      else if ("plan" in scenario.baseline) {
        baseline = await runPlan(scenario.name, scenario.baseline.plan, azurite, scenario.baseline.factor);
        measuredBaselines.set(scenario.name, baseline);
      } else {
        const source = measuredBaselines.get(scenario.baseline.from) ?? (await measureBaselineOf(all, scenario.baseline.from, azurite));
        baseline = scaled(source, scenario.baseline.factor);
      }
      // Same data, same floor: the baseline's wall is compared with it too.
      results.push({
        name: scenario.name,
        what: scenario.what,
        optimised,
        ...(baseline ? { baseline: { ...baseline, floorSeconds: optimised.floorSeconds, floor: optimised.floor } } : {}),
      });
      progress(`${scenario.name}: done in ${((performance.now() - started) / 1000).toFixed(0)} s so far`);
    } finally {
      await azurite.stop();
    }
  }
  const reports: ReportResult[] = [];
  if (wanted(reportRun.name)) {
    progress(`${reportRun.name}: ${reportRun.what}`);
    const azurite = await startBenchAzurite(plainAzurite);
    try {
      const figures = await runReportScenario(reportRun, azurite, {
        asOf: new Date(AS_OF),
        skipBaseline: values["skip-baseline"] ?? false,
        progress,
      });
      reports.push({ name: reportRun.name, what: reportRun.what, figures });
      progress(`${reportRun.name}: done in ${((performance.now() - started) / 1000).toFixed(0)} s so far`);
    } finally {
      await azurite.stop();
    }
  }
  const report = {
    asOf: AS_OF,
    machine: { cpus: cpus().length, node: process.version },
    totalRealSeconds: (performance.now() - started) / 1000,
    scenarios: results,
    reports,
    goals: allGoals(results, reports),
  };
  const text = table(results, reports);
  if (values["json-stdout"]) {
    process.stderr.write(`${text}\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`${text}\n`);
    if (values.json) {
      writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`JSON written to ${values.json}\n`);
    }
  }
}

/** One Azurite per scenario, with the keyed-lookups preload unless --plain-azurite. */
function startBenchAzurite(plain: boolean): Promise<AzuriteInstance> {
  return startAzurite(plain ? {} : { nodeOptions: ["--require", path.resolve(import.meta.dirname, "azurite-keyed-lookups.cjs")] });
}

/** `--json` alone prints the JSON on stdout (table on stderr); `--json <file>` writes it there. */
function normaliseJsonFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const next = argv[i + 1];
    if (arg === "--json" && (next === undefined || next.startsWith("--"))) out.push("--json-stdout");
    else out.push(arg);
  }
  return out;
}

async function measureBaselineOf(all: readonly Scenario[], name: string, azurite: AzuriteInstance): Promise<RunFigures> {
  const source = all.find((s) => s.name === name);
  if (!source || !("plan" in source.baseline)) throw new Error(`Scenario ${name} has no measured baseline`);
  progress(`  measuring ${name}'s baseline to scale it`);
  return runPlan(name, source.baseline.plan, azurite, source.baseline.factor);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
