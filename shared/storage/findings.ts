/** Table `Findings`: the current state of every (control, subject) per tenant (PK tenantId). */
import { odata, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import { DETAIL_TRUNCATED_KEY } from "../model/evidence.js";
import type { ControlId, FindingDetail, FindingStatus } from "../model/findings.js";
import type { StoredFinding } from "../model/stored.js";
import { controlColumn, findingStatusColumn, jsonColumn, optionalDateColumn, optionalStringColumn, severityColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { assertKeySafe, assertRunId, findingControlRange, findingRowKey } from "./keys.js";
import {
  listAll,
  listPage,
  mapLazily,
  upsertInTransactions,
  type PageRequest,
  type RawEntity,
  type StorageOperationOptions,
} from "./operations.js";

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
  /** One page of the tenant's findings that match `query`, in key order (control, then subject). */
  page(tenantId: string, query: FindingQuery, request: PageRequest): Promise<FindingsPage>;
}

/** What the table can select by itself; finer filters (accepted or not) are the caller's. */
export interface FindingQuery {
  readonly control?: ControlId;
  /** `open`: fail or unknown (a resolved finding is stored as pass). */
  readonly status?: FindingStatus | "open";
  /** Findings a run saw at or after this instant. */
  readonly seenSince?: Date;
}

export interface FindingsPage {
  readonly findings: StoredFinding[];
  readonly continuation: string | undefined;
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

  async page(tenantId: string, query: FindingQuery, request: PageRequest): Promise<FindingsPage> {
    assertKeySafe(tenantId, "tenantId");
    const page = await listPage(await this.#client(), findingFilter(tenantId, query), request);
    return { findings: page.entities.map(toStoredFinding), continuation: page.continuation };
  }

  #client(): Promise<TableClient> {
    return this.#store.table(FINDINGS_TABLE);
  }
}

function findingFilter(tenantId: string, query: FindingQuery): string {
  const clauses = [odata`PartitionKey eq ${tenantId}`];
  if (query.control) {
    const { from, to } = findingControlRange(query.control);
    clauses.push(odata`RowKey ge ${from} and RowKey lt ${to}`);
  }
  if (query.status === "open") clauses.push(odata`status ne ${"pass"}`);
  else if (query.status) clauses.push(odata`status eq ${query.status}`);
  if (query.seenSince) clauses.push(odata`lastSeen ge ${query.seenSince}`);
  return clauses.join(" and ");
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
