/**
 * `npm run tenants`: registers the tenants the nightly sweep scans, in the Tenants table of the
 * storage account in AzureWebJobsStorage (or AzureWebJobsStorage__accountName). Everything is
 * validated before it is stored; nothing half-valid is written.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadSettings, SettingsError } from "../shared/config/settings.js";
import { runCommand, UsageError } from "./command.js";
import type { TenantRecord } from "../shared/model/tenant.js";
import { tableStoreFromSettings } from "../shared/storage/connection.js";
import { TableTenantsRepository, type TenantsRepository } from "../shared/storage/tenants.js";
import { parseTenantRecord, TenantValidationError } from "../shared/tenants/schema.js";

const USAGE = `Usage: npm run tenants -- <command>

  list                                   the registered tenants
  add <tenantId> --name <name> [--approver <email>]... [--exclude-user <id>]... [--exclude-group <id>]... [--disabled]
                                         register (or replace) one tenant
  import <file.json>                     register every tenant in a JSON array of
                                         { "tenantId", "displayName", "enabled"?, "config"? } (all or nothing)
  enable <tenantId> | disable <tenantId> include or skip a tenant in the nightly sweep

Storage: AzureWebJobsStorage (connection string) or AzureWebJobsStorage__accountName (managed identity).`;


async function main(argv: readonly string[]): Promise<void> {
  const { positionals, values } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (values.help || !command) return print(USAGE);
  const repository = new TableTenantsRepository(tableStoreFromSettings(loadSettings().storage));
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

async function list(repository: TenantsRepository): Promise<void> {
  const tenants = await repository.list();
  if (tenants.length === 0) return print("No tenants registered. Add one with: npm run tenants -- add <tenantId> --name <name>");
  for (const t of tenants) {
    const { userIds, groupIds } = t.config.exclusions;
    print(`${t.tenantId}  ${t.enabled ? "enabled " : "disabled"}  ${t.displayName}  approvers: ${t.config.approvers.join(", ") || "none"}  exclusions: ${userIds.length} user(s), ${groupIds.length} group(s)`);
  }
}

async function add(repository: TenantsRepository, tenantId: string, values: Options): Promise<void> {
  const record = parseTenantRecord(
    {
      tenantId,
      displayName: values.name ?? "",
      enabled: !values.disabled,
      config: { approvers: values.approver ?? [], exclusions: { userIds: values["exclude-user"] ?? [], groupIds: values["exclude-group"] ?? [] } },
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
  if (!(await repository.setEnabled(tenantId, enabled))) throw new UsageError(`No tenant ${tenantId} is registered; see: npm run tenants -- list`);
  print(`${tenantId} ${enabled ? "enabled" : "disabled"}.`);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

runCommand(() => main(process.argv.slice(2)), { name: "tenants", help: "npm run tenants -- --help", expected: [TenantValidationError, SettingsError] });
