/**
 * `npm run sweep`: one full sweep through the same code as the nightly timer (startSweep) and the
 * scan queue functions (pumped from the real queues), then a summary. See USAGE.
 */
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { SettingsError } from "../../shared/config/settings.js";
import { buildRunReport } from "../../shared/sweep/report.js";
import { functionApp } from "../../shared/app/wiring.js";
import { DEMO_TENANT_FILES, startEmbedded, type Embedded } from "../embedded.js";
import { FixtureError, loadTenantFixture, type TenantFixture } from "../simulator/index.js";
import { runCommand } from "../../cli/command.js";
import { registerFixtureTenants } from "../local-host/session.js";
import { parseSweepArgs, USAGE } from "./args.js";
import { runSweepToEnd } from "./run.js";
import { formatRunReport, toJsonContract } from "./summary.js";

const DEFAULT_DATA_DIR = path.resolve(import.meta.dirname, "../../.data/azurite");

async function main(argv: readonly string[]): Promise<number> {
  const args = parseSweepArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const realTenants =
    args.fixtures.length === 0 && Boolean(process.env.AzureWebJobsStorage || process.env.AzureWebJobsStorage__accountName);
  const fixtures = realTenants
    ? []
    : await Promise.all((args.fixtures.length > 0 ? args.fixtures : DEMO_TENANT_FILES).map(loadTenantFixture));
  const dataDir = path.resolve(args.dataDir ?? DEFAULT_DATA_DIR);
  if (!realTenants && args.fresh) await rm(dataDir, { recursive: true, force: true });

  const embedded = realTenants ? undefined : await startEmbeddedQuietly(fixtures, dataDir);
  const stopOnSignal = () => void embedded?.stop().finally(() => process.exit(130));
  process.once("SIGINT", stopOnSignal);
  try {
    if (embedded) Object.assign(process.env, embedded.settings);
    const app = functionApp();
    await registerFixtureTenants(app, fixtures);
    const tenantIds = fixtures.length > 0 ? { tenantIds: fixtures.map((f) => f.tenant.id) } : {};
    progress(`Scanning ${fixtures.length || "all enabled"} tenant(s) as of ${args.asOf.toISOString()}`);
    const names = new Map(fixtures.map((f) => [f.tenant.id, f.tenant.displayName]));
    const runId = await runSweepToEnd(
      app,
      { asOf: args.asOf, startedAt: new Date(), trigger: "cli", ...tenantIds },
      {
        onTenantEnded: (run, ended, total) =>
          progress(
            `  [${ended}/${total}] ${names.get(run.tenantId) ?? run.tenantId}: ${run.status}${run.reason ? ` (${run.reason})` : ""}`,
          ),
        log: progressDetail,
        warn: (line) => progress(`  ${line}`),
      },
    );
    const report = await buildRunReport(app, runId);
    const where = embedded
      ? `Azurite in ${path.relative(process.cwd(), dataDir) || dataDir} (tables Tenants, Runs, TenantRuns, Findings, FindingEvents)`
      : "the storage account in AzureWebJobsStorage";
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

function startEmbeddedQuietly(fixtures: readonly TenantFixture[], dataDir: string): Promise<Embedded> {
  progress(`Starting Azurite (${path.relative(process.cwd(), dataDir)}) and the Graph simulator with ${fixtures.length} tenant(s)...`);
  return startEmbedded({ fixtures, azuriteLocation: dataDir });
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Per-page progress inside a scan: only on a terminal, where it can overwrite itself. */
function progressDetail(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K  ${line.slice(0, (process.stderr.columns || 80) - 3)}\r`);
}

runCommand(() => main(process.argv.slice(2)), { name: "sweep", help: "npm run sweep -- --help", expected: [FixtureError, SettingsError] });
