/**
 * `npm run dev`: the whole app on this machine. Azurite (data in .data/azurite), the Graph
 * simulator with the demo tenants, every HTTP function of the function table on its Azure route
 * (/api/<route>), the queue functions pumped from Azurite, one sweep with its approval emails,
 * and the dev pages (/dev/inbox, /dev/tenants). See dev/local-host/README.md.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { runCommand, UsageError } from "../../cli/command.js";
import { FUNCTIONS } from "../../functions/registry.js";
import { loadSettings, SettingsError } from "../../shared/config/settings.js";
import { functionApp } from "../../shared/app/wiring.js";
import { DEMO_TENANT_FILES, startEmbedded, type Embedded } from "../embedded.js";
import { FixtureError, loadTenantFixture } from "../simulator/index.js";
import { createDevPages } from "./dev-pages.js";
import { startLocalHttpHost, type ExtraRoutes, type LocalHttpHost } from "./http-host.js";
import { startQueueHost, type QueueHost } from "./queue-host.js";
import { registerFixtureTenants, sweepHistory, sweepWithDigests } from "./session.js";
import { entraPrincipal, PERSON_ROLES } from "../../shared/http/principal.js";

/** Who the local host signs in (it plays App Service Authentication): may read the reports and accept risks. */
const LOCAL_DEVELOPER_NAME = "developer@localhost";
const LOCAL_DEVELOPER = entraPrincipal(LOCAL_DEVELOPER_NAME, [PERSON_ROLES.read, PERSON_ROLES.accept]);
/** Earlier sweeps, days before the session's, so the tenant reports show a trend. */
const HISTORY_DAYS = [21, 14, 7];

const LOCAL_DATA = path.resolve(import.meta.dirname, "../../.data/azurite");

const USAGE = `Usage: npm run dev -- [--port <n>] [--as-of <ISO-8601 instant>] [--keep-data]

Starts Azurite, the Graph simulator with the demo tenants, and a local Functions host serving every
HTTP function on /api/<route>, pumps the queue functions, runs one sweep (sending approval emails
into the simulator), and prints the URL of the local inbox.

  --port <n>         port of the local host (default 7071, like func start)
  --as-of <instant>  evaluation instant of the sweep, e.g. 2026-11-28T02:00:00Z (default: now)
  --keep-data        keep the Azurite data of earlier runs (default: start empty, since the
                     simulator's tenants and mailboxes start from their fixtures every time)
  --help             show this help`;

interface DevArgs {
  readonly port: number;
  readonly asOf: Date;
  readonly keepData: boolean;
  readonly help: boolean;
}

function parseDevArgs(argv: readonly string[]): DevArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: "string" },
        "as-of": { type: "string" },
        "keep-data": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const port = Number(values.port ?? "7071");
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port "${values.port}" is not a port number`);
  const asOf = values["as-of"] === undefined ? new Date() : new Date(values["as-of"]);
  if (Number.isNaN(asOf.getTime()) || (values["as-of"] !== undefined && !/T.*(Z|[+-]\d{2}:\d{2})$/.test(values["as-of"]))) {
    throw new UsageError(`--as-of "${values["as-of"]}" is not an ISO-8601 instant with a time zone, e.g. 2026-11-28T02:00:00Z`);
  }
  return { port, asOf, keepData: values["keep-data"] ?? false, help: values.help ?? false };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseDevArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const fixtures = await Promise.all(DEMO_TENANT_FILES.map(loadTenantFixture));
  if (!args.keepData) await rm(LOCAL_DATA, { recursive: true, force: true });

  let pages: ExtraRoutes | undefined;
  let http: LocalHttpHost | undefined;
  let embedded: Embedded | undefined;
  let queues: QueueHost | undefined;
  const stop = async () => {
    await queues?.stop();
    await http?.close();
    await embedded?.stop();
  };
  const onSignal = () => {
    progress("\nStopping...");
    void stop().finally(() => process.exit(0));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    // The host first: its port must be free, and its URL goes into the approval links.
    // Function-level routes (the ticketing API) need a key, as in Azure: one made up for this session.
    const functionKey = randomBytes(24).toString("base64url");
    http = await startLocalHttpHost({
      functions: FUNCTIONS,
      port: args.port,
      functionKey,
      extraRoutes: (request) => pages?.(request) ?? Promise.resolve(undefined),
      log: line,
      signedIn: LOCAL_DEVELOPER,
    });
    progress(
      `Starting Azurite (${path.relative(process.cwd(), LOCAL_DATA)}) and the Graph simulator with ${fixtures.length} demo tenants...`,
    );
    embedded = await startEmbedded({ fixtures, azuriteLocation: LOCAL_DATA, approvals: { publicBaseUrl: http.url } });
    // The host plays App Service Authentication (signing in LOCAL_DEVELOPER), so the reports trust its principal.
    Object.assign(process.env, embedded.settings, { WEBSITE_AUTH_ENABLED: "True" });
    const app = functionApp();
    pages = createDevPages({ simulator: embedded.simulator, storage: () => app });

    await registerFixtureTenants(app, fixtures);
    progress(
      `Sweeping ${fixtures.length} tenants ${HISTORY_DAYS.join(", ")} days before ${args.asOf.toISOString()} (the reports' trend)...`,
    );
    await sweepHistory(app, args.asOf, HISTORY_DAYS);
    progress(`Sweeping ${fixtures.length} tenants as of ${args.asOf.toISOString()}...`);
    const names = new Map(fixtures.map((f) => [f.tenant.id, f.tenant.displayName]));
    const session = await sweepWithDigests(app, args.asOf, {
      onTenantEnded: (run, ended, total) =>
        progress(`  [${ended}/${total}] ${names.get(run.tenantId) ?? run.tenantId}: ${run.status}${run.reason ? ` (${run.reason})` : ""}`),
      warn: (text) => progress(`  ${text}`),
    });
    for (const [tenantId, digest] of session.digests) {
      progress(
        `  ${names.get(tenantId) ?? tenantId}: digest with ${digest.approvalCount} approval request(s) ${digest.status} to ${digest.recipients.join(", ")}`,
      );
    }
    if (session.digests.size === 0) progress("  No approval digest was sent (nothing to approve in this run).");

    queues = startQueueHost({ functions: FUNCTIONS, storage: loadSettings().storage, log: line, warn: (text) => progress(`  ${text}`) });
    printBanner(http, embedded, queues, functionKey);
    await new Promise<never>(() => undefined); // serve until Ctrl+C
    return 0;
  } catch (e) {
    await stop();
    throw e;
  }
}

function printBanner(http: LocalHttpHost, embedded: Embedded, queues: QueueHost, functionKey: string): void {
  const routes = http.routes.map(
    (r) =>
      `    ${r.methods.join(",").padEnd(6)} ${http.url}/${r.route.template}  (${r.name}${r.authLevel === "anonymous" ? "" : `, ${r.authLevel} key`})`,
  );
  const mailbox = `${embedded.settings.MAIL_SENDER} in tenant ${embedded.settings.MAIL_TENANT_ID}`;
  process.stdout.write(
    [
      "",
      "Tenant Patrol is running locally.",
      "",
      `  Reports (signed in as ${LOCAL_DEVELOPER_NAME}, roles Reports.Read and Risks.Accept):  ${http.url}/api/reports`,
      `  Inbox (approval emails):  ${http.url}/dev/inbox`,
      `  Tenants (simulator state and audit rows):  ${http.url}/dev/tenants`,
      "",
      "  HTTP functions (from functions/registry.ts):",
      ...routes,
      `  Function key for this session (header x-functions-key, or ?code=): ${functionKey}`,
      `  Queue functions pumped from Azurite: ${queues.queues.join(", ") || "none"}`,
      `  Graph simulator: ${embedded.simulator.baseUrl}   Azurite: ${embedded.settings.AzureWebJobsStorage ? path.relative(process.cwd(), LOCAL_DATA) : "?"}`,
      `  Digests are sent from ${mailbox}; links are signed with a key made up for this session.`,
      "",
      "Press Ctrl+C to stop.",
      "",
    ].join("\n"),
  );
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

function line(text: string): void {
  process.stdout.write(`${text}\n`);
}

runCommand(() => main(process.argv.slice(2)), { name: "dev", help: "npm run dev -- --help", expected: [FixtureError, SettingsError] });
