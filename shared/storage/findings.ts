/** Table `Findings`: the current state of every (control, subject) per tenant (PK tenantId). */
import { odata, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import { DETAIL_TRUNCATED_KEY } from "../model/evidence.js";
import type { FindingDetail } from "../model/findings.js";
import type { StoredFinding } from "../model/stored.js";
import { controlColumn, findingStatusColumn, jsonColumn, optionalDateColumn, optionalStringColumn, severityColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { assertKeySafe, assertRunId, findingRowKey } from "./keys.js";
import { listAll, mapLazily, upsertInTransactions, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const FINDINGS_TABLE = "Findings";

/**
 * A string property holds at most 32K UTF-16 chars (64 KiB); detail JSON longer than this is
 * replaced by a truncation envelope, leaving room for the envelope itself.
 */
export const MAX_DETAIL_CHARS = 30_000;

export interface FindingsRepository {
  listForTenant(tenantId: string, options?: StorageOperationOptions): Promise<StoredFinding[]>;
  /**
   * Writes the findings (replacing whole rows) in transactions of at most 100 in the tenant's
   * partition. Returns the number of transactions used.
   */
  applyChanges(tenantId: string, changes: readonly StoredFinding[], options?: StorageOperationOptions): Promise<number>;
}

const findingEntity = z.object({
  control: controlColumn,
  subjectId: optionalStringColumn,
  status: findingStatusColumn,
  severity: severityColumn,
  detail: jsonColumn(z.record(z.string(), z.unknown())),
  firstSeen: z.date(),
  lastSeen: z.date(),
  resolvedAt: optionalDateColumn,
  lastRunId: z.string(),
});

export class TableFindingsRepository implements FindingsRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async listForTenant(tenantId: string, options: StorageOperationOptions = {}): Promise<StoredFinding[]> {
    assertKeySafe(tenantId, "tenantId");
    const entities = await listAll(await this.#client(), odata`PartitionKey eq ${tenantId}`, options);
    return entities.map(toStoredFinding);
  }

  async applyChanges(tenantId: string, changes: readonly StoredFinding[], options: StorageOperationOptions = {}): Promise<number> {
    assertKeySafe(tenantId, "tenantId");
    const entities = mapLazily(changes, (finding) => toFindingEntity(tenantId, finding));
    return upsertInTransactions(await this.#client(), entities, options);
  }

  #client(): Promise<TableClient> {
    return this.#store.table(FINDINGS_TABLE);
  }
}

/**
 * Detail as stored: its JSON, or a truncation envelope (DETAIL_TRUNCATED_KEY, `preview` holding the
 * JSON's start) when that would not fit a property.
 */
function serializeDetail(detail: FindingDetail): string {
  const json = JSON.stringify(detail);
  if (json.length <= MAX_DETAIL_CHARS) return json;
  // Re-escaping the preview can at most double it, so halving converges within a step or two.
  for (let previewChars = MAX_DETAIL_CHARS - 200; ; previewChars = Math.floor(previewChars / 2)) {
    const envelope = JSON.stringify({
      [DETAIL_TRUNCATED_KEY]: true,
      originalChars: json.length,
      preview: json.slice(0, previewChars),
    });
    if (envelope.length <= MAX_DETAIL_CHARS) return envelope;
  }
}

function toFindingEntity(tenantId: string, finding: StoredFinding): TableEntity {
  assertRunId(finding.lastRunId);
  return {
    partitionKey: tenantId,
    rowKey: findingRowKey(finding.control, finding.subjectId),
    control: finding.control,
    subjectId: finding.subjectId ?? undefined,
    status: finding.status,
    severity: finding.severity,
    detail: serializeDetail(finding.detail),
    firstSeen: finding.firstSeen,
    lastSeen: finding.lastSeen,
    resolvedAt: finding.resolvedAt ?? undefined,
    lastRunId: finding.lastRunId,
  };
}

function toStoredFinding(entity: RawEntity): StoredFinding {
  return findingEntity.parse(entity);
}
