/**
 * Benchmark child: the product as deployed, in one process. Opens a run as the nightly timer
 * does (startSweep) and plays the scan-tenant queue trigger like the Functions host (host-queue.ts)
 * against Azurite, until every tenant has ended; then reports what each tenant cost.
 *
 *   input: one IPC message { type: "input", input: WorkerInput }; app settings in the environment (loadSettings)
 */
import pLimit from "p-limit";
import { handleScanMessage } from "../functions/scan-tenant.js";
import { loadSettings } from "../shared/config/settings.js";
import { createApp, type ScanLane, type App } from "../shared/app/wiring.js";
import { startSweep } from "../shared/sweep/start-sweep.js";
import { isTerminal } from "../shared/storage/runs.js";
import { runIdAt } from "../shared/storage/keys.js";
import { runHostQueue } from "./host-queue.js";
import type { WorkerResult, WorkerTenantResult } from "./protocol.js";
import { cpuSince, receiveInput, RssPeak, seedTenants, sendAndFlush } from "./worker-common.js";

interface Tally {
  findingRows: number;
  findingWrites: number;
  eventRows: number;
  eventWrites: number;
  checkpointWrites: number;
}

async function main(): Promise<void> {
  const input = await receiveInput();
  const rss = new RssPeak();
  const settings = loadSettings();
  const app = createApp(settings, { queuePrefix: input.queuePrefix });
  await seedTenants(app, input.tenants, settings.graph.credential?.clientId ?? "unconfigured");
  if (input.history) await seedHistory(app, input.history, new Date(input.asOf));
  const tallies = instrument(app);

  const host = input.host;
  // BENCH_LOG_MEMORY=1: a line every 250 ms once the heap is above 100 MB (finding where the peak is).
  const memoryTrace = process.env.BENCH_LOG_MEMORY
    ? setInterval(() => {
        if (process.memoryUsage().heapUsed > 100 * 2 ** 20)
          process.stderr.write(`    [${((performance.now() - started) / 1000).toFixed(2)} s ${memory()}]\n`);
      }, 250)
    : undefined;
  let runId: string | undefined;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const done = async () => runId !== undefined && (await app.runs.listTenantRuns(runId)).every((r) => isTerminal(r.status));
  const trigger = (lane: ScanLane) =>
    runHostQueue(
      {
        ...lane,
        handler: (item, context) => handleScanMessage(app, item, context),
        ...host,
        warn: (line) => process.stderr.write(`  ${line}\n`),
        ...(process.env.BENCH_LOG
          ? {
              log: (line: string) =>
                process.stderr.write(`    [${((performance.now() - started) / 1000).toFixed(2)} s ${memory()}] ${line}\n`),
            }
          : {}),
      },
      done,
    );
  // Every scan queue function of the function table, as the host runs them: each with its own batch.
  const [sweep] = await Promise.all([
    startSweep(app, { asOf: new Date(input.asOf), startedAt: new Date(input.asOf), trigger: "manual" }).then((s) => {
      runId = s.runId;
      return s;
    }),
    ...app.scanLanes.map(trigger),
  ]);
  if (memoryTrace) clearInterval(memoryTrace);
  const triggersStoppedMs = performance.now() - started;
  const startedAt = Date.now() - triggersStoppedMs;
  const runs = await app.runs.listTenantRuns(sweep.runId);
  const tenants = runs.map((run): WorkerTenantResult => {
    const t = tallies.get(run.tenantId);
    return {
      tenantId: run.tenantId,
      status: run.status,
      requests: run.requestCount,
      throttled: run.counts.throttled ?? 0,
      users: run.counts.users ?? 0,
      invocations: run.counts.invocations ?? 1,
      findingRows: t?.findingRows ?? 0,
      findingWrites: t?.findingWrites ?? 0,
      eventRows: t?.eventRows ?? 0,
      eventWrites: t?.eventWrites ?? 0,
      checkpointWrites: t?.checkpointWrites ?? 0,
      scanMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : 0,
      endedAtMs: run.finishedAt ? run.finishedAt.getTime() - startedAt : triggersStoppedMs,
    };
  });
  // The sweep ends when its last tenant's run does; an idle trigger noticing that a polling interval
  // later is the host's business, not the sweep's.
  const wallMs = Math.max(0, ...tenants.map((t) => t.endedAtMs));
  const result: WorkerResult = { type: "result", wallMs, peakRssBytes: rss.stop(), cpuSeconds: cpuSince(cpu), tenants };
  await sendAndFlush(result);
}

function memory(): string {
  const m = process.memoryUsage();
  return `rss ${(m.rss / 2 ** 20).toFixed(0)} MB, heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MB`;
}

/** Counts the table writes of every tenant partition the scan makes (findings, events, checkpoints). */
function instrument(app: App): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  const tally = (tenantId: string): Tally => {
    let t = tallies.get(tenantId);
    if (!t) tallies.set(tenantId, (t = { findingRows: 0, findingWrites: 0, eventRows: 0, eventWrites: 0, checkpointWrites: 0 }));
    return t;
  };
  const { findings, events, checkpoints } = app;
  const applyChanges = findings.applyChanges.bind(findings);
  findings.applyChanges = async (tenantId, changes, options) => {
    const n = await applyChanges(tenantId, changes, options);
    tally(tenantId).findingRows += changes.length;
    tally(tenantId).findingWrites += n;
    return n;
  };
  const write = events.write.bind(events);
  events.write = async (tenantId, list, options) => {
    const n = await write(tenantId, list, options);
    tally(tenantId).eventRows += list.length;
    tally(tenantId).eventWrites += n;
    return n;
  };
  const save = checkpoints.save.bind(checkpoints);
  checkpoints.save = async (runId, tenantId, update, etag, options) => {
    const r = await save(runId, tenantId, update, etag, options);
    if (r.outcome === "saved") tally(tenantId).checkpointWrites += r.transactions;
    return r;
  };
  const remove = checkpoints.delete.bind(checkpoints);
  checkpoints.delete = async (runId, tenantId, options) => {
    const n = await remove(runId, tenantId, options);
    tally(tenantId).checkpointWrites += n;
    return n;
  };
  return tallies;
}

/**
 * A previous night as the product records it (TenantRuns counts.users), so the fan-out can send
 * the largest tenants first: the steady state of a nightly sweep. Written before the clock starts.
 */
async function seedHistory(app: App, history: Readonly<Record<string, number>>, asOf: Date): Promise<void> {
  const yesterday = new Date(asOf.getTime() - 86_400_000);
  const runId = runIdAt(yesterday);
  await app.runs.createRun({ runId, asOf: yesterday, startedAt: yesterday, trigger: "timer", tenantCount: Object.keys(history).length });
  const limit = pLimit(16);
  await Promise.all(
    Object.entries(history).map(([tenantId, users]) =>
      limit(async () => {
        await app.runs.queueTenantRun(runId, tenantId);
        await app.runs.finishTenantRun(runId, tenantId, { status: "completed", counts: { users } });
      }),
    ),
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`scan-worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
