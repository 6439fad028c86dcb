/**
 * Table `TenantSummaries` (PK `summary`, RK tenantId): one row per tenant with its summary as JSON
 * (model/summary.ts), written at the end of each scan and after each accept or revoke. One partition,
 * so the fleet overview of 1,000 tenants is one query of one page.
 */
import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod";
import { CONTROL_IDS, SEVERITIES } from "../model/findings.js";
import type { TenantSummary } from "../model/summary.js";
import { jsonColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { assertKeySafe } from "./keys.js";
import { getEntityOrUndefined, listAll, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const TENANT_SUMMARIES_TABLE = "TenantSummaries";
const PARTITION = "summary";

export interface SummariesRepository {
  get(tenantId: string, options?: StorageOperationOptions): Promise<TenantSummary | undefined>;
  /** Every tenant's summary (one query per 1,000 tenants). */
  list(options?: StorageOperationOptions): Promise<TenantSummary[]>;
  put(summary: TenantSummary, options?: StorageOperationOptions): Promise<void>;
}

const byControl = <T extends z.ZodType>(value: T) =>
  z.object(Object.fromEntries(CONTROL_IDS.map((id) => [id, value])) as Record<(typeof CONTROL_IDS)[number], T>);

const summarySchema = z.object({
  tenantId: z.string(),
  lastRun: z
    .object({
      runId: z.string(),
      status: z.enum(["completed", "partial", "failed"]),
      reason: z.string().nullable(),
      asOf: z.string(),
      finishedAt: z.string(),
    })
    .nullable(),
  controls: byControl(
    z.object({
      state: z.enum(["fail", "unknown", "accepted", "pass"]),
      open: z.number(),
      accepted: z.number(),
      reason: z.string().nullable(),
    }),
  ),
  open: z.number(),
  openBySeverity: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number()])) as Record<(typeof SEVERITIES)[number], z.ZodNumber>),
  accepted: z.number(),
  score: z.number().nullable(),
  changes: z.record(z.string(), z.number()),
  trend: z.array(z.object({ runId: z.string(), asOf: z.string(), open: z.number() })),
  updatedAt: z.string(),
});

const summaryEntity = z.object({ summary: jsonColumn(summarySchema) });

export class TableSummariesRepository implements SummariesRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async get(tenantId: string, options: StorageOperationOptions = {}): Promise<TenantSummary | undefined> {
    assertKeySafe(tenantId, "tenantId");
    const entity = await getEntityOrUndefined(await this.#client(), PARTITION, tenantId, options);
    return entity && toSummary(entity);
  }

  async list(options: StorageOperationOptions = {}): Promise<TenantSummary[]> {
    const entities = await listAll(await this.#client(), odata`PartitionKey eq ${PARTITION}`, options);
    return entities.map(toSummary);
  }

  async put(summary: TenantSummary, options: StorageOperationOptions = {}): Promise<void> {
    assertKeySafe(summary.tenantId, "tenantId");
    const entity = { partitionKey: PARTITION, rowKey: summary.tenantId, summary: JSON.stringify(summary) };
    await (await this.#client()).upsertEntity(entity, "Replace", { abortSignal: options.abortSignal });
  }

  #client(): Promise<TableClient> {
    return this.#store.table(TENANT_SUMMARIES_TABLE);
  }
}

function toSummary(entity: RawEntity): TenantSummary {
  return summaryEntity.parse(entity).summary;
}
