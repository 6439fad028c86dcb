/**
 * `npm run tenants`: registers the tenants the nightly sweep scans, in the Tenants table of the
 * storage account in AzureWebJobsStorage (or AzureWebJobsStorage__accountName), and onboards them:
 * the admin-consent URL and what it grants (`consent-url`), and the check of what the tenant granted
 * (`check`). Everything is validated before it is stored; nothing half-valid is written.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadSettings, SettingsError, type Settings } from "../shared/config/settings.js";
import { MissingCredentialError } from "../shared/graph/credentials.js";
import { logText } from "../shared/logging/log-text.js";
import { isGuid } from "../shared/model/ids.js";
import type { TenantRecord } from "../shared/model/tenant.js";
import { consentPlan, redirectUriProblem, renderConsentPlan } from "../shared/onboarding/consent.js";
import { renderReadiness } from "../shared/onboarding/render.js";
import { checkAndStoreReadiness } from "../shared/onboarding/run.js";
import { tableStoreFromSettings } from "../shared/storage/connection.js";
import { TableCallersRepository, type CallersRepository } from "../shared/storage/callers.js";
import { TableTenantsRepository, type StoredTenant, type TenantsRepository } from "../shared/storage/tenants.js";
import { createApp } from "../shared/app/wiring.js";
import { parseTenantRecord, TenantValidationError } from "../shared/tenants/schema.js";
import { runCommand, UsageError } from "./command.js";

const USAGE = `Usage: npm run tenants -- <command>

  list                                   the registered tenants
  add <tenantId> --name <name> [--approver <email>]... [--exclude-user <id>]... [--exclude-group <id>]... [--disabled]
                                         register (or replace) one tenant
  import <file.json>                     register every tenant in a JSON array of
                                         { "tenantId", "displayName", "enabled"?, "config"? } (all or nothing)
  enable <tenantId> | disable <tenantId> include or skip a tenant in the nightly sweep
  consent-url <tenantId> [--remediation] [--redirect-uri <url>] [--state <text>] [--json]
                                         the admin-consent URL for the app and what it grants: the
                                         application permissions (and Entra role) of the read-only
                                         sweep, or with --remediation of every feature
  check <tenantId> [--json]              sign in to the tenant and report, per feature, ready or what
                                         is missing (permission, licence, Entra role); reads only.
                                         Stored on the tenant's record when it is registered.
                                         Exit 0 when the sweep is ready, 3 when it is not.
  caller add <appId> --name <name> (--tenants <id,id,…> | --all)
                                         register (or replace) a ticketing caller app: it may call the
                                         ticketing API v2 with its Entra token for these tenants only
  caller list                            the registered caller apps and what each reaches

Storage: AzureWebJobsStorage (connection string) or AzureWebJobsStorage__accountName (managed identity).
consent-url and check use the app registration's settings (GRAPH_CLIENT_ID, its credential, GRAPH_AUTHORITY_HOST, GRAPH_BASE_URL).`;

/** The exit code of check when the tenant's sweep is not ready (2 is a usage or settings mistake, 1 a crash). */
const NOT_READY = 3;

async function main(argv: readonly string[]): Promise<number | void> {
  const { positionals, values } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (values.help || !command) return print(USAGE);
  if (command === "consent-url") return consentUrl(tenantArgument(rest, "consent-url <tenantId>"), values);
  const settings = loadSettings();
  if (command === "check") return check(settings, tenantArgument(rest, "check <tenantId>"), values);
  const store = tableStoreFromSettings(settings.storage);
  if (command === "caller") return caller(new TableCallersRepository(store), rest, values);
  const repository = new TableTenantsRepository(store);
  switch (command) {
    case "list":
      return list(repository);
    case "add":
      return add(repository, single(rest, "add <tenantId>"), values);
    case "import":
      return importFile(repository, single(rest, "import <file.json>"));
    case "enable":
    case "disable":
      return setEnabled(repository, single(rest, `${command} <tenantId>`), command === "enable");
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

type Options = ReturnType<typeof parseCommandLine>["values"];

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: "string" },
        approver: { type: "string", multiple: true },
        "exclude-user": { type: "string", multiple: true },
        "exclude-group": { type: "string", multiple: true },
        disabled: { type: "boolean" },
        remediation: { type: "boolean" },
        "redirect-uri": { type: "string" },
        state: { type: "string" },
        json: { type: "boolean" },
        tenants: { type: "string" },
        all: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

function single(args: readonly string[], shape: string): string {
  if (args.length !== 1 || !args[0]) throw new UsageError(`Expected: ${shape}`);
  return args[0];
}

function tenantArgument(args: readonly string[], shape: string): string {
  const tenantId = single(args, shape);
  if (!isGuid(tenantId))
    throw new UsageError(`"${logText(tenantId)}" is not a tenant id (a GUID, e.g. from the tenant's Entra admin center overview)`);
  return tenantId;
}

async function list(repository: TenantsRepository): Promise<void> {
  const tenants = await repository.list();
  if (tenants.length === 0) return print("No tenants registered. Add one with: npm run tenants -- add <tenantId> --name <name>");
  for (const t of tenants) {
    const { userIds, groupIds } = t.config.exclusions;
    print(
      `${t.tenantId}  ${t.enabled ? "enabled " : "disabled"}  ${logText(t.displayName)}  approvers: ${t.config.approvers.map(logText).join(", ") || "none"}  ` +
        `exclusions: ${userIds.length} user(s), ${groupIds.length} group(s)  readiness: ${readinessText(t)}`,
    );
  }
}

function readinessText(t: StoredTenant): string {
  if (!t.readiness) return "not checked (npm run tenants -- check <tenantId>)";
  return `${t.readiness.sweepReady ? "sweep ready" : "sweep NOT ready"} (${logText(t.readiness.summary)}; checked ${t.readiness.checkedAt})`;
}

/**
 * consent-url needs only the app registration's settings: storage is never touched, so a
 * placeholder stands in where none is configured (settings validation requires one).
 */
function consentUrl(tenantId: string, values: Options): void {
  const settings = loadSettings({ AzureWebJobsStorage: "UseDevelopmentStorage=true", ...process.env });
  // GRAPH_CLIENT_ID alone is enough here (validated by loadSettings above); the credential is not needed for a URL.
  const clientId = settings.graph.credential?.clientId ?? process.env.GRAPH_CLIENT_ID;
  if (!clientId) throw new UsageError("Set GRAPH_CLIENT_ID (the app registration's client id) to build its consent URL");
  const redirectUri = values["redirect-uri"];
  const problem = redirectUri === undefined ? undefined : redirectUriProblem(redirectUri);
  if (problem) throw new UsageError(`--redirect-uri ${problem}`);
  const plan = consentPlan({
    tenantId,
    clientId,
    authorityHost: settings.graph.authorityHost,
    graphBaseUrl: settings.graph.baseUrl,
    profile: values.remediation ? "remediation" : "read-only",
    state: values.state ?? randomBytes(12).toString("base64url"),
    ...(redirectUri !== undefined ? { redirectUri } : {}),
    ...(settings.approvals?.mailTenantId ? { mailTenantId: settings.approvals.mailTenantId } : {}),
  });
  if (values.json) return print(JSON.stringify(plan, null, 2));
  for (const line of renderConsentPlan(plan)) print(line);
}

async function check(settings: Settings, tenantId: string, values: Options): Promise<number> {
  if (!settings.graph.credential) throw new MissingCredentialError();
  const app = createApp(settings);
  const { report, stored } = await checkAndStoreReadiness(app, tenantId);
  const record = stored ? await app.tenants.get(tenantId) : undefined;
  if (values.json) print(JSON.stringify(report, null, 2));
  else {
    for (const line of renderReadiness(report, record?.displayName)) print(line);
    print(
      stored
        ? "Stored on the tenant's record."
        : `Not stored: ${tenantId} is not registered (npm run tenants -- add ${tenantId} --name <name>).`,
    );
  }
  return report.sweepReady ? 0 : NOT_READY;
}

async function add(repository: TenantsRepository, tenantId: string, values: Options): Promise<void> {
  const record = parseTenantRecord(
    {
      tenantId,
      displayName: values.name ?? "",
      enabled: !values.disabled,
      config: {
        approvers: values.approver ?? [],
        exclusions: { userIds: values["exclude-user"] ?? [], groupIds: values["exclude-group"] ?? [] },
      },
    },
    `tenant ${tenantId}`,
  );
  await repository.upsert(record);
  print(`Registered ${record.displayName} (${record.tenantId}), ${record.enabled ? "enabled" : "disabled"}.`);
}

async function importFile(repository: TenantsRepository, file: string): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8")) as unknown;
  } catch (e) {
    throw new TenantValidationError(`Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(json)) throw new TenantValidationError(`${file} must hold a JSON array of tenants`);
  const records: TenantRecord[] = json.map((item, i) => parseTenantRecord(item, `tenant #${i + 1} in ${file}`));
  const ids = new Set(records.map((r) => r.tenantId));
  if (ids.size !== records.length) throw new TenantValidationError(`${file} lists a tenant id more than once`);
  for (const record of records) await repository.upsert(record);
  print(`Registered ${records.length} tenant(s) from ${file}.`);
}

async function setEnabled(repository: TenantsRepository, tenantId: string, enabled: boolean): Promise<void> {
  if (!(await repository.setEnabled(tenantId, enabled)))
    throw new UsageError(`No tenant ${tenantId} is registered; see: npm run tenants -- list`);
  print(`${tenantId} ${enabled ? "enabled" : "disabled"}.`);
}

/** `caller add <appId> --name … --tenants a,b | --all` and `caller list`. */
async function caller(repository: CallersRepository, args: readonly string[], values: Options): Promise<void> {
  const [subcommand, ...rest] = args;
  if (subcommand === "list") {
    for (const c of await repository.list())
      print(`${c.appId}  ${logText(c.displayName)}  reaches: ${c.tenants === "all" ? "all tenants" : c.tenants.join(", ") || "none"}`);
    return;
  }
  if (subcommand !== "add") throw new UsageError("Expected: caller add <appId> --name <name> (--tenants <id,…> | --all) | caller list");
  const appId = single(rest, "caller add <appId>");
  const tenants = values.tenants?.split(",").map((t) => t.trim()) ?? [];
  const bothOrNeither = (values.all === true) === tenants.length > 0;
  const problems = [
    ...(isGuid(appId) ? [] : [`"${logText(appId)}" is not an app (client) id (a GUID)`]),
    ...(values.name?.trim() ? [] : ["--name must name the caller (e.g. ServiceNow)"]),
    ...(bothOrNeither ? ["give exactly one of --tenants <id,…> and --all"] : []),
    ...tenants.filter((t) => !isGuid(t)).map((t) => `--tenants: "${logText(t)}" is not a tenant id (GUID)`),
  ];
  if (problems.length > 0) throw new UsageError(problems.join("; "));
  await repository.put({ appId, displayName: values.name?.trim() ?? "", tenants: values.all ? "all" : tenants });
  print(
    `Registered caller ${logText(values.name ?? "")} (${appId.toLowerCase()}), reaching ${values.all ? "every tenant" : tenants.join(", ")}.`,
  );
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

runCommand(() => main(process.argv.slice(2)), {
  name: "tenants",
  help: "npm run tenants -- --help",
  expected: [TenantValidationError, SettingsError, MissingCredentialError],
});
