// Runbook page 8 (docs/runbook/08-offboard-tenant.md): counts, and with --delete removes, one
// tenant's rows from tenant-patrol's tables. Dry run by default. The Audit table is kept unless
// --include-audit is given; the Runs table holds no tenant ids and is never touched.
//
//   node docs/runbook/purge-tenant-data.mjs <tenantId> [--delete] [--include-audit]
//
// Storage as the app reads it: AzureWebJobsStorage (connection string, e.g. UseDevelopmentStorage=true)
// or AzureWebJobsStorage__accountName (your az login identity, DefaultAzureCredential), and
// STORAGE_TABLE_PREFIX when the deployment sets one. Keys: README "Tables", shared/storage/*.ts.
import process from "node:process";
import { odata, TableClient } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const args = process.argv.slice(2);
// Table keys are case-sensitive and the tenant id is stored as it was registered: pass it as
// `npm run tenants -- list` prints it.
const tenantId = args.find((a) => !a.startsWith("--"));
const remove = args.includes("--delete");
const includeAudit = args.includes("--include-audit");
const unknown = args.filter((a) => a.startsWith("--") && a !== "--delete" && a !== "--include-audit");
if (!tenantId || !GUID.test(tenantId) || unknown.length > 0) {
  process.stderr.write("Usage: node docs/runbook/purge-tenant-data.mjs <tenantId> [--delete] [--include-audit]\n");
  process.exit(2);
}

/** Which rows belong to the tenant, per table (partition and row keys of shared/storage/*.ts). */
const TABLES = [
  ["Tenants", odata`PartitionKey eq 'tenant' and RowKey eq ${tenantId}`],
  ["TenantRuns", odata`RowKey eq ${tenantId}`], // PartitionKey = run id: a scan of the table
  ["Findings", odata`PartitionKey eq ${tenantId}`],
  ["FindingEvents", odata`PartitionKey eq ${tenantId}`],
  ["Approvals", odata`PartitionKey eq ${tenantId}`],
  ["Digests", odata`PartitionKey eq ${tenantId}`],
  ["Deliveries", odata`PartitionKey eq ${tenantId}`],
  ["TenantLeases", odata`PartitionKey eq ${tenantId}`],
  ["Acceptances", odata`PartitionKey eq ${tenantId}`], // the risk register's acceptances in force
  ["TenantSummaries", odata`PartitionKey eq 'summary' and RowKey eq ${tenantId}`],
  ["RemediationRequests", odata`PartitionKey eq ${tenantId}`], // ticketing API v2 requests (idempotency keys are per caller: tenant column)
  ["RemediationRequests", odata`tenantId eq ${tenantId}`],
  ["ScanCheckpoints", odata`PartitionKey ge ${`${tenantId}|`} and PartitionKey lt ${`${tenantId}}`}`], // "<tenantId>|<runId>"
  ...(includeAudit ? [["Audit", odata`PartitionKey eq ${tenantId}`]] : []),
];

const prefix = process.env.STORAGE_TABLE_PREFIX ?? "";
const connection = process.env.AzureWebJobsStorage;
const account = process.env.AzureWebJobsStorage__accountName;
if (!connection && !account) {
  process.stderr.write("Set AzureWebJobsStorage (connection string) or AzureWebJobsStorage__accountName (az login)\n");
  process.exit(2);
}
const credential = connection ? undefined : new DefaultAzureCredential();
const client = (table) =>
  connection
    ? TableClient.fromConnectionString(connection, `${prefix}${table}`, {
        allowInsecureConnection: connection.includes("UseDevelopmentStorage=true"),
      })
    : new TableClient(`https://${account}.table.core.windows.net`, `${prefix}${table}`, credential);

let total = 0;
for (const [table, filter] of TABLES) {
  const tableClient = client(table);
  const byPartition = new Map();
  try {
    for await (const e of tableClient.listEntities({ queryOptions: { filter, select: ["PartitionKey", "RowKey"] } })) {
      const rows = byPartition.get(e.partitionKey) ?? [];
      rows.push(e.rowKey);
      byPartition.set(e.partitionKey, rows);
    }
  } catch (error) {
    if (error?.statusCode === 404) {
      process.stdout.write(`${table.padEnd(16)} (no such table)\n`);
      continue;
    }
    throw error;
  }
  const count = [...byPartition.values()].reduce((n, rows) => n + rows.length, 0);
  if (table === "Tenants" && count === 0) {
    process.stdout.write(
      `(no Tenants record for exactly "${tenantId}": keys are case-sensitive, use the id as \`npm run tenants -- list\` prints it)\n`,
    );
  }
  total += count;
  if (remove) {
    // One transaction per 100 rows of a partition (Table Storage's batch limit).
    for (const [partitionKey, rows] of byPartition) {
      for (let i = 0; i < rows.length; i += 100) {
        await tableClient.submitTransaction(rows.slice(i, i + 100).map((rowKey) => ["delete", { partitionKey, rowKey }]));
      }
    }
  }
  process.stdout.write(`${table.padEnd(16)} ${String(count).padStart(7)} row(s)${remove && count > 0 ? " deleted" : ""}\n`);
}
process.stdout.write(
  `${remove ? "Deleted" : "Found"} ${total} row(s) of tenant ${tenantId}${includeAudit ? "" : " (Audit kept; --include-audit to count it too)"}` +
    `${remove ? "" : ". Dry run: add --delete to remove them."}\n`,
);
