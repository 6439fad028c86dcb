/**
 * `npm run sweep`: one full sweep through the same code as the nightly timer (startSweep) and the
 * scan-tenant queue function (pumped from the real queue), then a summary. See USAGE.
 */
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { MAX_DEQUEUE_COUNT, scanTenantFromQueue } from "../../functions/scan-tenant.js";
import { loadSettings, SettingsError } from "../../shared/config/settings.js";
import { createQueueClient } from "../../shared/queue/queue-client.js";
import { buildRunReport } from "../../shared/sweep/report.js";
import { sweepServices, type SweepServices } from "../../shared/sweep/services.js";
import { startSweep } from "../../shared/sweep/start-sweep.js";
import { isTerminal } from "../../shared/storage/runs.js";
import { DEMO_TENANT_FILES, startEmbedded, type Embedded } from "../embedded.js";
import { pumpUntil } from "../local-host/queue-pump.js";
import { FixtureError, loadTenantFixture, type TenantFixture } from "../simulator/index.js";
import { parseSweepArgs, USAGE, UsageError, type SweepArgs } from "./args.js";
import { formatRunReport, toJsonContract } from "./summary.js";

const LOCAL_DATA = path.resolve(import.meta.dirname, "../../.data/azurite");

async function main(argv: readonly string[]): Promise<number> {
  const args = parseSweepArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const realTenants = args.fixtures.length === 0 && Boolean(process.env.AzureWebJobsStorage || process.env.AzureWebJobsStorage__accountName);
  const fixtures = realTenants ? [] : await Promise.all((args.fixtures.length > 0 ? args.fixtures : DEMO_TENANT_FILES).map(loadTenantFixture));
  if (!realTenants && args.fresh) await rm(LOCAL_DATA, { recursive: true, force: true });

  const embedded = realTenants ? undefined : await startEmbeddedQuietly(fixtures);
  const stopOnSignal = () => void embedded?.stop().finally(() => process.exit(130));
  process.once("SIGINT", stopOnSignal);
  try {
    if (embedded) Object.assign(process.env, embedded.settings);
    const services = sweepServices();
    for (const f of fixtures) await services.tenants.upsert({ tenantId: f.tenant.id, displayName: f.tenant.displayName, enabled: true, config: f.config });
    const runId = await runSweep(services, args, fixtures.length > 0 ? fixtures.map((f) => f.tenant.id) : undefined);
    const report = await buildRunReport(services, runId);
    const where = embedded ? `Azurite in ${path.relative(process.cwd(), LOCAL_DATA) || LOCAL_DATA} (tables Tenants, Runs, TenantRuns, Findings, FindingEvents)` : "the storage account in AzureWebJobsStorage";
    process.stdout.write(`${formatRunReport(report, where)}\n`);
    if (args.jsonPath) {
      await writeFile(args.jsonPath, `${JSON.stringify(toJsonContract(report), null, 2)}\n`);
      process.stdout.write(`JSON written to ${args.jsonPath}\n`);
    }
    return 0;
  } finally {
    process.off("SIGINT", stopOnSignal);
    await embedded?.stop();
  }
}

function startEmbeddedQuietly(fixtures: readonly TenantFixture[]): Promise<Embedded> {
  progress(`Starting Azurite (${path.relative(process.cwd(), LOCAL_DATA)}) and the Graph simulator with ${fixtures.length} tenant(s)...`);
  return startEmbedded({ fixtures, azuriteLocation: LOCAL_DATA });
}

/** Opens the run like the timer does, then plays the queue trigger until every tenant has ended. */
async function runSweep(services: SweepServices, args: SweepArgs, tenantIds: readonly string[] | undefined): Promise<string> {
  const sweep = await startSweep(services, { asOf: args.asOf, startedAt: new Date(), trigger: "cli", ...(tenantIds ? { tenantIds } : {}) });
  progress(`Run ${sweep.runId}: scanning ${sweep.tenantIds.length} tenant(s) as of ${args.asOf.toISOString()}`);
  const reported = new Set<string>();
  const allEnded = async () => {
    const runs = await services.runs.listTenantRuns(sweep.runId);
    for (const run of runs) {
      if (isTerminal(run.status) && !reported.has(run.tenantId)) {
        reported.add(run.tenantId);
        progress(`  [${reported.size}/${runs.length}] ${run.tenantId}: ${run.status}${run.reason ? ` (${run.reason})` : ""}`);
      }
    }
    return runs.every((r) => isTerminal(r.status));
  };
  const poisonQueue = createQueueClient(loadSettings().storage, `${services.scanQueue.name}-poison`);
  const pumped = await pumpUntil({ functionName: "scan-tenant", handler: scanTenantFromQueue, queue: services.scanQueue, poisonQueue, log: progressDetail, warn: (line) => progress(`  ${line}`) }, allEnded);
  if (!(await allEnded())) {
    throw new Error(`${pumped.poisoned} scan message(s) failed ${MAX_DEQUEUE_COUNT} times and went to ${poisonQueue.name}; some tenants were not scanned. The errors are above.`);
  }
  return sweep.runId;
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Per-page progress inside a scan: only on a terminal, where it can overwrite itself. */
function progressDetail(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K  ${line.slice(0, (process.stderr.columns || 80) - 3)}\r`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof UsageError || e instanceof FixtureError || e instanceof SettingsError;
    process.stderr.write(`\nsweep: ${e instanceof Error ? e.message : String(e)}\n`);
    if (e instanceof UsageError) process.stderr.write("Run `npm run sweep -- --help` for usage.\n");
    if (!known && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(known ? 2 : 1);
  },
);
