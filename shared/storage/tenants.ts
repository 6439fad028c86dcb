/** Table `Tenants`: one row per managed tenant (PK `tenant`, RK tenantId). */
import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod";
import type { ReadinessReport } from "../model/readiness.js";
import type { TenantConfig, TenantRecord } from "../model/tenant.js";
import { REMEDIATION_ACTIONS } from "../model/remediation.js";
import { sinkListSchema } from "../config/sinks.js";
import { jsonColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { isConflict, isNotFound } from "./errors.js";
import { assertKeySafe } from "./keys.js";
import { getEntityOrUndefined, listAll, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const TENANTS_TABLE = "Tenants";
const PARTITION = "tenant";

export interface StoredTenant extends TenantRecord {
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The last onboarding check (shared/onboarding/); absent until the tenant is first checked. */
  readonly readiness?: ReadinessReport;
}

export interface ListTenantsOptions extends StorageOperationOptions {
  readonly enabledOnly?: boolean;
}

export interface TenantsRepository {
  /** Inserts or replaces the record; createdAt is kept from the first insert. */
  upsert(record: TenantRecord, options?: StorageOperationOptions): Promise<void>;
  get(tenantId: string, options?: StorageOperationOptions): Promise<StoredTenant | undefined>;
  list(options?: ListTenantsOptions): Promise<StoredTenant[]>;
  /** False when there is no such tenant. */
  setEnabled(tenantId: string, enabled: boolean, options?: StorageOperationOptions): Promise<boolean>;
  /** Stores the result of an onboarding check on the tenant's record; false when there is no such tenant. */
  setReadiness(tenantId: string, readiness: ReadinessReport, options?: StorageOperationOptions): Promise<boolean>;
}

const tenantEntity = z.object({
  rowKey: z.string(),
  displayName: z.string(),
  enabled: z.boolean(),
  approvers: jsonColumn(z.array(z.string())),
  exclusions: jsonColumn(z.object({ userIds: z.array(z.string()), groupIds: z.array(z.string()) })),
  /** JSON `null` when unset (Merge cannot remove a column); absent in rows written before it existed. */
  remediation: jsonColumn(
    z
      .object({
        actions: z.array(z.enum(REMEDIATION_ACTIONS)).optional(),
        blockUnregisteredAdmins: z.boolean().optional(),
        apiRunsWithoutApproval: z.boolean().optional(),
      })
      .nullable(),
  ).optional(),
  /** The tenant's outbound-event sinks as JSON, `null` when unset; absent in rows written before it existed. */
  notify: jsonColumn(z.object({ sinks: sinkListSchema }).nullable()).optional(),
  /** The last onboarding check as JSON; absent in rows written before it existed, or never checked. */
  readiness: z.string().optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export class TableTenantsRepository implements TenantsRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async upsert(record: TenantRecord, options: StorageOperationOptions = {}): Promise<void> {
    assertKeySafe(record.tenantId, "tenantId");
    const client = await this.#client();
    const now = new Date();
    const entity = {
      partitionKey: PARTITION,
      rowKey: record.tenantId,
      displayName: record.displayName,
      enabled: record.enabled,
      approvers: JSON.stringify(record.config.approvers),
      exclusions: JSON.stringify(record.config.exclusions),
      remediation: JSON.stringify(record.config.remediation ?? null),
      notify: JSON.stringify(record.config.notify ?? null),
      updatedAt: now,
    };
    try {
      await client.createEntity({ ...entity, createdAt: now }, { abortSignal: options.abortSignal });
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Merge leaves createdAt as the first insert wrote it.
      await client.updateEntity(entity, "Merge", { abortSignal: options.abortSignal });
    }
  }

  async get(tenantId: string, options: StorageOperationOptions = {}): Promise<StoredTenant | undefined> {
    assertKeySafe(tenantId, "tenantId");
    const entity = await getEntityOrUndefined(await this.#client(), PARTITION, tenantId, options);
    return entity && toTenant(entity);
  }

  async list(options: ListTenantsOptions = {}): Promise<StoredTenant[]> {
    const filter = options.enabledOnly ? odata`PartitionKey eq ${PARTITION} and enabled eq true` : odata`PartitionKey eq ${PARTITION}`;
    const entities = await listAll(await this.#client(), filter, options);
    return entities.map(toTenant);
  }

  async setEnabled(tenantId: string, enabled: boolean, options: StorageOperationOptions = {}): Promise<boolean> {
    assertKeySafe(tenantId, "tenantId");
    const client = await this.#client();
    try {
      await client.updateEntity({ partitionKey: PARTITION, rowKey: tenantId, enabled, updatedAt: new Date() }, "Merge", {
        abortSignal: options.abortSignal,
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async setReadiness(tenantId: string, readiness: ReadinessReport, options: StorageOperationOptions = {}): Promise<boolean> {
    assertKeySafe(tenantId, "tenantId");
    const client = await this.#client();
    try {
      // Merge: only this column; the operator's settings and updatedAt stay as they were.
      await client.updateEntity({ partitionKey: PARTITION, rowKey: tenantId, readiness: JSON.stringify(readiness) }, "Merge", {
        abortSignal: options.abortSignal,
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  #client(): Promise<TableClient> {
    return this.#store.table(TENANTS_TABLE);
  }
}

function toTenant(entity: RawEntity): StoredTenant {
  const row = tenantEntity.parse(entity);
  const config: TenantConfig = {
    approvers: row.approvers,
    exclusions: row.exclusions,
    ...(row.remediation ? { remediation: row.remediation } : {}),
    ...(row.notify ? { notify: row.notify } : {}),
  };
  return {
    tenantId: row.rowKey,
    displayName: row.displayName,
    enabled: row.enabled,
    config,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.readiness !== undefined ? readinessOf(row.readiness) : {}),
  };
}

/**
 * Checked loosely, for what the product acts on (a report of a newer version still reads). An
 * unreadable report is dropped, never fatal: the tenant then counts as not checked yet, and its next
 * sweep checks it again.
 */
const storedReadiness = jsonColumn(
  z.looseObject({
    version: z.number(),
    checkedAt: z.string(),
    sweepReady: z.boolean(),
    summary: z.string(),
    features: z.array(z.looseObject({ feature: z.string(), status: z.string() })),
  }),
);

function readinessOf(text: string): { readiness?: ReadinessReport } {
  const parsed = storedReadiness.safeParse(text);
  return parsed.success ? { readiness: parsed.data as unknown as ReadinessReport } : {};
}
